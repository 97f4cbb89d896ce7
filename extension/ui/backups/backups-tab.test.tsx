// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageSummary } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { BackupJobState, RestoreView } from '../../../shared/protocol/extension-protocol.ts';
import type { BackupListView, LocalBackupView } from '../../../shared/protocol/views.ts';
import { attachHost, buttonNamed, detachHost, fakeBackground, type Handlers, typeInto, untilShown } from '../components/test-support.ts';
import type { SendToBackground } from '../preview/preview-send.ts';
import { BackupsTab, type BackupsTabProps } from './backups-tab.tsx';

const ROOT = '/home/user/ConnectGuard/backups';
const BUCKET = 'usr-48291-itm-00384-nas';
const ENDPOINT = 'http://127.0.0.1:7480';

const NEWEST: LocalBackupView = { folder: `${ROOT}/${BUCKET}/2026-11-28T05-00-00Z`, bucket: BUCKET, endpoint: ENDPOINT, startedAt: '2026-11-28T05:00:00.000Z', status: 'incomplete', problem: 'The connection to the endpoint was lost.' };
const VERIFIED: LocalBackupView = { folder: `${ROOT}/${BUCKET}/2026-11-27T05-00-00Z`, bucket: BUCKET, endpoint: ENDPOINT, startedAt: '2026-11-27T05:00:00.000Z', finishedAt: '2026-11-27T05:01:00.000Z', status: 'verified', objects: 2_000, bytes: 12_000_000 };
const OTHER: LocalBackupView = { folder: `${ROOT}/photos/2026-11-20T05-00-00Z`, bucket: 'photos', startedAt: '2026-11-20T05:00:00.000Z', status: 'complete', objects: 4, bytes: 4_000 };
const MISMATCH: LocalBackupView = { folder: `${ROOT}/photos/2026-11-10T05-00-00Z`, bucket: 'photos', startedAt: '2026-11-10T05:00:00.000Z', status: 'failed-verification', objects: 4, bytes: 4_000 };
const LIST: BackupListView = { root: ROOT, backups: [NEWEST, VERIFIED, OTHER, MISMATCH], omitted: 0, skipped: [{ folder: `${ROOT}/${BUCKET}/broken`, reason: 'its backup.json is damaged (not JSON)' }], skippedMore: 0 };

const STORAGE: StorageSummary = {
  id: 's-nas',
  storageName: 'NAS',
  bucketName: BUCKET,
  serverAddress: '127.0.0.1:7480',
  accessKey: 'CGTESTACCESS0001',
  permissions: 'Read & Write',
  allowedIps: '',
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
};
const ELSEWHERE: StorageSummary = { ...STORAGE, id: 's-else', storageName: 'Same bucket name, other server', serverAddress: 'https://s3.example.com' };

function plan(folder: string, patch: Partial<RestoreView>): RestoreView {
  return {
    restoreId: 'r-1',
    status: 'planned',
    folder,
    bucket: BUCKET,
    deleted: 2,
    changed: 1,
    bytes: 2_000,
    rows: [
      { key: 'docs/a.txt', change: 'deleted', size: 1_000 },
      { key: 'docs/b.txt', change: 'deleted', size: 1_000 },
      { key: 'photos/c.jpg', change: 'changed', size: 1_000 },
    ],
    ...patch,
  };
}

let host: HTMLElement;
beforeEach(() => {
  host = attachHost();
});
afterEach(() => detachHost(host));

const BASE: Handlers = {
  'connectForm.latest': () => null,
  'storage.list': () => [ELSEWHERE, STORAGE],
  'backup.latest': () => null,
  'backup.list': () => LIST,
};

async function show(send: SendToBackground, props: Partial<BackupsTabProps> = {}): Promise<void> {
  await act(() => {
    render(<BackupsTab send={send} vaultUnlocked pollMs={5} layout="narrow" {...props} />, host);
  });
}

const until = (check: () => boolean, what: string): Promise<void> => untilShown(host, check, what);
const text = (): string => host.textContent ?? '';
const items = (): HTMLLIElement[] => [...host.querySelectorAll<HTMLLIElement>('li.backup-item')];

function item(folder: string): HTMLLIElement {
  const index = LIST.backups.findIndex((backup) => backup.folder === folder);
  const found = items()[index];
  if (!found) throw new Error(`no item ${index} in: ${text()}`);
  return found;
}

function restoreButtonOf(element: HTMLElement): HTMLButtonElement {
  return buttonNamed(element, 'Restore…');
}

function planRows(element: ParentNode): string[] {
  return [...element.querySelectorAll('tr[data-change]')].map((row) => `${row.getAttribute('data-change')} ${row.querySelector('th')?.textContent}`);
}

describe('Backups tab: the list', () => {
  it('shows the companion’s backups in its order, newest first, with time, bucket, endpoint, status, objects and size; Restore… only where a restore can work', async () => {
    const { send, calls } = fakeBackground(BASE);
    await show(send);
    await until(() => items().length === 4, 'the list');
    expect(calls.filter((call) => call.type === 'backup.list')).toHaveLength(1);
    expect(items().map((element) => element.getAttribute('data-status'))).toEqual(['incomplete', 'verified', 'complete', 'failed-verification']);
    expect(items().map((element) => element.querySelector('.badge')?.textContent)).toEqual(['Incomplete', 'Verified', 'Complete, not verified', 'Failed verification']);
    const verified = item(VERIFIED.folder).textContent ?? '';
    expect(verified).toContain(BUCKET);
    expect(verified).toContain(new Date(VERIFIED.startedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
    expect(verified).toContain(ENDPOINT);
    expect(verified).toContain('2,000');
    expect(verified).toContain('12 MB');
    expect(item(OTHER.folder).textContent).not.toContain('Endpoint');
    expect(items().map((element) => [...element.querySelectorAll('button')].some((button) => button.textContent === 'Restore…'))).toEqual([false, true, true, false]);
    expect(item(NEWEST.folder).textContent).toContain('never finished');
    expect(item(NEWEST.folder).textContent).toContain('The connection to the endpoint was lost.');
    expect(item(MISMATCH.folder).textContent).toContain('did not match the bucket');
    expect(text()).toContain(ROOT);
    expect(host.querySelector('details.skipped')?.textContent).toContain('its backup.json is damaged');
  });

  it('says so when there is no backup yet, and shows the companion’s error in plain words', async () => {
    const empty = fakeBackground({ ...BASE, 'backup.list': () => ({ root: ROOT, backups: [], omitted: 0, skipped: [], skippedMore: 0 }) });
    await show(empty.send);
    await until(() => text().includes('No backups on this computer yet'), 'the empty list');
    await act(() => render(null, host));
    const missing = fakeBackground({
      ...BASE,
      'backup.list': () => {
        throw new ConnectGuardError('COMPANION_UNAVAILABLE', 'The Connect Guard companion is not installed for this browser.');
      },
    });
    await show(missing.send);
    await until(() => host.querySelector('.backup-list [role="alert"]')?.textContent === 'The Connect Guard companion is not installed for this browser.', 'the error');
  });

  it('reads the list again when a backup started here has ended', async () => {
    let polls = 0;
    const running: BackupJobState = { backupId: 'b-1', status: 'running', bucket: { endpoint: ENDPOINT, bucket: BUCKET, accessKeyId: STORAGE.accessKey }, startedAt: '2026-11-29T05:00:00Z' };
    const { send, calls } = fakeBackground({
      ...BASE,
      'backup.start': () => ({ ...running }),
      'backup.state': () => (polls++ < 1 ? { ...running } : { ...running, status: 'done', result: { folder: `${ROOT}/${BUCKET}/new`, objects: 1, bytes: 1, transferred: 1, linked: 0, resumed: 0, verified: true, elapsedMs: 1, multipartUploads: { supported: true, count: 0, keys: [] } } }),
    });
    await show(send);
    await until(() => items().length === 4 && host.querySelector('#backup-storage') !== null, 'the list and the storage choice');
    const select = host.querySelector<HTMLSelectElement>('#backup-storage');
    if (!select) throw new Error('no storage choice');
    await act(() => {
      select.value = STORAGE.id;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(() => buttonNamed(host, 'Back up now').click());
    await until(() => text().includes('Backup verified'), 'the backup');
    await until(() => calls.filter((call) => call.type === 'backup.list').length === 2, 'the list read again');
  });
});

describe('Backups tab: Restore… on a listed backup', () => {
  it('with a saved storage of that bucket and endpoint: the dry run of that folder starts at once, its rows and "Apply restore" right under the backup, before anything is applied', async () => {
    const { send, calls } = fakeBackground({ ...BASE, 'restore.plan': (data) => plan(data.folder ?? '', {}) });
    await show(send);
    await until(() => items().length === 4, 'the list');
    await act(() => restoreButtonOf(item(VERIFIED.folder)).click());
    await until(() => planRows(host).length === 3, 'the dry run');
    // Only the storage of the same bucket on the same endpoint (written differently) is offered and used.
    expect(calls.filter((call) => call.type === 'restore.plan').map((call) => call.data)).toEqual([{ connection: { kind: 'vault', storageId: STORAGE.id }, folder: VERIFIED.folder }]);
    expect([...host.querySelectorAll('#restore-storage option')].map((option) => option.getAttribute('value'))).toEqual(['', STORAGE.id]);
    const chosen = item(VERIFIED.folder);
    expect(restoreButtonOf(chosen).getAttribute('aria-expanded')).toBe('true');
    expect(planRows(chosen)).toEqual(['deleted docs/a.txt', 'deleted docs/b.txt', 'changed photos/c.jpg']);
    expect(chosen.textContent).toContain('Dry run, nothing written yet');
    expect(chosen.textContent).toContain('2 objects deleted since the backup: will be put back');
    const apply = buttonNamed(chosen, 'Apply restore');
    expect(apply.disabled).toBe(false);
    // "Apply restore" comes before the rows, which may be many.
    const table = chosen.querySelector('table');
    if (!table) throw new Error('no table');
    expect(apply.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(calls.some((call) => call.type === 'restore.apply')).toBe(false);
    // Nothing of the restore under the other backups.
    expect(planRows(item(OTHER.folder))).toEqual([]);
  });

  it('"Also overwrite changed objects" plans again with force; "Apply restore" applies the plan the user saw last and shows the verification', async () => {
    let applyPolls = 0;
    const { send, calls } = fakeBackground({
      ...BASE,
      'restore.plan': (data) => (data.force === true ? plan(VERIFIED.folder, { restoreId: 'r-2', bytes: 3_000 }) : plan(VERIFIED.folder, {})),
      'restore.apply': (data) => plan(VERIFIED.folder, { restoreId: data.restoreId, status: 'applying' }),
      'restore.state': (data) =>
        applyPolls++ < 1
          ? plan(VERIFIED.folder, { restoreId: data.restoreId, status: 'applying', progress: { phase: 'restoring', objects: 1, totalObjects: 3, bytes: 1_000, totalBytes: 3_000, rate: 10, bytesPerSecond: 10_000, elapsedMs: 100 } })
          : plan(VERIFIED.folder, { restoreId: data.restoreId, status: 'done', applied: { restored: 2, overwritten: 1, kept: 0, verified: true } }),
    });
    await show(send);
    await until(() => items().length === 4, 'the list');
    await act(() => restoreButtonOf(item(VERIFIED.folder)).click());
    await until(() => text().includes('Dry run, nothing written yet'), 'the plan');
    expect(text()).toContain('1 object changed since the backup: kept as they are now');
    expect(text()).toContain('2 KB to write');
    const force = [...host.querySelectorAll('label')].find((label) => label.textContent?.includes('Also overwrite changed objects'))?.querySelector('input');
    if (!force) throw new Error('no force checkbox');
    await act(() => force.click());
    await until(() => text().includes('will be overwritten with the backup’s version'), 'the forced plan');
    const connection = { kind: 'vault', storageId: STORAGE.id };
    expect(calls.filter((call) => call.type === 'restore.plan').map((call) => call.data)).toEqual([
      { connection, folder: VERIFIED.folder },
      { connection, folder: VERIFIED.folder, force: true },
    ]);
    await act(() => buttonNamed(host, 'Apply restore').click());
    expect(calls.find((call) => call.type === 'restore.apply')?.data).toEqual({ restoreId: 'r-2' });
    await until(() => text().includes('Restore verified'), 'verified');
    expect(text()).toContain('2 deleted objects put back');
    expect(text()).toContain('1 changed objects overwritten');
  });

  it('without a saved storage of that bucket: the keys are typed in (the bucket and endpoint are the backup’s), then "Dry run"', async () => {
    const { send, calls } = fakeBackground({ ...BASE, 'storage.list': () => [ELSEWHERE], 'restore.plan': (data) => plan(data.folder ?? '', {}) });
    await show(send);
    await until(() => items().length === 4, 'the list');
    await act(() => restoreButtonOf(item(VERIFIED.folder)).click());
    await until(() => host.querySelector('#restore-access-key') !== null, 'the typed keys');
    expect(text()).toContain(`No storage in the vault uses bucket ${BUCKET}`);
    expect(calls.some((call) => call.type === 'restore.plan')).toBe(false);
    expect(host.querySelector<HTMLInputElement>('#restore-endpoint')?.value).toBe(ENDPOINT);
    await act(() => buttonNamed(host, 'Dry run').click());
    expect(host.querySelector('.listed-restore [role="alert"]')?.textContent).toContain('Fill in the bucket’s access key, secret key');
    await typeInto(host, '#restore-access-key', 'CGTYPEDACCESS0001');
    await typeInto(host, '#restore-secret-key', 'typed-secret-for-tests');
    await act(() => buttonNamed(host, 'Dry run').click());
    await until(() => planRows(host).length === 3, 'the dry run');
    expect(calls.filter((call) => call.type === 'restore.plan').map((call) => call.data)).toEqual([
      { connection: { kind: 'direct', connection: { endpoint: ENDPOINT, bucket: BUCKET, accessKeyId: 'CGTYPEDACCESS0001', secretAccessKey: 'typed-secret-for-tests' } }, folder: VERIFIED.folder },
    ]);
  });

  it('says when there is nothing to restore and offers no "Apply restore"; a refused plan shows in plain words', async () => {
    const { send } = fakeBackground({
      ...BASE,
      'restore.plan': (data) => {
        if (data.folder === OTHER.folder) throw new ConnectGuardError('NOT_FOUND', 'The bucket photos does not exist on this endpoint.');
        return plan(VERIFIED.folder, { deleted: 0, changed: 0, bytes: 0, rows: [] });
      },
      'storage.list': () => [STORAGE, { ...STORAGE, id: 's-photos', bucketName: 'photos' }],
    });
    await show(send);
    await until(() => items().length === 4, 'the list');
    await act(() => restoreButtonOf(item(VERIFIED.folder)).click());
    await until(() => text().includes('Nothing to restore'), 'nothing');
    expect([...host.querySelectorAll('button')].some((element) => element.textContent?.trim() === 'Apply restore')).toBe(false);
    await act(() => restoreButtonOf(item(OTHER.folder)).click());
    await until(() => item(OTHER.folder).querySelector('[role="alert"]')?.textContent === 'The bucket photos does not exist on this endpoint.', 'the error under the other backup');
    expect(item(VERIFIED.folder).querySelector('.listed-restore')).toBeNull();
  });

  it('in a wide page the restore is shown beside the list, not inside it', async () => {
    const { send } = fakeBackground({ ...BASE, 'restore.plan': (data) => plan(data.folder ?? '', {}) });
    await show(send, { layout: 'wide' });
    await until(() => items().length === 4, 'the list');
    await act(() => restoreButtonOf(item(VERIFIED.folder)).click());
    await until(() => planRows(host).length === 3, 'the dry run');
    const side = host.querySelector('.backups-side');
    expect(planRows(side ?? host)).toHaveLength(3);
    expect(host.querySelector('.backups-main .listed-restore')).toBeNull();
    expect(restoreButtonOf(item(VERIFIED.folder)).getAttribute('aria-controls')).toBe(side?.querySelector('.listed-restore')?.id);
  });
});
