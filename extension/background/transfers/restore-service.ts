/**
 * "Restore last backup" from the popup: a dry run first (what restoring the newest backup of the
 * bucket, or a chosen backup folder, would put back: objects deleted or changed since), then the
 * apply of exactly that plan, which the companion verifies. Objects changed after the backup are
 * overwritten only when the plan was made with `force`.
 *
 * A plan keeps its connection source (not the resolved secret) so the apply resolves it again:
 * a vault source needs the vault still unlocked.
 */
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import type { PreviewConnectionSource, RestoreView } from '../../../shared/protocol/extension-protocol.ts';
import type { RestorePlanRow, TransferCompanion } from './backup-service.ts';
import type { ResolvedConnection } from '../preview/resolve-connection-source.ts';

/** Rows of a plan kept for the popup; the counts cover all of them. */
export const MAX_PLAN_ROWS = 1000;

export interface RestoreServiceDeps {
  readonly companion: TransferCompanion;
  resolve(source: PreviewConnectionSource): Promise<ResolvedConnection>;
  readonly newId?: () => string;
}

interface RestoreRun {
  view: RestoreView;
  readonly source: PreviewConnectionSource;
  readonly force: boolean;
  readonly keys: readonly string[] | undefined;
  controller: AbortController;
}

export class RestoreService {
  private current: RestoreRun | undefined;
  private readonly newId: () => string;

  constructor(private readonly deps: RestoreServiceDeps) {
    this.newId = deps.newId ?? (() => crypto.randomUUID());
  }

  /** Starts the dry run and returns its first state; VAULT_LOCKED etc. when the connection cannot be resolved. */
  async plan(source: PreviewConnectionSource, folder: string | undefined, force: boolean, keys?: readonly string[]): Promise<RestoreView> {
    const { connection } = await this.deps.resolve(source);
    const running = this.current;
    if (running && (running.view.status === 'planning' || running.view.status === 'applying')) {
      if (running.view.status === 'applying') throw new ConnectGuardError('INVALID_INPUT', 'A restore is being applied. Wait until it has finished.');
      running.controller.abort(new ConnectGuardError('CANCELLED', 'A new restore plan replaced this one.'));
    }
    const run: RestoreRun = {
      view: { restoreId: this.newId(), status: 'planning', folder: folder ?? '', bucket: connection.bucket, deleted: 0, changed: 0, bytes: 0, rows: [] },
      source,
      force,
      keys,
      controller: new AbortController(),
    };
    this.current = run;
    const first = run.view;
    const rows: RestorePlanRow[] = [];
    const { signal } = run.controller;
    void this.deps.companion
      .restorePlan(
        { connection, ...(folder !== undefined ? { folder } : {}), ...(force ? { force } : {}), ...(keys ? { keys } : {}) },
        {
          signal,
          onProgress: (progress) => {
            if (this.isCurrent(run, 'planning')) run.view = { ...run.view, progress };
          },
          onRows: (chunk) => {
            for (const row of chunk) {
              if (rows.length >= MAX_PLAN_ROWS) break;
              rows.push({ key: row.key, change: row.change, size: row.size });
            }
          },
        },
      )
      .then(
        (summary) => {
          if (!this.isCurrent(run, 'planning')) return;
          run.view = { ...run.view, status: 'planned', folder: summary.folder, bucket: summary.bucket, deleted: summary.deleted, changed: summary.changed, bytes: summary.bytes, rows };
        },
        (error: unknown) => {
          if (this.isCurrent(run, 'planning')) run.view = { ...run.view, status: 'failed', error: toErrorData(error) };
        },
      );
    return first;
  }

  state(restoreId: string): RestoreView {
    return this.get(restoreId).view;
  }

  /** Applies the planned restore (same backup folder, same `force`) and verifies it. */
  async apply(restoreId: string): Promise<RestoreView> {
    const run = this.get(restoreId);
    if (run.view.status === 'applying' || run.view.status === 'done') return run.view;
    if (run.view.status !== 'planned') throw new ConnectGuardError('INVALID_INPUT', 'Only a finished dry run can be applied. Plan the restore again.');
    const { connection } = await this.deps.resolve(run.source);
    run.controller = new AbortController();
    const { progress: _progress, ...planned } = run.view;
    run.view = { ...planned, status: 'applying' };
    const first = run.view;
    void this.deps.companion
      .restoreApply(
        { connection, folder: run.view.folder, ...(run.force ? { force: true } : {}), ...(run.keys ? { keys: run.keys } : {}) },
        {
          signal: run.controller.signal,
          onProgress: (progress) => {
            if (this.isCurrent(run, 'applying')) run.view = { ...run.view, progress };
          },
        },
      )
      .then(
        (result) => {
          if (!this.isCurrent(run, 'applying')) return;
          const applied = { restored: result.restored, overwritten: result.overwritten, kept: result.kept, verified: result.verified };
          run.view = result.verified
            ? { ...run.view, status: 'done', applied }
            : { ...run.view, status: 'failed', applied, error: { code: 'VERIFY_FAILED', message: 'Restored objects did not read back identically. Run the restore again.' } };
        },
        (error: unknown) => {
          if (this.isCurrent(run, 'applying')) run.view = { ...run.view, status: 'failed', error: toErrorData(error) };
        },
      );
    return first;
  }

  private isCurrent(run: RestoreRun, status: RestoreView['status']): boolean {
    return this.current === run && run.view.status === status;
  }

  private get(restoreId: string): RestoreRun {
    const run = this.current;
    if (run === undefined || run.view.restoreId !== restoreId) {
      throw new ConnectGuardError('NOT_FOUND', 'This restore is no longer in memory (a newer one replaced it, or the browser restarted the extension). Plan the restore again.');
    }
    return run;
  }
}
