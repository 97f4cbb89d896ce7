import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';

const MiB = 1024 * 1024;

/**
 * Part sizes S3 tools use by default: 5 MiB (rclone, AWS SDK lib-storage, the S3 minimum),
 * 8 MiB (aws cli, boto3), 15 MiB (s3cmd), 16 MiB (MinIO mc), 64 MiB (a common tuned choice).
 */
export const DEFAULT_PART_SIZES: readonly number[] = [5 * MiB, 8 * MiB, 15 * MiB, 16 * MiB, 64 * MiB];

/**
 * Files below this size are not hashed for multipart ETags: S3 tools upload them in one PUT,
 * since every part but the last must be at least 5 MiB.
 */
export const MULTIPART_MIN_SIZE = 5 * MiB;

/** A path that was not listed, and why. */
export interface SkippedPath {
  readonly path: string;
  readonly reason: string;
}

export interface ListLocalFolderOptions {
  /** Files hashed at once (default 4). */
  readonly concurrency?: number;
  /** Part sizes to compute multipart ETags for (default DEFAULT_PART_SIZES; [] for none). */
  readonly partSizes?: readonly number[];
  /** Told about every symlink or special file that was not listed. */
  readonly onSkip?: (skipped: SkippedPath) => void;
  readonly signal?: AbortSignal;
}

interface FileToHash {
  readonly key: string;
  readonly path: string;
}

/** The multipart ETag of `partDigests`: MD5 of the concatenated part MD5s, then `-N`. */
export function multipartEtagOf(partDigests: readonly Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}

class PartHasher {
  private hash = createHash('md5');
  private filled = 0;
  readonly digests: Buffer[] = [];
  constructor(readonly partSize: number) {}

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.filled, chunk.length - offset);
      this.hash.update(take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
      this.filled += take;
      offset += take;
      if (this.filled === this.partSize) {
        this.digests.push(this.hash.digest());
        this.hash = createHash('md5');
        this.filled = 0;
      }
    }
  }

  finish(): string {
    if (this.filled > 0) this.digests.push(this.hash.digest());
    return multipartEtagOf(this.digests);
  }
}

/**
 * Streams one file once, computing its MD5 and its multipart ETag for each part size (a part
 * size at least the file's size gives the one-part ETag `md5(md5)-1`).
 */
export async function hashFile(
  path: string,
  partSizes: readonly number[] = DEFAULT_PART_SIZES,
  signal?: AbortSignal,
): Promise<{ size: number; md5: string; multipartEtags: Record<number, string> | undefined }> {
  const whole = createHash('md5');
  const info = await stat(path);
  const multipart = info.size >= MULTIPART_MIN_SIZE;
  const hashers = multipart ? partSizes.filter((p) => p < info.size).map((p) => new PartHasher(p)) : [];
  let size = 0;
  const stream = createReadStream(path, { highWaterMark: MiB, signal });
  for await (const chunk of stream) {
    if (!Buffer.isBuffer(chunk)) throw new ConnectGuardError('INTERNAL', 'File stream yielded text.');
    whole.update(chunk);
    for (const hasher of hashers) hasher.update(chunk);
    size += chunk.length;
  }
  if (size !== info.size) {
    throw new ConnectGuardError('INVALID_INPUT', `${path} changed while it was read (${info.size} bytes, then ${size}). List the folder again when nothing writes to it.`);
  }
  const digest = whole.digest();
  let multipartEtags: Record<number, string> | undefined;
  if (multipart) {
    multipartEtags = {};
    for (const hasher of hashers) multipartEtags[hasher.partSize] = hasher.finish();
    const single = multipartEtagOf([digest]);
    for (const partSize of partSizes) if (partSize >= size) multipartEtags[partSize] = single;
  }
  return { size, md5: digest.toString('hex'), multipartEtags };
}

/** Collects every regular file under `root` (symlinks only when they stay inside it). */
async function collectFiles(root: string, realRoot: string, onSkip: (skipped: SkippedPath) => void, signal?: AbortSignal): Promise<FileToHash[]> {
  const files: FileToHash[] = [];
  const folders = [root];
  const toKey = (path: string): string => relative(root, path).split(sep).join('/');
  while (folders.length > 0) {
    signal?.throwIfAborted();
    const folder = folders.pop();
    if (folder === undefined) break;
    const dir = await opendir(folder);
    for await (const dirent of dir) {
      const path = join(folder, dirent.name);
      if (dirent.isDirectory()) folders.push(path);
      else if (dirent.isFile()) files.push({ key: toKey(path), path });
      else if (dirent.isSymbolicLink()) {
        // Follow a link only to a file inside the folder: outside it is not part of what is
        // listed, and a linked folder could loop or list the same files twice.
        let target: string;
        try {
          target = await realpath(path);
        } catch {
          onSkip({ path: toKey(path), reason: 'symbolic link whose target does not exist' });
          continue;
        }
        const inside = target === realRoot || target.startsWith(realRoot + sep);
        const targetInfo = await lstat(target);
        if (!inside) onSkip({ path: toKey(path), reason: `symbolic link to ${target}, outside the folder: not followed` });
        else if (!targetInfo.isFile()) onSkip({ path: toKey(path), reason: 'symbolic link to a folder: not followed (its files are listed where they are)' });
        else files.push({ key: toKey(path), path });
      } else {
        onSkip({ path: toKey(path), reason: 'not a regular file (socket, device or pipe)' });
      }
    }
  }
  return files;
}

/** Runs `work` on items with at most `concurrency` in flight, yielding results in input order. */
async function* mapInOrder<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const start = (): void => {
    const item = items[next++];
    if (item === undefined) return;
    const promise = work(item);
    // Awaited later in order; until then, keep a failure from counting as unhandled.
    promise.catch(() => undefined);
    pending.push(promise);
  };
  while (next < items.length && pending.length < concurrency) start();
  while (pending.length > 0) {
    const head = pending.shift();
    if (head === undefined) break;
    const result = await head;
    if (next < items.length) start();
    yield result;
  }
}

/**
 * Lists a local folder as an inventory in S3 order: keys are paths relative to `root` with `/`
 * separators; each file has its MD5 and, from 5 MiB up, its multipart ETag for common part
 * sizes, so a bucket object `…-N` can be matched. Files are hashed `concurrency` at a time.
 */
export async function* listLocalFolder(root: string, options: ListLocalFolderOptions = {}): AsyncGenerator<InventoryEntry> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const partSizes = options.partSizes ?? DEFAULT_PART_SIZES;
  let rootInfo;
  try {
    rootInfo = await stat(root);
  } catch {
    throw new ConnectGuardError('INVALID_INPUT', `The folder ${root} does not exist or cannot be read. Check the path given to --folder.`);
  }
  if (!rootInfo.isDirectory()) throw new ConnectGuardError('INVALID_INPUT', `${root} is not a folder. Give --folder a folder, or use --manifest for a file list.`);
  const realRoot = await realpath(root);
  const files = await collectFiles(root, realRoot, options.onSkip ?? (() => undefined), options.signal);
  files.sort((a, b) => compareS3Keys(a.key, b.key));
  yield* mapInOrder(files, concurrency, async (file): Promise<InventoryEntry> => {
    options.signal?.throwIfAborted();
    const info = await stat(file.path);
    const hashed = await hashFile(file.path, partSizes, options.signal);
    const entry: InventoryEntry = { key: file.key, size: hashed.size, lastModified: info.mtime.toISOString(), md5: hashed.md5 };
    return hashed.multipartEtags ? { ...entry, multipartEtags: hashed.multipartEtags } : entry;
  });
}
