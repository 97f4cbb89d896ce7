import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { basename, dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  JOURNAL_FILE,
  OBJECTS_FOLDER,
  type BackupHeader,
  type BackupManifestEntry,
  type BackupMultipartUploads,
  type BackupTarget,
} from '../../../shared/backup/backup-manifest.ts';
import { encodeKeyPath } from '../../../shared/backup/key-path.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { FolderMaker, SpaceReserve, linkOrCopy, objectFilePath, objectPathBudget, readBackupJournal, writeBackupHeader, writeBackupManifest } from '../backup/backup-folder.ts';
import { BackupJournal, canSyncFileSystem } from '../backup/backup-journal.ts';
import { checkFreeSpace, chooseBackupFolder, diskFullError, isDiskFull, planBackupObjects, type FreeSpace } from '../backup/backup-plan.ts';
import { TransferProgressCounter, type TransferProgress } from '../backup/transfer-progress.ts';
import { classifyS3Error } from './classify-s3-error.ts';
import { copyKeyFor, copyToBucket } from './copy-to-bucket.ts';
import { downloadObject, sdkObjectReader } from './download-object.ts';
import { listBucketObjects } from './list-bucket-objects.ts';
import { listMultipartUploads } from './list-multipart-uploads.ts';
import { createSignedObjectReader } from './signed-object-reader.ts';
import { verifyBackupFolder } from './verify-backup.ts';

export type BackupPhase = 'listing' | 'copying' | 'verifying';

/** One progress event of a backup. Totals are known once the listing is done. */
export type BackupProgress = TransferProgress<BackupPhase>;

export interface BackupBucketInput {
  readonly client: S3Client;
  readonly bucket: string;
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** Named in the header and in messages (never with credentials). */
  readonly endpoint?: string;
  /** Backups go to `<root>/<bucket>/<UTC timestamp>/`. Default `~/ConnectGuard/backups`. */
  readonly root?: string;
  /** An exact backup folder instead (resumed when it holds an unfinished backup). */
  readonly folder?: string;
  /**
   * `auto` (default): resume the newest backup of the bucket when it is unfinished. `never`:
   * always start a new folder.
   */
  readonly resume?: 'auto' | 'never';
  /** Server-side copy into this bucket/prefix instead of files; the folder keeps header and manifest. */
  readonly toBucket?: { readonly bucket: string; readonly prefix?: string };
  /** Hard-link objects whose ETag and size match the newest verified backup. Default true. */
  readonly incremental?: boolean;
  /** GETs (or copies) in flight. Default 64. */
  readonly concurrency?: number;
  /** Re-read every file and match the manifest. Default true. */
  readonly verify?: boolean;
  /** Make every file durable before it is journaled (one syncfs per batch on Linux, else fdatasync per file). Default true. */
  readonly fsync?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: BackupProgress) => void;
  /** Minimum ms between progress events of a phase (its last is always sent). Default 200. */
  readonly progressIntervalMs?: number;
  /** Bytes free where the folder will be. Default: statfs. */
  readonly freeSpace?: FreeSpace;
  readonly now?: () => Date;
}

export interface BackupBucketOutput {
  readonly folder: string;
  readonly header: BackupHeader;
  readonly objects: number;
  readonly bytes: number;
  /** Downloaded (or copied server-side) by this run. */
  readonly transferred: number;
  readonly transferredBytes: number;
  /** Linked from the previous backup. */
  readonly linked: number;
  /** Already finished by an interrupted run of this folder. */
  readonly resumed: number;
  /** Files an interrupted verification of this folder had already matched (not read again). */
  readonly verifiedEarlier: number;
  readonly resumedFrom?: string;
  readonly previousBackup?: string;
  readonly multipartUploads: BackupMultipartUploads;
  readonly elapsedMs: number;
  readonly verified: boolean;
}

function cancelled(): ConnectGuardError {
  return new ConnectGuardError('CANCELLED', 'Backup cancelled. Run the same backup again to resume it: finished objects are not fetched again.');
}

/**
 * Backs a bucket up to a local folder (default `~/ConnectGuard/backups/<bucket>/<UTC time>/`)
 * or, by server-side copy, into another bucket; writes the manifest and verifies it.
 *
 * Steps: list the bucket (and in-progress multipart uploads); check free space before anything
 * is written; resume the journal of an interrupted run; hard-link objects whose ETag and size
 * match the newest verified backup; download the rest with bounded concurrency (temporary file,
 * SHA-256 and MD5 while writing, fsync, rename, then a journal line); write `manifest.ndjson`;
 * re-read every file (size, SHA-256, and MD5 = ETag for single-part objects). The header's
 * status goes `in-progress` → `complete` → `verified`; a failed or cancelled run says so and
 * can be resumed.
 *
 * @throws ConnectGuardError: S3 failures classified by `classifyS3Error`; `INVALID_INPUT` for
 *   too little disk space (before anything is written) or a bad folder; `VERIFY_FAILED`;
 *   `CANCELLED` when `signal` aborts.
 */
export async function backupBucket(input: BackupBucketInput): Promise<BackupBucketOutput> {
  const started = Date.now();
  const startedAt = input.now?.() ?? new Date();
  const concurrency = Math.max(1, input.concurrency ?? 64);
  const abort = new AbortController();
  setMaxListeners(concurrency * 4 + 32, abort.signal);
  const onOuterAbort = (): void => abort.abort(input.signal?.reason);
  if (input.signal?.aborted) throw cancelled();
  input.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const context = { bucket: input.bucket, ...(input.endpoint ? { endpoint: input.endpoint } : {}) };
  if (input.toBucket && input.toBucket.bucket === input.bucket && (input.toBucket.prefix ?? '') === '') {
    throw new ConnectGuardError('INVALID_INPUT', `A backup of ${input.bucket} cannot be copied onto itself. Give another bucket, or a prefix inside it (e.g. --to-bucket ${input.bucket}/connect-guard-backup/).`);
  }

  /** Set once the folder is known: names the disk when it fills up. */
  let diskFull: ((cause: unknown) => ConnectGuardError) | undefined;
  try {
    // 1. List (nothing is written before the listing and the space check).
    const listing = new TransferProgressCounter<BackupPhase>('listing', input);
    const entries: InventoryEntry[] = [];
    const uploadsPromise = listMultipartUploads(input.client, input.bucket, abort.signal);
    uploadsPromise.catch(() => undefined);
    for await (const entry of listBucketObjects({
      client: input.client,
      bucket: input.bucket,
      signal: abort.signal,
      ...(input.prefix ? { prefix: input.prefix } : {}),
      ...(input.endpoint ? { endpoint: input.endpoint } : {}),
    })) {
      // A copy into the same bucket must not back up its own earlier copies.
      if (input.toBucket && input.toBucket.bucket === input.bucket && entry.key.startsWith(copyKeyFor(input.toBucket.prefix ?? '', ''))) continue;
      entries.push(entry);
      listing.objects++;
      listing.bytes += entry.size;
      listing.report();
    }
    listing.report(true);
    const uploadsResult = await uploadsPromise;
    const multipartUploads: BackupMultipartUploads = uploadsResult.supported
      ? { supported: true, count: uploadsResult.uploads.length, keys: uploadsResult.uploads.map((upload) => upload.key) }
      : { supported: false, reason: uploadsResult.reason };

    const { folder, resuming, previous } = await chooseBackupFolder(input, startedAt);
    const target: BackupTarget = input.toBucket ? { kind: 'bucket', bucket: input.toBucket.bucket, prefix: input.toBucket.prefix ?? '' } : { kind: 'folder' };
    const journaled = resuming ? await readBackupJournal(folder) : new Map<string, BackupManifestEntry>();

    // 2. Decide per object: already done (journal), link (previous backup), or transfer.
    const { plans, bytesToWrite } = await planBackupObjects({ entries, folder, target, journaled, ...(previous ? { previousFolder: previous.folder } : {}) });

    // 3. Space, before the first byte is written.
    if (target.kind === 'folder') await checkFreeSpace({ folder, bucket: input.bucket, objects: entries.length, bytesToWrite, freeSpace: input.freeSpace });

    await mkdir(join(folder, OBJECTS_FOLDER), { recursive: true });
    const reserve = target.kind === 'folder' ? await SpaceReserve.create(folder) : undefined;
    const partialFolder = join(folder, '.partial');
    await rm(partialFolder, { recursive: true, force: true });
    await mkdir(partialFolder, { recursive: true });
    let header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      bucket: input.bucket,
      ...(input.endpoint ? { endpoint: input.endpoint } : {}),
      ...(input.prefix ? { prefix: input.prefix } : {}),
      target,
      startedAt: resuming?.startedAt ?? startedAt.toISOString(),
      status: 'in-progress',
      ...(previous ? { previousBackup: basename(previous.folder) } : {}),
      multipartUploads,
    };
    await writeBackupHeader(folder, header);
    const batchSync = input.fsync !== false && target.kind === 'folder' && (await canSyncFileSystem(folder));
    const durability = input.fsync === false ? 'none' : batchSync ? 'batch' : 'each';
    const journal = await BackupJournal.open(join(folder, JOURNAL_FILE), folder, batchSync);

    // 4. Transfer with bounded concurrency.
    const results: (BackupManifestEntry | undefined)[] = new Array<BackupManifestEntry | undefined>(entries.length);
    const totalBytes = entries.reduce((sum, entry) => sum + entry.size, 0);
    const copying = new TransferProgressCounter<BackupPhase>('copying', input, entries.length, totalBytes);
    const folders = new FolderMaker();
    let transferred = 0;
    let transferredBytes = 0;
    let linked = 0;
    let resumed = 0;
    let next = 0;
    let failure: unknown;
    diskFull = (cause) => diskFullError({ folder, bytesStillNeeded: Math.max(0, bytesToWrite - transferredBytes), objectsKept: resumed + linked + transferred, cause });
    const temporaryBase = randomBytes(4).toString('hex');
    // A key whose readable path would not fit the file system gets a hashed one; the manifest keeps it.
    const pathBudget = objectPathBudget(folder);
    const signedReader = target.kind === 'folder' ? await createSignedObjectReader(input.client, concurrency) : undefined;
    const readObject = signedReader?.read ?? sdkObjectReader(input.client);
    const work = async (index: number): Promise<void> => {
      const entry = entries[index];
      const plan = plans[index];
      if (!entry || !plan) return;
      if (plan.kind === 'resumed') {
        results[index] = plan.entry;
        resumed++;
        return;
      }
      if (target.kind === 'bucket') {
        const done = await copyToBucket({ client: input.client, bucket: input.bucket, entry, target, signal: abort.signal });
        await journal.append(done);
        results[index] = done;
        transferred++;
        transferredBytes += entry.size;
        return;
      }
      const path = `${OBJECTS_FOLDER}/${encodeKeyPath(entry.key, pathBudget)}`;
      const final = objectFilePath(folder, path);
      await folders.ensure(dirname(final));
      if (plan.kind === 'link') {
        await linkOrCopy(objectFilePath(previous?.folder ?? folder, plan.from.path ?? path), final);
        const done: BackupManifestEntry = { ...plan.from, path, ...(entry.lastModified ? { lastModified: entry.lastModified } : {}) };
        await journal.append(done);
        results[index] = done;
        linked++;
        return;
      }
      const written = await downloadObject({ readObject, bucket: input.bucket, entry, temporary: join(partialFolder, `${temporaryBase}-${index}`), final, durability, signal: abort.signal });
      const done: BackupManifestEntry = { key: entry.key, path, ...written };
      await journal.append(done);
      results[index] = done;
      transferred++;
      transferredBytes += written.size;
    };
    const worker = async (): Promise<void> => {
      while (failure === undefined && !abort.signal.aborted) {
        const index = next++;
        if (index >= entries.length) return;
        try {
          await work(index);
        } catch (error) {
          failure ??= error;
          abort.abort(error);
          return;
        }
        copying.objects++;
        copying.bytes += entries[index]?.size ?? 0;
        copying.report();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, entries.length)) }, worker));
    } finally {
      signedReader?.destroy();
      // Room for the journal lines of what is on disk, and for the header below.
      await reserve?.release();
      try {
        await journal.close();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined || abort.signal.aborted) {
      const userCancelled = input.signal?.aborted === true;
      const error = userCancelled ? cancelled() : isDiskFull(failure) ? diskFull(failure) : classifyS3Error(failure, context);
      // The error matters more than a header that cannot be written (the header says "in-progress" then, which resumes too).
      await writeBackupHeader(folder, { ...header, status: userCancelled ? 'cancelled' : 'failed', error: error.message }).catch(() => undefined);
      throw error;
    }
    copying.report(true);
    await rm(partialFolder, { recursive: true, force: true });

    // 5. Objects an interrupted run fetched that are gone from the bucket now.
    if (target.kind === 'folder' && journaled.size > 0) {
      const listed = new Set(entries.map((entry) => entry.key));
      for (const [key, entry] of journaled) if (!listed.has(key) && entry.path) await rm(objectFilePath(folder, entry.path), { force: true });
    }

    // 6. Manifest (key order, as listed), then verification.
    await writeBackupManifest(folder, results);
    header = {
      ...header,
      status: 'complete',
      finishedAt: new Date().toISOString(),
      objects: entries.length,
      bytes: totalBytes,
      transferred,
      linked,
      resumed,
    };
    await writeBackupHeader(folder, header);

    let verified = false;
    let verifiedEarlier = 0;
    if (input.verify !== false) {
      const verifying = new TransferProgressCounter<BackupPhase>('verifying', input, entries.length, totalBytes);
      const verification = await verifyBackupFolder({
        folder,
        client: input.client,
        signal: abort.signal,
        resume: target.kind === 'folder',
        onProgress: (objects, bytes) => {
          verifying.objects = objects;
          verifying.bytes = bytes;
          verifying.report();
        },
      });
      verifying.report(true);
      verifiedEarlier = verification.verifiedEarlier;
      const verifiedAt = new Date().toISOString();
      if (verification.failures.length > 0) {
        const shown = verification.failures.slice(0, 5).map((failed) => `${JSON.stringify(failed.key)} (${failed.reason})`);
        header = { ...header, status: 'failed', verification: { verifiedAt, objects: verification.objects, failures: verification.failures.length }, error: `Verification failed for ${verification.failures.length} objects.` };
        await writeBackupHeader(folder, header);
        throw new ConnectGuardError(
          'VERIFY_FAILED',
          `The backup in ${folder} did not verify: ${verification.failures.length} of ${verification.objects} objects differ from what was downloaded: ${shown.join(', ')}${verification.failures.length > 5 ? ', …' : ''}. Run the backup again; if it fails again, check the disk.`,
        );
      }
      header = { ...header, status: 'verified', verification: { verifiedAt, objects: verification.objects, failures: 0 } };
      await writeBackupHeader(folder, header);
      verified = true;
    }
    return {
      folder,
      header,
      objects: entries.length,
      bytes: totalBytes,
      transferred,
      transferredBytes,
      linked,
      resumed,
      verifiedEarlier,
      ...(resuming ? { resumedFrom: folder } : {}),
      ...(previous ? { previousBackup: previous.folder } : {}),
      multipartUploads,
      elapsedMs: Date.now() - started,
      verified,
    };
  } catch (error) {
    if (error instanceof ConnectGuardError) throw error;
    if (input.signal?.aborted) throw cancelled();
    if (diskFull && isDiskFull(error)) throw diskFull(error);
    throw classifyS3Error(error, context);
  } finally {
    input.signal?.removeEventListener('abort', onOuterAbort);
  }
}
