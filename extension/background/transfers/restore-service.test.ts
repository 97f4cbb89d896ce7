import { describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { PreviewConnectionSource, RestoreView } from '../../../shared/protocol/extension-protocol.ts';
import { BackupService, type RestoreApplySummary, type RestorePlanRow, type RestorePlanSummary, type RestoreRequestData, type TransferCompanion } from './backup-service.ts';
import { MAX_PLAN_ROWS, RestoreService } from './restore-service.ts';

const SECRET = 'fake-restore-secret-for-unit-tests-1';
const CONNECTION = { endpoint: 'http://127.0.0.1:9000', bucket: 'photos', accessKeyId: 'AK', secretAccessKey: SECRET };
const SOURCE: PreviewConnectionSource = { kind: 'direct', connection: CONNECTION };

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function setup(options: { locked?: boolean } = {}) {
  const plans: RestoreRequestData[] = [];
  const applies: RestoreRequestData[] = [];
  let planned: ((summary: RestorePlanSummary) => void) | undefined;
  let applied: ((summary: RestoreApplySummary) => void) | undefined;
  let rows: ((rows: readonly RestorePlanRow[]) => void) | undefined;
  let backupDone: ((value: Awaited<ReturnType<TransferCompanion['backup']>>) => void) | undefined;
  const companion: TransferCompanion = {
    probe: () => Promise.reject(new Error('unused')),
    audit: () => new Promise(() => undefined),
    backup: (_connection, { signal }) =>
      new Promise((resolve, reject) => {
        backupDone = resolve;
        signal.addEventListener('abort', () => reject(new ConnectGuardError('CANCELLED', 'Cancelled.')));
      }),
    restorePlan: (data, options) => {
      plans.push(data);
      rows = options.onRows;
      return new Promise((resolve) => (planned = resolve));
    },
    restoreApply: (data) => {
      applies.push(data);
      return new Promise((resolve) => (applied = resolve));
    },
  };
  const resolve = async () => {
    if (options.locked) throw new ConnectGuardError('VAULT_LOCKED', 'The vault is locked.');
    return { connection: CONNECTION };
  };
  return {
    restores: new RestoreService({ companion, resolve }),
    backups: new BackupService({ companion, resolve }),
    plans,
    applies,
    sendRows: (list: readonly RestorePlanRow[]) => rows?.(list),
    finishPlan: (summary: RestorePlanSummary) => planned?.(summary),
    finishApply: (summary: RestoreApplySummary) => applied?.(summary),
    finishBackup: (verified: boolean) =>
      backupDone?.({ folder: '/b/photos/1', objects: 2, bytes: 4, transferred: 2, linked: 0, resumed: 0, verified, elapsedMs: 5, multipartUploads: { supported: true, count: 0, keys: [] } }),
  };
}

describe('RestoreService', () => {
  it('plans (first 1,000 rows kept, counts for all), then applies the same folder with the plan’s force, verified', async () => {
    const fake = setup();
    const first = await fake.restores.plan(SOURCE, undefined, true);
    expect(first).toMatchObject({ status: 'planning', bucket: 'photos' });
    const state = (): RestoreView => fake.restores.state(first.restoreId);
    await until(() => fake.plans.length === 1, 'plan request');
    expect(fake.plans[0]).toEqual({ connection: CONNECTION, force: true });
    fake.sendRows(Array.from({ length: 1200 }, (_, i) => ({ key: `k${i}`, change: i % 2 ? 'changed' : 'deleted', size: i })));
    fake.finishPlan({ folder: '/b/photos/1', bucket: 'photos', deleted: 600, changed: 600, bytes: 99, kept: 0 });
    await until(() => state().status === 'planned', 'planned');
    expect(state()).toMatchObject({ folder: '/b/photos/1', deleted: 600, changed: 600, bytes: 99 });
    expect(state().rows).toHaveLength(MAX_PLAN_ROWS);
    expect(JSON.stringify(state())).not.toContain(SECRET);

    expect((await fake.restores.apply(first.restoreId)).status).toBe('applying');
    await until(() => fake.applies.length === 1, 'apply request');
    expect(fake.applies[0]).toEqual({ connection: CONNECTION, folder: '/b/photos/1', force: true });
    fake.finishApply({ folder: '/b/photos/1', restored: 600, overwritten: 600, kept: 0, bytes: 99, verified: true, elapsedMs: 10 });
    await until(() => state().status === 'done', 'done');
    expect(state().applied).toEqual({ restored: 600, overwritten: 600, kept: 0, verified: true });
  });

  it('an apply that does not verify fails; only a finished plan can be applied; unknown ids are NOT_FOUND', async () => {
    const fake = setup();
    const first = await fake.restores.plan(SOURCE, '/b/photos/0', false);
    await expect(fake.restores.apply(first.restoreId)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await until(() => fake.plans.length === 1, 'plan request');
    expect(fake.plans[0]).toEqual({ connection: CONNECTION, folder: '/b/photos/0' });
    fake.finishPlan({ folder: '/b/photos/0', bucket: 'photos', deleted: 1, changed: 0, bytes: 1, kept: 0 });
    await until(() => fake.restores.state(first.restoreId).status === 'planned', 'planned');
    await fake.restores.apply(first.restoreId);
    await until(() => fake.applies.length === 1, 'apply request');
    fake.finishApply({ folder: '/b/photos/0', restored: 1, overwritten: 0, kept: 0, bytes: 1, verified: false, elapsedMs: 1 });
    await until(() => fake.restores.state(first.restoreId).status === 'failed', 'failed');
    expect(fake.restores.state(first.restoreId).error?.code).toBe('VERIFY_FAILED');
    expect(() => fake.restores.state('other')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('a locked vault is VAULT_LOCKED before anything runs', async () => {
    const fake = setup({ locked: true });
    await expect(fake.restores.plan({ kind: 'vault', storageId: 'rec' }, undefined, false)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    await expect(fake.backups.start({ kind: 'vault', storageId: 'rec' })).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    expect(fake.plans).toHaveLength(0);
  });
});

describe('BackupService', () => {
  it('"Back up now" is done only when verified; latest reopens on it; cancel stops a running one', async () => {
    const fake = setup();
    expect(fake.backups.latest()).toBeNull();
    const job = await fake.backups.start(SOURCE);
    expect(job).toMatchObject({ status: 'running', bucket: { bucket: 'photos', accessKeyId: 'AK' } });
    expect(fake.backups.latest()?.backupId).toBe(job.backupId);
    fake.finishBackup(false);
    await until(() => fake.backups.state(job.backupId).status !== 'running', 'end');
    expect(fake.backups.state(job.backupId)).toMatchObject({ status: 'failed', error: { code: 'VERIFY_FAILED' } });

    const second = await fake.backups.start(SOURCE);
    expect(fake.backups.cancel(second.backupId).status).toBe('cancelled');
    const third = await fake.backups.start(SOURCE);
    fake.finishBackup(true);
    await until(() => fake.backups.state(third.backupId).status === 'done', 'done');
    expect(fake.backups.state(third.backupId).result?.verified).toBe(true);
    expect(() => fake.backups.state('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
