// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditView } from '../../../shared/protocol/extension-protocol.ts';
import type { BackupListView, LocalBackupView } from '../../../shared/protocol/views.ts';
import { attachHost, buttonNamed, detachHost, fakeBackground, typeInto, untilShown } from '../components/test-support.ts';
import { ReviewFrame } from './review-frame.tsx';

const BUCKET = 'usr-48291-itm-00384-nas';
const BACKUP: LocalBackupView = { folder: `/backups/${BUCKET}/2026-11-27T05-00-00Z`, bucket: BUCKET, endpoint: 'http://127.0.0.1:7480', startedAt: '2026-11-27T05:00:00.000Z', status: 'verified', objects: 5, bytes: 50, hasPlan: true };
const LIST: BackupListView = { root: '/backups', backups: [BACKUP], omitted: 0, skipped: [], skippedMore: 0 };
const RUNNING: AuditView = { auditId: 'a-1', status: 'running', folder: BACKUP.folder, bucket: BUCKET, findings: [], pendingKeys: [], restoreKeys: [], wesendit: { source: 'tab', objects: 2 } };
const DONE: AuditView = {
  ...RUNNING,
  status: 'done',
  wesendit: { source: 'tab', objects: 3 },
  result: {
    folder: BACKUP.folder,
    bucket: BUCKET,
    planCreatedAt: '2026-11-27T05:00:00.000Z',
    policy: 'wesendit-wins',
    verdict: 'unexpected',
    objects: 3,
    bytes: 30,
    asPredicted: { objects: 2, bytes: 20 },
    notYetArrived: { objects: 0, bytes: 0 },
    unexpected: { objects: 1, bytes: 10 },
    restore: { objects: 0, bytes: 0 },
    contentChecked: 0,
  },
  findings: [{ key: 'docs/report.txt', status: 'unexpected', kind: 'conflict-won-by-other-side', mark: '*', predicted: 'conflict: WeSendit wins', actual: "the bucket's version won", proof: 'size', bytes: 10 }],
};

let host: HTMLElement;
beforeEach(() => {
  host = attachHost();
});
afterEach(() => detachHost(host));

describe('review.html in the dock', () => {
  it('asks the background to read WeSendit’s file browser in this tab, says how far it got, and names the source in the result', async () => {
    let polls = 0;
    const { send, calls } = fakeBackground({
      'backup.list': () => LIST,
      'vault.status': () => ({ exists: true, unlocked: false, storageCount: 0 }),
      'audit.start': () => RUNNING,
      'audit.state': () => (++polls < 3 ? { ...RUNNING } : DONE),
    });
    await act(() => {
      render(<ReviewFrame send={send} />, host);
    });
    await untilShown(host, () => host.querySelector('li.backup-item') !== null, 'the backups');
    await act(() => buttonNamed(host, 'Review sync result').click());
    const radio = [...host.querySelectorAll<HTMLInputElement>('input[type=radio]')].find((input) => input.closest('label')?.textContent?.includes('Type the keys in'));
    await act(() => radio?.click());
    await typeInto(host, '#review-access-key', 'AKFAKE');
    await typeInto(host, '#review-secret-key', 'fake-secret-for-review-frame-test');
    await act(() => buttonNamed(host, 'Start review').click());
    expect(calls.filter((call) => call.type === 'audit.start').map((call) => call.data)).toEqual([expect.objectContaining({ folder: BACKUP.folder, wesenditFromTab: true })]);
    await untilShown(host, () => (host.textContent ?? '').includes('Reading WeSendit’s file list in this tab: 2 files so far.'), 'the listing progress');
    await untilShown(host, () => (host.textContent ?? '').includes('did something the preview did not predict'), 'the result');
    expect(host.textContent).toContain('WeSendit’s side: its file browser in this tab (3 files).');
    expect(host.querySelector('ul.review-findings li')?.getAttribute('data-kind')).toBe('conflict-won-by-other-side');
  });
});
