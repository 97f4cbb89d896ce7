import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { VERIFIED_FILE, etagMd5, formatManifestLine, isSinglePartEtag, type BackupManifestEntry } from '../../../shared/backup/backup-manifest.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { objectFilePath, readBackupHeader, readBackupManifest, readEntriesFile } from '../backup/backup-folder.ts';
import { listBucketObjects } from './list-bucket-objects.ts';

export interface VerifyBackupInput {
  readonly folder: string;
  /** Needed for a backup into another bucket (its copies are listed). */
  readonly client?: S3Client;
  /** Files hashed at once. Default 8. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (objects: number, bytes: number) => void;
  /**
   * Record every file that matched in `verified.ndjson`, and take the files an earlier,
   * interrupted verification recorded there (same path, size and SHA-256) as verified. Folder
   * backups only.
   */
  readonly resume?: boolean;
}

export interface VerifyFailure {
  readonly key: string;
  readonly reason: string;
}

export interface VerifyBackupOutput {
  readonly objects: number;
  readonly bytes: number;
  readonly failures: readonly VerifyFailure[];
  /** Taken as verified from an earlier, interrupted verification (with `resume`). */
  readonly verifiedEarlier: number;
}

/** Files up to this size are read whole; larger ones are streamed. */
const READ_WHOLE = 8 * 1024 * 1024;

/** SHA-256 and MD5 of a file, in one read. */
export async function hashFile(path: string): Promise<{ size: number; sha256: string; md5: string }> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const stats = await stat(path);
  if (stats.size <= READ_WHOLE) {
    const bytes = await readFile(path);
    return { size: bytes.length, sha256: sha256.update(bytes).digest('hex'), md5: md5.update(bytes).digest('hex') };
  }
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    sha256.update(bytes);
    md5.update(bytes);
    size += bytes.length;
  }
  return { size, sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}

/** Files up to this size are read synchronously: a small read costs less than the round trip through libuv's pool. */
const READ_SYNC = 256 * 1024;

function hashSmallFileSync(path: string): { size: number; sha256: string; md5: string } {
  const bytes = readFileSync(path);
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), md5: createHash('md5').update(bytes).digest('hex') };
}

/** Why a file does not match its manifest entry, or undefined when it does. */
async function checkFile(folder: string, entry: BackupManifestEntry): Promise<string | undefined> {
  if (entry.path === undefined) return 'no file in the manifest';
  let hashed: { size: number; sha256: string; md5: string };
  try {
    const path = objectFilePath(folder, entry.path);
    hashed = entry.size <= READ_SYNC ? hashSmallFileSync(path) : await hashFile(path);
  } catch (error) {
    return `cannot read the file: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (hashed.size !== entry.size) return `size ${hashed.size}, expected ${entry.size}`;
  if (entry.sha256 !== undefined && hashed.sha256 !== entry.sha256) return 'SHA-256 differs from the manifest';
  if (entry.md5 !== undefined && hashed.md5 !== entry.md5) return 'MD5 differs from the manifest';
  // An ETag that is an MD5 must match; others (multipart, SSE-KMS, SSE-C) are checked by the SHA-256 above.
  const md5 = etagMd5(entry);
  if (md5 !== undefined && hashed.md5 !== md5) return 'MD5 differs from the S3 ETag';
  return undefined;
}

function checkCopy(entry: BackupManifestEntry, copy: InventoryEntry | undefined): string | undefined {
  if (!copy) return 'the copy is missing from the target bucket';
  if (copy.size !== entry.size) return `copy has size ${copy.size}, expected ${entry.size}`;
  if (etagMd5(entry) !== undefined && isSinglePartEtag(copy.etag) && copy.etag !== entry.etag) return 'copy ETag differs';
  return undefined;
}

/**
 * Re-reads a backup and matches it with its manifest: every file's size and SHA-256 (and MD5 =
 * ETag for single-part objects); for a backup into another bucket, every copy's size and ETag.
 *
 * @throws ConnectGuardError `INVALID_INPUT` when the folder is not a complete backup;
 *   `CANCELLED` when `signal` aborts.
 */
export async function verifyBackupFolder(input: VerifyBackupInput): Promise<VerifyBackupOutput> {
  const header = await readBackupHeader(input.folder);
  const failures: VerifyFailure[] = [];
  let objects = 0;
  let bytes = 0;
  const target = header.target;
  if (target.kind === 'bucket') {
    if (!input.client) throw new ConnectGuardError('INVALID_INPUT', 'Verifying a backup into another bucket needs an S3 connection.');
    const copies = new Map<string, InventoryEntry>();
    for await (const copy of listBucketObjects({ client: input.client, bucket: target.bucket, ...(target.prefix ? { prefix: target.prefix } : {}), ...(input.signal ? { signal: input.signal } : {}) })) copies.set(copy.key, copy);
    for await (const entry of readBackupManifest(input.folder)) {
      const reason = checkCopy(entry, copies.get(entry.copyKey ?? entry.key));
      if (reason) failures.push({ key: entry.key, reason });
      objects++;
      bytes += entry.size;
      input.onProgress?.(objects, bytes);
    }
    return { objects, bytes, failures, verifiedEarlier: 0 };
  }
  const verifiedFile = join(input.folder, VERIFIED_FILE);
  const earlier = input.resume ? await readEntriesFile(verifiedFile) : new Map<string, BackupManifestEntry>();
  // Written synchronously before the progress that counts the object: a run killed right after
  // reporting N verified objects has recorded them.
  const record = input.resume ? openSync(verifiedFile, 'a') : undefined;
  let verifiedEarlier = 0;
  const concurrency = Math.max(1, input.concurrency ?? 8);
  const pending = new Set<Promise<void>>();
  try {
    let sinceYield = 0;
    for await (const entry of readBackupManifest(input.folder)) {
      if (input.signal?.aborted) throw new ConnectGuardError('CANCELLED', 'Verification cancelled.');
      // Synchronous reads of small files: let timers, progress and Ctrl-C in now and then.
      if (++sinceYield >= 200) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const before = earlier.get(entry.key);
      if (before && before.path === entry.path && before.size === entry.size && before.sha256 !== undefined && before.sha256 === entry.sha256) {
        verifiedEarlier++;
        objects++;
        bytes += entry.size;
        input.onProgress?.(objects, bytes);
        continue;
      }
      const task: Promise<void> = checkFile(input.folder, entry).then((reason) => {
        if (reason) failures.push({ key: entry.key, reason });
        else if (record !== undefined) writeSync(record, formatManifestLine(entry));
        objects++;
        bytes += entry.size;
        input.onProgress?.(objects, bytes);
      });
      pending.add(task);
      void task.finally(() => pending.delete(task));
      if (pending.size >= concurrency) await Promise.race(pending);
    }
    await Promise.all(pending);
  } finally {
    await Promise.allSettled(pending);
    if (record !== undefined) closeSync(record);
  }
  return { objects, bytes, failures, verifiedEarlier };
}
