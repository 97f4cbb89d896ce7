import { describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { BackupResultView, MultipartUploadsView, TransferProgressView } from '../../../shared/protocol/views.ts';
import type { ConnectHoldState } from '../../../shared/protocol/extension-protocol.ts';
import type { BucketProbeView, TransferCompanion, TransferOptions } from './backup-service.ts';
import { ConnectHoldService, FRESH_START_REASON, HOLD_TTL_MS } from './connect-hold-service.ts';

const SECRET = 'fake-hold-secret-for-unit-tests-01';
const FORM = { provider: 'Other S3', endpoint: 'http://127.0.0.1:9000', region: '', bucket: 'photos', accessKey: 'AKHOLD', secretKey: SECRET };
const NO_UPLOADS: MultipartUploadsView = { supported: true, count: 0, keys: [] };
const PROGRESS: TransferProgressView = { phase: 'copying', objects: 2, totalObjects: 4, bytes: 20, totalBytes: 40, rate: 2, bytesPerSecond: 20, elapsedMs: 1000 };

function result(patch: Partial<BackupResultView> = {}): BackupResultView {
  return { folder: '/backups/photos/2026', objects: 4, bytes: 40, transferred: 4, linked: 0, resumed: 0, verified: true, elapsedMs: 1500, multipartUploads: NO_UPLOADS, ...patch };
}

/** A companion whose backups the test finishes by hand. */
function fakeCompanion(probe: BucketProbeView | Error) {
  const backups: { options: TransferOptions; finish(value: BackupResultView | Error): void }[] = [];
  const companion: TransferCompanion = {
    probe: async () => {
      if (probe instanceof Error) throw probe;
      return probe;
    },
    backup: (_connection, options) =>
      new Promise<BackupResultView>((resolve, reject) => {
        options.signal.addEventListener('abort', () => reject(new ConnectGuardError('CANCELLED', 'Cancelled.')));
        backups.push({ options, finish: (value) => (value instanceof Error ? reject(value) : resolve(value)) });
      }),
    restorePlan: () => new Promise(() => undefined),
    restoreApply: () => new Promise(() => undefined),
    audit: () => new Promise(() => undefined),
  };
  return { companion, backups };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A hold for the user's own click on a bucket they previewed: the check starts at once. */
function setup(probe: BucketProbeView | Error, now = { value: 0 }) {
  const fake = fakeCompanion(probe);
  const notified: { tabId: number; frameId: number; holdId: string }[] = [];
  const holds = new ConnectHoldService({ companion: fake.companion, now: () => now.value, notifyReleased: async (tabId, frameId, holdId) => void notified.push({ tabId, frameId, holdId }) });
  holds.noteUserConnection({ endpoint: FORM.endpoint, bucket: FORM.bucket });
  const { holdId } = holds.request(FORM, 7, 3, true);
  const state = (): ConnectHoldState => holds.state(holdId);
  return { holds, holdId, state, notified, ...fake };
}

/** A companion that records every contact, to prove none happened. */
function countingSetup(probe: BucketProbeView) {
  const fake = fakeCompanion(probe);
  let probes = 0;
  const companion: TransferCompanion = { ...fake.companion, probe: async (connection, options) => ((probes += 1), fake.companion.probe(connection, options)) };
  const notified: string[] = [];
  const holds = new ConnectHoldService({ companion, notifyReleased: async (_tab, _frame, holdId) => void notified.push(holdId) });
  return { holds, notified, probes: () => probes, backups: fake.backups };
}

describe('ConnectHoldService: the page cannot make the companion work for it', () => {
  it('a click that was not the user’s waits for approval: nothing is contacted, the frame shows bucket and address', async () => {
    const { holds, probes, notified } = countingSetup({ objects: 0, hasMore: false, multipartUploads: NO_UPLOADS });
    holds.noteUserConnection({ endpoint: FORM.endpoint, bucket: FORM.bucket });
    const { holdId } = holds.request(FORM, 7, 3, false);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(holds.state(holdId)).toMatchObject({ status: 'needs-approval', approval: 'not-your-click', bucket: { endpoint: FORM.endpoint, bucket: 'photos', accessKeyId: 'AKHOLD' } });
    expect(probes()).toBe(0);
    expect(notified).toEqual([]);
    expect(holds.released(holdId, 7)).toEqual({ released: false });
    // Only the user's approval in the hold frame starts the check.
    expect(holds.approve(holdId).status).toBe('checking');
    await until(() => holds.state(holdId).status === 'released', 'release');
    expect(probes()).toBe(1);
  });

  it('the user’s click for an address they never saw in Connect Guard waits for approval too; a preview or approval of it counts', async () => {
    const { holds, probes } = countingSetup({ objects: 0, hasMore: false, multipartUploads: NO_UPLOADS });
    const first = holds.request({ ...FORM, endpoint: 'https://attacker.example' }, 7, 3, true).holdId;
    expect(holds.state(first)).toMatchObject({ status: 'needs-approval', approval: 'new-address' });
    // Seen means the same endpoint URL and bucket, however the address is written.
    holds.noteUserConnection({ endpoint: '127.0.0.1:9000/', bucket: 'photos' });
    const second = holds.request(FORM, 8, 0, true).holdId;
    await until(() => holds.state(second).status === 'released', 'release');
    expect(holds.request({ ...FORM, bucket: 'other-bucket' }, 8, 0, true)).toBeDefined();
    expect(probes()).toBe(1);
  });

  it('a tab has one hold at most: a page cannot queue backups', async () => {
    const { holds, backups } = countingSetup({ objects: 5, hasMore: false, multipartUploads: NO_UPLOADS });
    holds.noteUserConnection({ endpoint: FORM.endpoint, bucket: FORM.bucket });
    const first = holds.request(FORM, 7, 3, true).holdId;
    await until(() => backups.length === 1, 'first backup');
    const second = holds.request({ ...FORM, accessKey: 'AKOTHER' }, 7, 3, true).holdId;
    expect(backups[0]?.options.signal.aborted).toBe(true);
    expect(() => holds.state(first)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(holds.state(second).status).toBe('checking');
  });

  it('a hold is never a dead end: "connect anyway" from a failed, cancelled or unapproved hold, with the reason kept', async () => {
    const { holds, notified } = countingSetup({ objects: 0, hasMore: false, multipartUploads: NO_UPLOADS });
    const unapproved = holds.request(FORM, 7, 3, false).holdId;
    expect(holds.connectAnyway(unapproved)).toMatchObject({ status: 'released', reason: 'You chose to connect without a backup.' });
    const failing = new ConnectHoldService({
      companion: { ...fakeCompanion(new ConnectGuardError('VERIFY_FAILED', '2 objects could not be verified.')).companion },
      notifyReleased: async (_tab, _frame, holdId) => void notified.push(holdId),
    });
    failing.noteUserConnection({ endpoint: FORM.endpoint, bucket: FORM.bucket });
    const failed = failing.request(FORM, 9, 0, true).holdId;
    await until(() => failing.state(failed).status === 'failed', 'failure');
    expect(failing.connectAnyway(failed)).toMatchObject({ status: 'released', reason: 'You chose to connect without a verified backup: 2 objects could not be verified.' });
    expect(notified).toEqual([unapproved, failed]);
  });
});

describe('ConnectHoldService', () => {
  it('an empty bucket is released at once as a Fresh Start, and the frame that held the click is told', async () => {
    const { holdId, state, notified, holds, backups } = setup({ objects: 0, hasMore: false, multipartUploads: NO_UPLOADS });
    expect(state().status).toBe('checking');
    await until(() => state().status === 'released', 'release');
    expect(state().reason).toBe(FRESH_START_REASON);
    expect(backups).toHaveLength(0);
    expect(notified).toEqual([{ tabId: 7, frameId: 3, holdId }]);
    expect(holds.released(holdId, 7)).toEqual({ released: true });
    expect(holds.released(holdId, 8)).toEqual({ released: false });
    expect(JSON.stringify(state())).not.toContain(SECRET);
  });

  it('a bucket with data is backed up (progress in the state) and released only when the backup is verified', async () => {
    const { holdId, state, notified, holds, backups } = setup({ objects: 4, hasMore: false, multipartUploads: NO_UPLOADS });
    await until(() => backups.length === 1, 'backup');
    expect(state()).toMatchObject({ status: 'backing-up', backup: { status: 'running' } });
    backups[0]?.options.onProgress?.(PROGRESS);
    expect(state().backup?.progress).toEqual(PROGRESS);
    expect(holds.released(holdId, 7)).toEqual({ released: false });
    backups[0]?.finish(result());
    await until(() => state().status === 'released', 'release');
    expect(state().backup).toMatchObject({ status: 'done', result: { verified: true, folder: '/backups/photos/2026' } });
    expect(notified).toHaveLength(1);
  });

  it('a connect let through after a verified backup with a sync plan is remembered for the review offer, with the page’s origin; a Fresh Start or a backup without a plan is not', async () => {
    const kept: { origin: string; bucket: string }[] = [];
    const run = async (probe: BucketProbeView, backup: BackupResultView | undefined): Promise<void> => {
      const fake = fakeCompanion(probe);
      const holds = new ConnectHoldService({ companion: fake.companion, notifyReleased: async () => undefined, onPlanKept: (connect) => void kept.push({ ...connect }) });
      holds.noteUserConnection({ endpoint: FORM.endpoint, bucket: FORM.bucket });
      const { holdId } = holds.request(FORM, 7, 0, true, 'https://app.wesendit.com');
      if (backup) {
        await until(() => fake.backups.length === 1, 'backup');
        fake.backups[0]?.finish(backup);
      }
      await until(() => holds.state(holdId).status === 'released', 'release');
    };
    await run({ objects: 0, hasMore: false, multipartUploads: NO_UPLOADS }, undefined);
    await run({ objects: 4, hasMore: false, multipartUploads: NO_UPLOADS }, result());
    expect(kept).toEqual([]);
    await run({ objects: 4, hasMore: false, multipartUploads: NO_UPLOADS }, result({ plan: '/backups/photos/2026/plan.ndjson' }));
    expect(kept).toEqual([{ origin: 'https://app.wesendit.com', bucket: 'photos' }]);
  });

  it('a backup that did not verify fails the hold; retry runs it again', async () => {
    const { state, notified, holds, holdId, backups } = setup({ objects: 1, hasMore: true, multipartUploads: NO_UPLOADS });
    await until(() => backups.length === 1, 'backup');
    backups[0]?.finish(result({ verified: false }));
    await until(() => state().status === 'failed', 'failure');
    expect(state().error?.code).toBe('VERIFY_FAILED');
    expect(notified).toHaveLength(0);
    expect(holds.retry(holdId).status).toBe('checking');
    expect(state().error).toBeUndefined();
    await until(() => backups.length === 2, 'second backup');
    backups[1]?.finish(result());
    await until(() => state().status === 'released', 'release');
  });

  it('a failing backup keeps the click held with the companion’s reason', async () => {
    const { state, backups, notified } = setup({ objects: 3, hasMore: false, multipartUploads: NO_UPLOADS });
    await until(() => backups.length === 1, 'backup');
    backups[0]?.finish(new ConnectGuardError('INVALID_INPUT', 'The backup folder /x is not writable. Choose another folder.'));
    await until(() => state().status === 'failed', 'failure');
    expect(state()).toMatchObject({ reason: 'The backup failed, so the click stays held.', error: { code: 'INVALID_INPUT', message: 'The backup folder /x is not writable. Choose another folder.' } });
    expect(notified).toHaveLength(0);
  });

  it('a probe that fails keeps the click held', async () => {
    const { state } = setup(new ConnectGuardError('WRONG_SECRET_KEY', 'The Secret Key does not match.'));
    await until(() => state().status === 'failed', 'failure');
    expect(state().error?.code).toBe('WRONG_SECRET_KEY');
  });

  it('cancel stops the backup and keeps the click held', async () => {
    const { state, holds, holdId, backups, notified } = setup({ objects: 3, hasMore: false, multipartUploads: NO_UPLOADS });
    await until(() => backups.length === 1, 'backup');
    expect(holds.cancel(holdId)).toMatchObject({ status: 'cancelled', backup: { status: 'cancelled' } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(state().status).toBe('cancelled');
    expect(backups[0]?.options.signal.aborted).toBe(true);
    expect(notified).toHaveLength(0);
  });

  it('uploads in progress need "connect anyway" after the backup; the backup stays in the state', async () => {
    const uploads: MultipartUploadsView = { supported: true, count: 2, keys: ['video/big.mov', 'db.sql'] };
    const { state, holds, holdId, backups, notified } = setup({ objects: 3, hasMore: false, multipartUploads: uploads });
    await until(() => backups.length === 1, 'backup');
    expect(() => holds.connectAnyway(holdId)).toThrow(/still running/);
    await until(() => backups.length === 1, 'backup');
    backups[0]?.finish(result({ multipartUploads: uploads }));
    await until(() => state().status === 'needs-confirmation', 'confirmation');
    expect(state()).toMatchObject({ multipartUploads: uploads, backup: { status: 'done' } });
    expect(state().reason).toContain('video/big.mov');
    expect(notified).toHaveLength(0);
    expect(holds.connectAnyway(holdId)).toMatchObject({ status: 'released', backup: { status: 'done' }, multipartUploads: uploads });
    expect(notified).toHaveLength(1);
  });

  it('an empty bucket with uploads in progress needs confirmation without a backup', async () => {
    const { state, backups } = setup({ objects: 0, hasMore: false, multipartUploads: { supported: true, count: 1, keys: ['a.bin'] } });
    await until(() => state().status === 'needs-confirmation', 'confirmation');
    expect(backups).toHaveLength(0);
  });

  it('unknown and expired holds are NOT_FOUND', async () => {
    const now = { value: 0 };
    const { holds, holdId, backups } = setup({ objects: 3, hasMore: false, multipartUploads: NO_UPLOADS }, now);
    expect(() => holds.state('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    await until(() => backups.length === 1, 'backup');
    now.value = HOLD_TTL_MS + 1;
    expect(() => holds.released(holdId, 7)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(backups[0]?.options.signal.aborted).toBe(true);
  });
});
