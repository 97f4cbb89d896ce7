import { isAbsolute } from 'node:path';
import type { BackupMultipartUploads } from '../../../shared/backup/backup-manifest.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { BackupResultView, BucketConnection, MultipartUploadsView, TransferProgressView } from '../../../shared/protocol/views.ts';
import type { BackupRunData, BucketProbeData, BucketProbeResult, RestoreApplyResult, RestoreData, RestorePlanSummary, RestoreRowView } from '../../../shared/protocol/companion-protocol.ts';
import { defaultBackupRoot, findBackups, readBackupHeader } from '../backup/backup-folder.ts';
import { saveBackupPlan } from '../audit/save-backup-plan.ts';
import { backupBucket } from '../s3/backup-bucket.ts';
import { probeBucket } from '../s3/probe-bucket.ts';
import { applyRestore, planRestore, type RestorePlan } from '../s3/restore-backup.ts';
import { createS3Client, type S3Client } from '../s3/s3-client.ts';
import type { RequestContext } from './serve-native-host.ts';

/** Progress events at most this often: the extension redraws a frame, not a terminal. */
export const TRANSFER_PROGRESS_INTERVAL_MS = 250;

/** Keys of in-progress uploads named in a reply (the message shows a few; the count tells the rest). */
const MAX_UPLOAD_KEYS = 20;

/** Restore rows per chunk event (each well under the chunk size limit even with long keys). */
const ROWS_PER_CHUNK = 1000;

/** Environment variable naming the backups folder when a request names none. */
export const BACKUP_ROOT_ENV = 'CONNECT_GUARD_BACKUP_ROOT';

/** The S3 client of one request: the only place the secret lives while the request runs. */
function clientFor(connection: BucketConnection): S3Client {
  return createS3Client({
    endpoint: connection.endpoint,
    accessKeyId: connection.accessKeyId,
    secretAccessKey: connection.secretAccessKey,
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
  });
}

function absoluteFolder(path: string | undefined, field: string): string | undefined {
  if (path === undefined) return undefined;
  if (!isAbsolute(path)) throw new ConnectGuardError('INVALID_INPUT', `"${field}" must be an absolute folder path (got a relative one). Choose the folder again.`);
  return path;
}

/** The request's root, else `CONNECT_GUARD_BACKUP_ROOT`, else `~/ConnectGuard/backups`. */
export function backupRoot(root: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = absoluteFolder(root, 'root');
  if (given !== undefined) return given;
  const fromEnv = env[BACKUP_ROOT_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return absoluteFolder(fromEnv, BACKUP_ROOT_ENV) ?? fromEnv;
  return defaultBackupRoot();
}

function uploadsView(status: BackupMultipartUploads | { readonly supported: true; readonly keys: readonly string[] }): MultipartUploadsView {
  if (!status.supported) return { supported: false, count: 0, keys: [] };
  const count = 'count' in status ? status.count : status.keys.length;
  return { supported: true, count, keys: status.keys.slice(0, MAX_UPLOAD_KEYS) };
}

/** Sends library progress events on; the host drops them once the request has ended. */
function forward(context: RequestContext<'backup.run' | 'restore.plan' | 'restore.apply'>): (event: TransferProgressView) => void {
  return (event) => {
    void context.progress(event);
  };
}

/** Whether the bucket holds anything (an empty one needs no backup before connecting). */
export async function probeBucketRequest({ connection }: BucketProbeData, context: RequestContext<'bucket.probe'>): Promise<BucketProbeResult> {
  const client = clientFor(connection);
  try {
    const probe = await probeBucket({ client, bucket: connection.bucket, endpoint: connection.endpoint, signal: context.signal });
    const uploads = probe.multipartUploads;
    return {
      objects: probe.objects,
      hasMore: probe.hasMore,
      multipartUploads: uploads.supported ? uploadsView({ supported: true, keys: uploads.uploads.map((upload) => upload.key) }) : { supported: false, count: 0, keys: [] },
    };
  } finally {
    client.destroy();
  }
}

/**
 * Backups still running (or winding down) per backups folder and bucket. A cancelled request is
 * answered at once while its backup still records where it stopped; a retry must not resume that
 * folder until then, or two runs would write it at once.
 */
const runningBackups = new Map<string, Promise<unknown>>();

async function afterPrevious<T>(key: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  const previous = runningBackups.get(key);
  const mine = (async () => {
    if (previous) await previous.catch(() => undefined);
    if (signal.aborted) throw new ConnectGuardError('CANCELLED', 'Backup cancelled.');
    return run();
  })();
  runningBackups.set(key, mine);
  try {
    return await mine;
  } finally {
    if (runningBackups.get(key) === mine) runningBackups.delete(key);
  }
}

/** An incremental, verified backup to this machine, resuming an unfinished one as the CLI does. */
export async function runBackup(data: BackupRunData, context: RequestContext<'backup.run'>): Promise<BackupResultView> {
  const root = backupRoot(data.root);
  return afterPrevious(`${root}\u0000${data.connection.bucket}`, context.signal, () => backupTo(root, data, context));
}

async function backupTo(root: string, data: BackupRunData, context: RequestContext<'backup.run'>): Promise<BackupResultView> {
  const { connection } = data;
  const folder = absoluteFolder(data.folder, 'folder');
  const client = clientFor(connection);
  try {
    const result = await backupBucket({
      client,
      bucket: connection.bucket,
      endpoint: connection.endpoint,
      root,
      ...(folder !== undefined ? { folder } : {}),
      resume: 'auto',
      incremental: true,
      verify: true,
      signal: context.signal,
      onProgress: forward(context),
      progressIntervalMs: TRANSFER_PROGRESS_INTERVAL_MS,
    });
    // The plan of the connect this backup protects: the bucket as backed up against the WeSendit
    // side last previewed. A backup without it is still a backup; the review then says so.
    const plan = result.verified ? await saveBackupPlan({ folder: result.folder, header: await readBackupHeader(result.folder), root }).catch(() => undefined) : undefined;
    return {
      ...(plan ? { plan } : {}),
      folder: result.folder,
      objects: result.objects,
      bytes: result.bytes,
      transferred: result.transferred,
      linked: result.linked,
      resumed: result.resumed,
      verified: result.verified,
      elapsedMs: result.elapsedMs,
      multipartUploads: uploadsView(result.multipartUploads),
    };
  } finally {
    client.destroy();
  }
}

/** The backup to restore: the one named, else the newest finished backup of the bucket under the root. */
async function chooseBackup(data: RestoreData): Promise<string> {
  const { bucket } = data.connection;
  const named = absoluteFolder(data.folder, 'folder');
  if (named !== undefined) {
    const header = await readBackupHeader(named);
    if (header.bucket !== bucket) {
      throw new ConnectGuardError('INVALID_INPUT', `The backup in ${named} is of bucket ${header.bucket}, not of ${bucket}. Choose a backup of ${bucket}.`);
    }
    return named;
  }
  const root = backupRoot(data.root);
  const found = (await findBackups(root, bucket)).find((backup) => backup.header.status === 'verified' || backup.header.status === 'complete');
  if (!found) throw new ConnectGuardError('NOT_FOUND', `No backup of bucket ${bucket} under ${root}. Back up first.`);
  return found.folder;
}

async function plan(data: RestoreData, client: S3Client, context: RequestContext<'restore.plan' | 'restore.apply'>): Promise<RestorePlan> {
  const folder = await chooseBackup(data);
  return planRestore({
    client,
    folder,
    bucket: data.connection.bucket,
    endpoint: data.connection.endpoint,
    force: data.force === true,
    ...(data.keys ? { keys: new Set(data.keys) } : {}),
    signal: context.signal,
    onProgress: forward(context),
    progressIntervalMs: TRANSFER_PROGRESS_INTERVAL_MS,
  });
}

/** Dry run: the objects deleted or changed since the backup, streamed as rows. */
export async function planRestoreRequest(data: RestoreData, context: RequestContext<'restore.plan'>): Promise<RestorePlanSummary> {
  const client = clientFor(data.connection);
  try {
    const planned = await plan(data, client, context);
    let batch: RestoreRowView[] = [];
    for (const row of planned.rows) {
      if (row.state === 'unchanged') continue;
      batch.push({ key: row.key, change: row.state, size: row.backup.size });
      if (batch.length >= ROWS_PER_CHUNK) {
        await context.chunk(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await context.chunk(batch);
    const { totals } = planned;
    return { folder: planned.folder, bucket: planned.bucket, deleted: totals.deleted, changed: totals.changed, bytes: totals.bytesToWrite, kept: totals.kept };
  } finally {
    client.destroy();
  }
}

/** Plans against the bucket as it is now, puts the objects back, and verifies them. */
export async function applyRestoreRequest(data: RestoreData, context: RequestContext<'restore.apply'>): Promise<RestoreApplyResult> {
  const started = Date.now();
  const client = clientFor(data.connection);
  try {
    const planned = await plan(data, client, context);
    const result = await applyRestore({
      client,
      plan: planned,
      endpoint: data.connection.endpoint,
      signal: context.signal,
      onProgress: forward(context),
      progressIntervalMs: TRANSFER_PROGRESS_INTERVAL_MS,
    });
    return {
      folder: planned.folder,
      restored: result.restored.length,
      overwritten: result.overwritten.length,
      kept: result.kept.length,
      bytes: result.bytes,
      verified: result.verified,
      elapsedMs: Date.now() - started,
    };
  } finally {
    client.destroy();
  }
}
