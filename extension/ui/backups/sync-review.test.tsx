// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageSummary } from '../../../shared/credentials.ts';
import type { AuditView, RestoreView } from '../../../shared/protocol/extension-protocol.ts';
import type { BackupListView, LocalBackupView } from '../../../shared/protocol/views.ts';
import { attachHost, buttonNamed, detachHost, fakeBackground, type Handlers, untilShown } from '../components/test-support.ts';
import { BackupsTab } from './backups-tab.tsx';

const ROOT = '/home/user/ConnectGuard/backups';
const BUCKET = 'usr-48291-itm-00384-nas';
const WITH_PLAN: LocalBackupView = { folder: `${ROOT}/${BUCKET}/2026-11-27T05-00-00Z`, bucket: BUCKET, endpoint: 'http://127.0.0.1:7480', startedAt: '2026-11-27T05:00:00.000Z', status: 'verified', objects: 5, bytes: 50, hasPlan: true };
const WITHOUT_PLAN: LocalBackupView = { ...WITH_PLAN, folder: `${ROOT}/${BUCKET}/2026-11-20T05-00-00Z`, startedAt: '2026-11-20T05:00:00.000Z', hasPlan: undefined };
const LIST: BackupListView = { root: ROOT, backups: [WITH_PLAN, WITHOUT_PLAN], omitted: 0, skipped: [], skippedMore: 0 };
const STORAGE: StorageSummary = { id: 's-nas', storageName: 'NAS', bucketName: BUCKET, serverAddress: '127.0.0.1:7480', accessKey: 'AK', permissions: 'Read & Write', allowedIps: '', createdAt: '2026-11-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z' };

const DONE: AuditView = {
  auditId: 'a-1',
  status: 'done',
  folder: WITH_PLAN.folder,
  bucket: BUCKET,
  result: {
    folder: WITH_PLAN.folder,
    bucket: BUCKET,
    planCreatedAt: '2026-11-27T05:00:00.000Z',
    policy: 'wesendit-wins',
    verdict: 'unexpected',
    objects: 5,
    bytes: 50,
    asPredicted: { objects: 2, bytes: 20 },
    notYetArrived: { objects: 1, bytes: 10 },
    unexpected: { objects: 2, bytes: 20 },
    restore: { objects: 2, bytes: 20 },
    contentChecked: 1,
  },
  findings: [
    { key: 'keep/lost.txt', status: 'unexpected', kind: 'gone-from-bucket', mark: '+', predicted: 'only in the bucket: stays', actual: 'gone from the bucket', proof: 'listing', bytes: 10, restore: 'restore' },
    { key: 'new/late.txt', status: 'not-yet-arrived', kind: 'not-written-yet', mark: '+', predicted: 'only in WeSendit: written', actual: 'not in the bucket yet', proof: 'listing', bytes: 10 },
    { key: 'same/changed.txt', status: 'unexpected', kind: 'changed-unexpectedly', mark: '*', predicted: 'same content', actual: 'its content changed', proof: 'md5', bytes: 10, restore: 'overwrite' },
  ],
  pendingKeys: ['new/late.txt'],
  restoreKeys: ['keep/lost.txt', 'same/changed.txt'],
};

let host: HTMLElement;
beforeEach(() => {
  host = attachHost();
});
afterEach(() => detachHost(host));

const until = (check: () => boolean, what: string): Promise<void> => untilShown(host, check, what);

describe('Backups tab: Review sync result', () => {
  it('is offered only on backups with a plan, reviews that backup with the vault’s keys, shows the findings, and restores exactly the selection, dry run first', async () => {
    let auditState: AuditView = { ...DONE, status: 'running', findings: [], pendingKeys: [], restoreKeys: [] };
    const handlers: Handlers = {
      'connectForm.latest': () => null,
      'storage.list': () => [STORAGE],
      'backup.latest': () => null,
      'backup.list': () => LIST,
      'audit.start': () => auditState,
      'audit.state': () => {
        auditState = DONE;
        return auditState;
      },
      'audit.checkAgain': () => ({ ...DONE, status: 'running', rechecked: 1 }),
      'restore.plan': () => ({ restoreId: 'r', status: 'planned', folder: WITH_PLAN.folder, bucket: BUCKET, deleted: 1, changed: 1, bytes: 20, rows: [] }) satisfies RestoreView,
    };
    const { send, calls } = fakeBackground(handlers);
    await act(() => {
      render(<BackupsTab send={send} vaultUnlocked pollMs={5} layout="narrow" />, host);
    });
    await until(() => host.querySelectorAll('li.backup-item').length === 2, 'the list');
    const [first, second] = [...host.querySelectorAll<HTMLLIElement>('li.backup-item')];
    expect([...(second?.querySelectorAll('button') ?? [])].some((button) => button.textContent === 'Review sync result')).toBe(false);
    await act(() => buttonNamed(first as HTMLElement, 'Review sync result').click());
    await until(() => (host.textContent ?? '').includes('did something the preview did not predict'), 'the review result');
    expect(calls.filter((call) => call.type === 'audit.start')).toEqual([{ type: 'audit.start', data: { connection: { kind: 'vault', storageId: 's-nas' }, folder: WITH_PLAN.folder } }]);
    // The popup has no WeSendit tab to read: it says what that means and where to do better.
    expect(host.textContent).toContain('WeSendit’s side was not read: a conflict the bucket won shows as “not overwritten yet”');
    const findings = [...host.querySelectorAll('ul.review-findings li')].map((li) => `${li.getAttribute('data-kind')} ${li.getAttribute('data-restore')}`);
    expect(findings).toEqual(['gone-from-bucket restore', 'not-written-yet ', 'changed-unexpectedly overwrite']);
    await act(() => buttonNamed(host, 'Restore from the backup').click());
    await until(() => calls.some((call) => call.type === 'restore.plan'), 'the restore dry run');
    expect(calls.filter((call) => call.type === 'restore.plan')).toEqual([{ type: 'restore.plan', data: { connection: { kind: 'vault', storageId: 's-nas' }, folder: WITH_PLAN.folder, force: true, keys: ['keep/lost.txt', 'same/changed.txt'] } }]);
    expect(calls.some((call) => call.type === 'restore.apply')).toBe(false);
    await act(() => buttonNamed(host, 'Check again').click());
    await until(() => calls.some((call) => call.type === 'audit.checkAgain'), 'check again');
    expect(calls.filter((call) => call.type === 'audit.checkAgain')).toEqual([{ type: 'audit.checkAgain', data: { auditId: 'a-1' } }]);
  });
});
