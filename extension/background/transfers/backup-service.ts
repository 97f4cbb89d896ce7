/**
 * Backups the background runs through the companion: "Back up now" from the popup, and the
 * backup a connect hold waits for (connect-hold-service.ts). The companion writes the backup to
 * this machine's backup folder and verifies it; a job is `done` only with a verified result.
 *
 * The bucket's secret lives in the run's closure and the companion's request only; a job's state
 * names the bucket by endpoint, name and access key id.
 */
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import type { BucketConnection } from '../../../shared/protocol/views.ts';
import type { AuditRowView, AuditRunData, AuditRunResult, BucketProbeResult, RestoreApplyResult, RestoreData, RestorePlanSummary, RestoreRowView } from '../../../shared/protocol/companion-protocol.ts';
import type { BackupJobState, PreviewConnectionSource } from '../../../shared/protocol/extension-protocol.ts';
import type { BackupResultView, TransferProgressView } from '../../../shared/protocol/views.ts';
import type { ResolvedConnection } from '../preview/resolve-connection-source.ts';

/** `bucket.probe`'s answer: enough of the bucket to know whether it is empty. */
export type BucketProbeView = BucketProbeResult;
export type RestorePlanRow = RestoreRowView;
export type RestoreApplySummary = RestoreApplyResult;
export type RestoreRequestData = Pick<RestoreData, 'connection' | 'folder' | 'force' | 'keys'>;
export type { RestorePlanSummary };

export interface TransferOptions {
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: TransferProgressView) => void;
}

/**
 * The companion's backup and restore requests as the background uses them (start-background.ts
 * maps them onto the native port's `bucket.probe`, `backup.run`, `restore.plan`, `restore.apply`).
 */
export interface TransferCompanion {
  probe(connection: BucketConnection, options: TransferOptions): Promise<BucketProbeView>;
  backup(connection: BucketConnection, options: TransferOptions): Promise<BackupResultView>;
  restorePlan(data: RestoreRequestData, options: TransferOptions & { readonly onRows: (rows: readonly RestorePlanRow[]) => void }): Promise<RestorePlanSummary>;
  restoreApply(data: RestoreRequestData, options: TransferOptions): Promise<RestoreApplySummary>;
  /** The sync review (`audit.run`): findings as rows, then the totals. */
  audit(data: AuditRunData, options: TransferOptions & { readonly onRows: (rows: readonly AuditRowView[]) => void }): Promise<AuditRunResult>;
}

export function bucketView(connection: BucketConnection): BackupJobState['bucket'] {
  return { endpoint: connection.endpoint, bucket: connection.bucket, accessKeyId: connection.accessKeyId };
}

/** One backup run: its state moves from `running` to `done` (verified), `failed` or `cancelled`. */
export class BackupJob {
  private current: BackupJobState;
  private readonly controller = new AbortController();
  /** Settles with the final state; never rejects. */
  readonly finished: Promise<BackupJobState>;

  constructor(
    companion: TransferCompanion,
    connection: BucketConnection,
    backupId: string,
    startedAt: string,
    private readonly onChange: (state: BackupJobState) => void = () => undefined,
  ) {
    this.current = { backupId, status: 'running', bucket: bucketView(connection), startedAt };
    this.finished = this.run(companion, connection);
  }

  get state(): BackupJobState {
    return this.current;
  }

  get running(): boolean {
    return this.current.status === 'running';
  }

  cancel(): BackupJobState {
    if (this.running) {
      this.set({ ...this.current, status: 'cancelled', error: { code: 'CANCELLED', message: 'You cancelled the backup.' } });
      this.controller.abort(new ConnectGuardError('CANCELLED', 'You cancelled the backup.'));
    }
    return this.current;
  }

  private set(state: BackupJobState): void {
    this.current = state;
    this.onChange(state);
  }

  private async run(companion: TransferCompanion, connection: BucketConnection): Promise<BackupJobState> {
    try {
      const result = await companion.backup(connection, {
        signal: this.controller.signal,
        onProgress: (progress) => {
          if (this.running) this.set({ ...this.current, progress });
        },
      });
      if (!this.running) return this.current;
      if (!result.verified) {
        this.set({
          ...this.current,
          status: 'failed',
          result,
          error: { code: 'VERIFY_FAILED', message: `The backup in ${result.folder} did not verify: some files differ from the bucket. Run the backup again.` },
        });
      } else {
        this.set({ ...this.current, status: 'done', result });
      }
    } catch (error) {
      if (this.running) this.set({ ...this.current, status: 'failed', error: toErrorData(error) });
    }
    return this.current;
  }
}

export interface BackupServiceDeps {
  readonly companion: TransferCompanion;
  resolve(source: PreviewConnectionSource): Promise<ResolvedConnection>;
  readonly now?: () => number;
  readonly newId?: () => string;
}

/** "Back up now": one backup at a time from the popup; the latest stays in memory for the popup to reopen on. */
export class BackupService {
  private readonly jobs = new Map<string, BackupJob>();
  private latestId: string | undefined;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: BackupServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => crypto.randomUUID());
  }

  /** Resolves the connection (VAULT_LOCKED, NOT_FOUND, MISSING_CREDENTIALS …) and starts; returns the first state. */
  async start(source: PreviewConnectionSource): Promise<BackupJobState> {
    const { connection } = await this.deps.resolve(source);
    const latest = this.latestId === undefined ? undefined : this.jobs.get(this.latestId);
    if (latest?.running && sameBucket(latest.state.bucket, connection)) return latest.state;
    const backupId = this.newId();
    const job = new BackupJob(this.deps.companion, connection, backupId, new Date(this.now()).toISOString());
    // Only the latest job and running ones are kept.
    for (const [id, old] of this.jobs) if (!old.running) this.jobs.delete(id);
    this.jobs.set(backupId, job);
    this.latestId = backupId;
    return job.state;
  }

  state(backupId: string): BackupJobState {
    return this.get(backupId).state;
  }

  latest(): BackupJobState | null {
    return this.latestId === undefined ? null : (this.jobs.get(this.latestId)?.state ?? null);
  }

  cancel(backupId: string): BackupJobState {
    return this.get(backupId).cancel();
  }

  private get(backupId: string): BackupJob {
    const job = this.jobs.get(backupId);
    if (job === undefined) {
      throw new ConnectGuardError('NOT_FOUND', 'This backup is no longer in memory (a newer one replaced it, or the browser restarted the extension). Start "Back up now" again.');
    }
    return job;
  }
}

function sameBucket(view: BackupJobState['bucket'], connection: BucketConnection): boolean {
  return view.endpoint === connection.endpoint && view.bucket === connection.bucket && view.accessKeyId === connection.accessKeyId;
}
