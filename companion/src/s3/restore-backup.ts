import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encryptionOf, isSinglePartEtag, type BackupHeader, type BackupManifestEntry, type ObjectEncryption } from '../../../shared/backup/backup-manifest.ts';
import { RestoreTally, needsContentCheck, planRestoreRow, type RestoreRow, type RestoreTotals } from '../../../shared/backup/restore-plan.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { objectFilePath, readBackupHeader, readBackupManifest } from '../backup/backup-folder.ts';
import { TransferProgressCounter, type TransferProgress } from '../backup/transfer-progress.ts';
import { classifyS3Error, isRetryableS3Error, s3HttpStatus } from './classify-s3-error.ts';
import { hashObjectsContent } from './hash-object-content.ts';
import { uploadFileMultipart } from './upload-file-multipart.ts';
import { listBucketObjects } from './list-bucket-objects.ts';

export type RestorePhase = 'listing' | 'restoring' | 'verifying';
export type RestoreProgress = TransferProgress<RestorePhase>;

export interface PlanRestoreInput {
  readonly client: S3Client;
  /** A backup folder written by `backupBucket` (status complete or verified). */
  readonly folder: string;
  /** The bucket to restore into. Default: the bucket the backup was taken from. */
  readonly bucket?: string;
  /** Overwrite objects changed since the backup. */
  readonly force?: boolean;
  /** Restore deleted objects only. */
  readonly onlyMissing?: boolean;
  /**
   * Only these keys (the review's selection of unexpected losses and overwrites); a changed one
   * among them is overwritten, since the user chose it.
   */
  readonly keys?: ReadonlySet<string>;
  /** Named in messages. */
  readonly endpoint?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: RestoreProgress) => void;
  readonly progressIntervalMs?: number;
}

/** What a restore would do: deleted and changed objects (unchanged ones are only counted). */
export interface RestorePlan {
  readonly folder: string;
  readonly header: BackupHeader;
  readonly bucket: string;
  readonly force: boolean;
  readonly onlyMissing: boolean;
  /** Deleted and changed objects, in key order. */
  readonly rows: readonly RestoreRow[];
  readonly totals: RestoreTotals;
  /** Changed objects left as they are (no force). */
  readonly keptKeys: readonly string[];
}

export interface ApplyRestoreInput {
  readonly client: S3Client;
  readonly plan: RestorePlan;
  /** Uploads in flight. Default 16. */
  readonly concurrency?: number;
  /** HEAD every written object afterwards and match size and MD5/ETag. Default true. */
  readonly verify?: boolean;
  /**
   * Files larger than this are uploaded in parts (streamed, one part in memory). Default 5 GiB,
   * S3's limit for a single PutObject.
   */
  readonly multipartThresholdBytes?: number;
  /** Preferred part size of those uploads. Default 64 MiB (more where 10,000 parts would not do). */
  readonly partSizeBytes?: number;
  readonly endpoint?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: RestoreProgress) => void;
  readonly progressIntervalMs?: number;
}

export interface ApplyRestoreOutput {
  /** Deleted objects put back. */
  readonly restored: readonly string[];
  /** Changed objects overwritten (force). */
  readonly overwritten: readonly string[];
  /** Changed objects left as they are: in the plan, or changed between the plan and the write. */
  readonly kept: readonly string[];
  readonly bytes: number;
  readonly verified: boolean;
  readonly elapsedMs: number;
}

/** S3's limit for one PutObject / CopyObject. */
const SINGLE_REQUEST_LIMIT = 5 * 1024 ** 3;
const DEFAULT_PART_SIZE = 64 * 1024 * 1024;
const READ_WHOLE = 8 * 1024 * 1024;
const ATTEMPTS = 4;

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '') || undefined;
}

/**
 * Compares a backup with its bucket as it is now and plans the restore (a dry run). An object is
 * unchanged when it holds what the backup proved: equal size and ETag, or an ETag equal to the
 * MD5 the backup computed, or else (multipart and encrypted objects, whose ETags are not MD5s)
 * the SHA-256 of its content, read from the bucket, equal to the backup's.
 *
 * @throws ConnectGuardError `INVALID_INPUT` for a folder that is not a finished backup; S3
 *   failures classified by `classifyS3Error`; `CANCELLED`.
 */
export async function planRestore(input: PlanRestoreInput): Promise<RestorePlan> {
  const header = await readBackupHeader(input.folder);
  if (header.status !== 'verified' && header.status !== 'complete') {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `The backup in ${input.folder} is ${header.status === 'in-progress' ? 'unfinished' : header.status}: it cannot be restored. Run "connect-guard backup" again to finish it, or choose another backup.`,
    );
  }
  const bucket = input.bucket ?? header.bucket;
  const current = new Map<string, InventoryEntry>();
  const listing = new TransferProgressCounter<RestorePhase>('listing', input);
  for await (const entry of listBucketObjects({
    client: input.client,
    bucket,
    ...(header.prefix ? { prefix: header.prefix } : {}),
    ...(input.endpoint ? { endpoint: input.endpoint } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  })) {
    current.set(entry.key, entry);
    listing.objects++;
    listing.bytes += entry.size;
    listing.report();
  }
  listing.report(true);
  const tally = new RestoreTally();
  const rows: RestoreRow[] = [];
  const keptKeys: string[] = [];
  const options = { force: input.force === true || input.keys !== undefined, onlyMissing: input.onlyMissing === true };
  const entries: BackupManifestEntry[] = [];
  for await (const entry of readBackupManifest(input.folder)) {
    // A review's restore selection plans exactly its keys.
    if (input.keys === undefined || input.keys.has(entry.key)) entries.push(entry);
  }
  const selected = entries.length;
  const toHash = entries.flatMap((entry) => {
    const now = current.get(entry.key);
    return now !== undefined && needsContentCheck(entry, now) ? [entry.key] : [];
  });
  let hashes: Map<string, string>;
  try {
    hashes = await hashObjectsContent(input.client, bucket, toHash, input.signal);
  } catch (error) {
    if (input.signal?.aborted) throw new ConnectGuardError('CANCELLED', 'Restore preview cancelled.');
    throw classifyS3Error(error, { bucket, ...(input.endpoint ? { endpoint: input.endpoint } : {}) });
  }
  for (const entry of entries) {
    const row = planRestoreRow(entry, current.get(entry.key), options, hashes.get(entry.key));
    tally.add(row);
    if (row.state !== 'unchanged') rows.push(row);
    if (row.action === 'keep') keptKeys.push(row.key);
  }
  if (input.keys !== undefined && input.keys.size > 0 && selected === 0) {
    throw new ConnectGuardError('INVALID_INPUT', `None of the ${input.keys.size} selected keys is in the backup in ${input.folder}: choose the backup taken before the connect.`);
  }
  return { folder: input.folder, header, bucket, ...options, rows, totals: tally.totals, keptKeys };
}

async function withRetries<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (signal.aborted || attempt >= ATTEMPTS || !isRetryableS3Error(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 200 * 2 ** attempt));
    }
  }
}

async function headObject(client: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<{ size: number; etag?: string; encryption?: ObjectEncryption } | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    const etag = unquote(head.ETag);
    const encryption = encryptionOf(head.ServerSideEncryption, head.SSECustomerAlgorithm);
    return { size: head.ContentLength ?? 0, ...(etag ? { etag } : {}), ...(encryption ? { encryption } : {}) };
  } catch (error) {
    if (s3HttpStatus(error) === 404) return undefined;
    throw error;
  }
}

/** Whether the object is still as the plan saw it (so the plan's decision still holds). */
function unchangedSincePlan(row: RestoreRow, now: { size: number; etag?: string } | undefined): boolean {
  if (row.current === undefined) return now === undefined;
  return now !== undefined && now.size === row.current.size && now.etag === row.current.etag;
}

/** The ETag a correct write of this entry has, when it can be known. */
function expectedEtag(entry: BackupManifestEntry): string | undefined {
  if (entry.md5 !== undefined) return entry.md5;
  return isSinglePartEtag(entry.etag) ? entry.etag : undefined;
}

/**
 * Carries out a plan: puts back deleted objects and (with force) overwrites changed ones, from
 * the backup's files (with Content-MD5, so the server rejects a damaged read) or, for a backup
 * into another bucket, by server-side copy. Files over 5 GiB (S3's limit for one request) are
 * streamed as multipart uploads, with progress per part. Each object is checked again just
 * before it is written: one that changed since the plan is kept unless force was given. Then
 * every written object is checked with HEAD: size, and ETag = MD5 of the backup's bytes (for a
 * multipart upload, the ETag its parts' MD5s give).
 *
 * @throws ConnectGuardError `VERIFY_FAILED` naming objects that did not verify; S3 failures
 *   classified by `classifyS3Error`; `INVALID_INPUT` for a copy over 5 GiB between buckets;
 *   `CANCELLED`.
 */
export async function applyRestore(input: ApplyRestoreInput): Promise<ApplyRestoreOutput> {
  const started = Date.now();
  const { plan } = input;
  const concurrency = Math.max(1, input.concurrency ?? 16);
  const abort = new AbortController();
  setMaxListeners(concurrency * 4 + 32, abort.signal);
  const onOuterAbort = (): void => abort.abort(input.signal?.reason);
  if (input.signal?.aborted) throw new ConnectGuardError('CANCELLED', 'Restore cancelled.');
  input.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const context = { bucket: plan.bucket, ...(input.endpoint ? { endpoint: input.endpoint } : {}) };
  const todo = plan.rows.filter((row) => row.action === 'restore' || row.action === 'overwrite');
  const multipartThreshold = Math.min(SINGLE_REQUEST_LIMIT, input.multipartThresholdBytes ?? SINGLE_REQUEST_LIMIT);
  const target = plan.header.target;
  const big = target.kind === 'bucket' ? todo.find((row) => row.backup.size > SINGLE_REQUEST_LIMIT) : undefined;
  if (big && target.kind === 'bucket') {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `${JSON.stringify(big.key)} is larger than 5 GiB, the most one server-side copy can move; restoring it from a backup kept in another bucket is not supported. Copy it back with a multipart tool (e.g. rclone copy) from ${target.bucket}.`,
    );
  }
  /** ETags of multipart uploads, for the check after the restore. */
  const multipartEtags = new Map<string, string>();
  const restored: string[] = [];
  const overwritten: string[] = [];
  const kept: string[] = [...plan.keptKeys];
  const written: RestoreRow[] = [];
  let bytes = 0;
  const progress = new TransferProgressCounter<RestorePhase>(
    'restoring',
    input,
    todo.length,
    todo.reduce((sum, row) => sum + row.backup.size, 0),
  );

  const writeOne = async (row: RestoreRow): Promise<void> => {
    const entry = row.backup;
    const now = await headObject(input.client, plan.bucket, row.key, abort.signal);
    if (!unchangedSincePlan(row, now) && !plan.force) {
      kept.push(row.key);
      return;
    }
    if (plan.header.target.kind === 'bucket') {
      const source = `${plan.header.target.bucket}/${encodeURIComponent(entry.copyKey ?? entry.key).replaceAll('%2F', '/')}`;
      await withRetries(abort.signal, () => input.client.send(new CopyObjectCommand({ Bucket: plan.bucket, Key: row.key, CopySource: source }), { abortSignal: abort.signal }));
    } else {
      if (entry.path === undefined) throw new ConnectGuardError('INVALID_INPUT', `The manifest of ${plan.folder} names no file for ${JSON.stringify(row.key)}: the backup is damaged.`);
      const path = objectFilePath(plan.folder, entry.path);
      if (entry.size > multipartThreshold) {
        const uploaded = await uploadFileMultipart({
          client: input.client,
          bucket: plan.bucket,
          key: row.key,
          path,
          size: entry.size,
          partSize: input.partSizeBytes ?? DEFAULT_PART_SIZE,
          ...(entry.contentType ? { contentType: entry.contentType } : {}),
          ...(entry.metadata ? { metadata: entry.metadata } : {}),
          signal: abort.signal,
          onPart: (partBytes) => {
            progress.bytes += partBytes;
            progress.report();
          },
        });
        multipartEtags.set(row.key, uploaded.etag);
        return done(row, now, entry.size);
      }
      const small = entry.size <= READ_WHOLE ? await readFile(path) : undefined;
      await withRetries(abort.signal, () =>
        input.client.send(
          new PutObjectCommand({
            Bucket: plan.bucket,
            Key: row.key,
            Body: small ?? createReadStream(path),
            ContentLength: entry.size,
            ...(entry.md5 ? { ContentMD5: Buffer.from(entry.md5, 'hex').toString('base64') } : {}),
            ...(entry.contentType ? { ContentType: entry.contentType } : {}),
            ...(entry.metadata ? { Metadata: { ...entry.metadata } } : {}),
          }),
          { abortSignal: abort.signal },
        ),
      );
    }
    return done(row, now, 0);
  };
  /** Bookkeeping of a written object; `bytesReported` of it already counted in the progress. */
  const done = (row: RestoreRow, now: { size: number } | undefined, bytesReported: number): void => {
    written.push(row);
    bytes += row.backup.size;
    progress.bytes -= bytesReported;
    if (row.current === undefined && now === undefined) restored.push(row.key);
    else overwritten.push(row.key);
  };

  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && !abort.signal.aborted) {
      const row = todo[next++];
      if (!row) return;
      try {
        await writeOne(row);
      } catch (error) {
        failure ??= error;
        abort.abort(error);
        return;
      }
      progress.objects++;
      progress.bytes += row.backup.size;
      progress.report();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
    if (input.signal?.aborted) throw new ConnectGuardError('CANCELLED', `Restore cancelled after ${restored.length + overwritten.length} objects. Run it again: objects already restored show as unchanged.`);
    if (failure !== undefined) throw failure instanceof ConnectGuardError ? failure : classifyS3Error(failure, context);
    progress.report(true);

    let verified = false;
    if (input.verify !== false) {
      const verifying = new TransferProgressCounter<RestorePhase>('verifying', input, written.length, bytes);
      const failures: string[] = [];
      for (const row of written) {
        const now = await headObject(input.client, plan.bucket, row.key, abort.signal);
        const expected = expectedEtag(row.backup);
        const expectedMultipart = multipartEtags.get(row.key);
        if (!now) failures.push(`${JSON.stringify(row.key)} (missing)`);
        else if (now.size !== row.backup.size) failures.push(`${JSON.stringify(row.key)} (size ${now.size}, expected ${row.backup.size})`);
        // A bucket that encrypts with KMS by default gives the written object an ETag that is not
        // its MD5; the server checked the bytes on receipt (Content-MD5), the size is checked here.
        else if (now.encryption !== undefined) {
          // Nothing more the ETag can tell.
        } else if (expectedMultipart !== undefined) {
          if (now.etag !== expectedMultipart && /-\d+$/.test(now.etag ?? '')) failures.push(`${JSON.stringify(row.key)} (ETag ${now.etag}, expected ${expectedMultipart})`);
        }
        else if (expected !== undefined && now.etag !== expected && isSinglePartEtag(now.etag)) failures.push(`${JSON.stringify(row.key)} (ETag ${now.etag}, expected ${expected})`);
        verifying.objects++;
        verifying.bytes += row.backup.size;
        verifying.report();
      }
      verifying.report(true);
      if (failures.length > 0) {
        throw new ConnectGuardError('VERIFY_FAILED', `${failures.length} restored objects did not verify: ${failures.slice(0, 5).join(', ')}${failures.length > 5 ? ', …' : ''}. Run the restore again.`);
      }
      verified = true;
    }
    return { restored, overwritten, kept, bytes, verified, elapsedMs: Date.now() - started };
  } catch (error) {
    if (error instanceof ConnectGuardError) throw error;
    if (input.signal?.aborted) throw new ConnectGuardError('CANCELLED', 'Restore cancelled.');
    throw classifyS3Error(error, context);
  } finally {
    input.signal?.removeEventListener('abort', onOuterAbort);
  }
}
