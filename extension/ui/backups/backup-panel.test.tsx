// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { BackupJobState, ConnectFormSummary, RestoreView } from '../../../shared/protocol/extension-protocol.ts';
import { BackupPanel } from './backup-panel.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';
import { attachHost, buttonNamed, detachHost, fakeBackground, type Handlers, untilShown } from '../components/test-support.ts';

const FORM: ConnectFormSummary = {
  formId: 'form-1',
  provider: 'Other S3',
  endpoint: 'http://127.0.0.1:7480',
  region: '',
  bucket: 'usr-48291-itm-00384-nas',
  accessKey: 'CGTESTACCESS0001',
  hasSecret: true,
  origin: 'http://127.0.0.1:8080',
  tabId: 7,
};
const BUCKET = { endpoint: FORM.endpoint, bucket: FORM.bucket, accessKeyId: FORM.accessKey };
const FOLDER = '/home/user/ConnectGuard/backups/usr-48291-itm-00384-nas/20261127T050000Z';

function job(patch: Partial<BackupJobState>): BackupJobState {
  return { backupId: 'b-1', status: 'running', bucket: BUCKET, startedAt: '2026-11-27T05:00:00Z', ...patch };
}

const DONE = job({
  status: 'done',
  result: { folder: FOLDER, objects: 2_000, bytes: 12_000_000, transferred: 20, linked: 1_980, resumed: 0, verified: true, elapsedMs: 3_000, multipartUploads: { supported: true, count: 0, keys: [] } },
});

function plan(patch: Partial<RestoreView>): RestoreView {
  return {
    restoreId: 'r-1',
    status: 'planned',
    folder: FOLDER,
    bucket: FORM.bucket,
    deleted: 2,
    changed: 1,
    bytes: 3_000,
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

async function show(send: SendToBackground): Promise<void> {
  await act(() => {
    render(<BackupPanel send={send} pollMs={5} />, host);
  });
}

function until(check: () => boolean, what: string): Promise<void> {
  return untilShown(host, check, what);
}

function button(name: string): HTMLButtonElement {
  return buttonNamed(host, name);
}

function text(): string {
  return host.textContent ?? '';
}

const BASE: Handlers = {
  'connectForm.latest': () => FORM,
  'storage.list': () => [],
  'backup.latest': () => null,
};

describe('Back up now', () => {
  it('backs up the connect form’s bucket with progress, then says "Backup verified" with the folder', async () => {
    let polls = 0;
    const { send, calls } = fakeBackground({
      ...BASE,
      'backup.start': () => job({}),
      'backup.state': () => (polls++ < 1 ? job({ progress: { phase: 'copying', objects: 500, totalObjects: 2_000, bytes: 3_000_000, totalBytes: 12_000_000, rate: 250, bytesPerSecond: 1_500_000, etaMs: 6_000, elapsedMs: 2_000 } }) : DONE),
    });
    await show(send);
    await until(() => text().includes(FORM.bucket), 'the form');
    await act(() => button('Back up now').click());
    expect(calls.find((call) => call.type === 'backup.start')?.data).toEqual({ connection: { kind: 'form', formId: 'form-1' } });
    await until(() => text().includes('Copying objects: 500 of 2,000 objects'), 'progress');
    expect(button('Back up now').disabled).toBe(true);
    await until(() => text().includes('Backup verified'), 'verified');
    expect(text()).toContain(FOLDER);
    expect(text()).toContain('1,980 unchanged since the previous backup');
  });

  it('Cancel stops a running backup; a poll answered after the cancel does not bring it back', async () => {
    let answerPoll: ((state: BackupJobState) => void) | undefined;
    const { send, calls } = fakeBackground({
      ...BASE,
      'backup.latest': () => job({}),
      'backup.state': () => new Promise<BackupJobState>((resolve) => (answerPoll = resolve)),
      'backup.cancel': () => job({ status: 'cancelled' }),
    });
    await show(send);
    await until(() => text().includes('Starting the backup'), 'running');
    await act(() => button('Cancel').click());
    await until(() => text().includes('The backup was cancelled'), 'cancelled');
    expect(calls.some((call) => call.type === 'backup.cancel')).toBe(true);
    await act(() => answerPoll?.(job({})));
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(text()).toContain('The backup was cancelled');
  });

  it('says what is missing when there is neither a form nor a saved storage', async () => {
    const { send, calls } = fakeBackground({ ...BASE, 'connectForm.latest': () => null });
    await show(send);
    await until(() => text().includes('No connect form read yet'), 'no form');
    await act(() => button('Back up now').click());
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('No WeSendit connect form was read yet');
    expect(calls.some((call) => call.type === 'backup.start')).toBe(false);
  });

  it('uses a saved storage when no form was read, and shows a failure in plain words', async () => {
    const { send, calls } = fakeBackground({
      ...BASE,
      'connectForm.latest': () => null,
      'storage.list': () => [{ id: 's-1', storageName: 'NAS', bucketName: FORM.bucket, serverAddress: FORM.endpoint, accessKey: FORM.accessKey, permissions: 'Read & Write', allowedIps: '', createdAt: '2026-11-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z' }],
      'backup.start': () => job({ status: 'failed', error: { code: 'WRONG_SECRET_KEY', message: 'The Secret Key does not match the Access Key. Copy the Secret Key again.' } }),
    });
    await show(send);
    await until(() => host.querySelector('select') !== null, 'the vault choice');
    const select = host.querySelector('select');
    if (!select) throw new Error('no select');
    await act(() => {
      select.value = 's-1';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(() => button('Back up now').click());
    expect(calls.find((call) => call.type === 'backup.start')?.data).toEqual({ connection: { kind: 'vault', storageId: 's-1' } });
    await until(() => text().includes('The Secret Key does not match'), 'error');
  });
});

describe('Restore last backup', () => {
  it('dry run lists deleted and changed objects; "Also overwrite changed objects" plans again with force; "Restore" applies and shows the verification', async () => {
    let applyPolls = 0;
    const { send, calls } = fakeBackground({
      ...BASE,
      'restore.plan': (data) => (data.force === true ? plan({ restoreId: 'r-2', bytes: 3_000 }) : plan({ bytes: 2_000 })),
      'restore.apply': (data) => plan({ restoreId: data.restoreId, status: 'applying' }),
      'restore.state': (data) =>
        applyPolls++ < 1
          ? plan({ restoreId: data.restoreId, status: 'applying', progress: { phase: 'restoring', objects: 1, totalObjects: 3, bytes: 1_000, totalBytes: 3_000, rate: 10, bytesPerSecond: 10_000, elapsedMs: 100 } })
          : plan({ restoreId: data.restoreId, status: 'done', applied: { restored: 2, overwritten: 1, kept: 0, verified: true } }),
    });
    await show(send);
    await until(() => text().includes(FORM.bucket), 'the form');
    await act(() => button('Restore last backup').click());
    await until(() => text().includes('Dry run, nothing written yet'), 'plan');
    expect(text()).toContain('2 objects deleted since the backup: will be put back');
    expect(text()).toContain('1 object changed since the backup: kept as they are now');
    expect(text()).toContain('2 KB to write');
    const rows = [...host.querySelectorAll('tr[data-change]')].map((row) => `${row.getAttribute('data-change')} ${row.querySelector('th')?.textContent}`);
    expect(rows).toEqual(['deleted docs/a.txt', 'deleted docs/b.txt', 'changed photos/c.jpg']);
    const force = [...host.querySelectorAll('label')].find((label) => label.textContent?.includes('Also overwrite changed objects'))?.querySelector('input');
    if (!force) throw new Error('no force checkbox');
    await act(() => force.click());
    await until(() => text().includes('will be overwritten with the backup’s version'), 'forced plan');
    expect(calls.filter((call) => call.type === 'restore.plan').map((call) => call.data)).toEqual([
      { connection: { kind: 'form', formId: 'form-1' } },
      { connection: { kind: 'form', formId: 'form-1' }, force: true },
    ]);
    await act(() => button('Restore').click());
    // The plan applied is the forced one the user saw last.
    expect(calls.find((call) => call.type === 'restore.apply')?.data).toEqual({ restoreId: 'r-2' });
    await until(() => text().includes('Restore verified'), 'verified');
    expect(text()).toContain('2 deleted objects put back');
    expect(text()).toContain('1 changed objects overwritten');
  });

  it('says when there is nothing to restore, and offers no "Restore"', async () => {
    const { send } = fakeBackground({ ...BASE, 'restore.plan': () => plan({ deleted: 0, changed: 0, bytes: 0, rows: [] }) });
    await show(send);
    await until(() => text().includes(FORM.bucket), 'the form');
    await act(() => button('Restore last backup').click());
    await until(() => text().includes('Nothing to restore'), 'nothing');
    expect([...host.querySelectorAll('button')].some((element) => element.textContent?.trim() === 'Restore')).toBe(false);
  });

  it('shows a missing backup as an error in plain words', async () => {
    const { send } = fakeBackground({
      ...BASE,
      'restore.plan': () => {
        throw new ConnectGuardError('NOT_FOUND', 'No backup of this bucket was found. Click “Back up now” first.');
      },
    });
    await show(send);
    await until(() => text().includes(FORM.bucket), 'the form');
    await act(() => button('Restore last backup').click());
    await until(() => host.querySelector('[role="alert"]')?.textContent === 'No backup of this bucket was found. Click “Back up now” first.', 'error');
  });
});
