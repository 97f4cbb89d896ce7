import type { InventoryEntry } from '../../../shared/inventory.ts';
import type { MultipartUploadStatus } from '../../../shared/diff/format-diff-report.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { listMultipartUploads } from '../s3/list-multipart-uploads.ts';
import { DEFAULT_PART_SIZES, listLocalFolder, type SkippedPath } from '../inventory/list-local-folder.ts';
import { readManifestBatches } from '../inventory/read-manifest.ts';
import { readSnapshotBatches } from '../inventory/snapshot-file.ts';
import { UsageError, parsePositiveInteger, type CliIo } from './cli-io.ts';
import { countProgress, type ProgressEvent } from './progress-reporter.ts';
import { openS3, type S3OptionValues } from './s3-options.ts';
import type { S3Client } from '../s3/s3-client.ts';

/** An opened inventory: its entries in S3 order, what it is, and (for a bucket) its in-progress uploads. */
export interface OpenedSource {
  readonly entries: AsyncIterable<InventoryEntry | readonly InventoryEntry[]>;
  /** e.g. `s3://bucket at http://127.0.0.1:7480`, `folder ./photos`, `manifest wesendit.csv`. */
  readonly description: string;
  /** Started at once, read at the end: listing in-progress uploads runs beside the listing. */
  readonly multipartUploads?: Promise<MultipartUploadStatus>;
  /** For snapshot headers. */
  readonly endpoint?: string;
  /** A bucket's client and name, for reading objects (diff --check-content). */
  readonly s3?: { readonly client: S3Client; readonly bucket: string };
}

export interface SourceOptionValues extends S3OptionValues {
  readonly bucket?: string;
  readonly prefix?: string;
  readonly concurrency?: string;
  readonly 'part-sizes'?: string;
}

const MiB = 1024 * 1024;

/** `--part-sizes 5,8,16` (MiB) → bytes; `none` → []. */
export function parsePartSizes(command: string, value: string | undefined): readonly number[] {
  if (value === undefined) return DEFAULT_PART_SIZES;
  if (value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((part) => {
    const mib = Number(part.trim());
    if (!Number.isFinite(mib) || mib < 5 || mib > 5120) {
      throw new UsageError(`--part-sizes takes part sizes in MiB between 5 and 5120, separated by commas (got "${part.trim()}"), or "none".`, command);
    }
    return Math.round(mib * MiB);
  });
}

async function multipartStatus(promise: Promise<Awaited<ReturnType<typeof listMultipartUploads>>>): Promise<MultipartUploadStatus> {
  const result = await promise;
  return result.supported ? { supported: true, count: result.uploads.length } : { supported: false, reason: result.reason };
}

/** A bucket listed over S3. */
export async function openBucket(
  command: string,
  values: SourceOptionValues,
  io: CliIo,
  onProgress: (event: ProgressEvent) => void,
): Promise<OpenedSource> {
  if (!values.bucket) throw new UsageError('--bucket is required.', command);
  const bucket: string = values.bucket;
  const s3 = await openS3(command, values, io);
  // Loaded on use: the SDK takes a while to load, and bucket-name or --help do not need it.
  const [{ classifyS3Error }, { listBucketObjects }, { listMultipartUploads }] = await Promise.all([
    import('../s3/classify-s3-error.ts'),
    import('../s3/list-bucket-objects.ts'),
    import('../s3/list-multipart-uploads.ts'),
  ]);
  const concurrency = parsePositiveInteger(command, 'concurrency', values.concurrency, 16);
  const context = { bucket, endpoint: s3.endpoint };
  const uploads = multipartStatus(listMultipartUploads(s3.client, bucket, io.signal)).catch((error: unknown) => {
    const classified = classifyS3Error(error, context);
    return { supported: false, reason: classified.message } satisfies MultipartUploadStatus;
  });
  async function* entries(): AsyncGenerator<InventoryEntry> {
    try {
      yield* listBucketObjects({ client: s3.client, bucket, prefix: values.prefix, concurrency, signal: io.signal, onProgress, endpoint: s3.endpoint });
    } catch (error) {
      throw classifyS3Error(error, context);
    }
  }
  return {
    entries: entries(),
    description: `s3://${bucket}${values.prefix ? `/${values.prefix}` : ''} at ${s3.endpoint}`,
    multipartUploads: uploads,
    endpoint: s3.endpoint,
    s3: { client: s3.client, bucket },
  };
}

/** A local folder, hashed. Skipped links are told on stderr. */
export function openFolder(command: string, folder: string, values: SourceOptionValues, io: CliIo, onProgress: (event: ProgressEvent) => void): OpenedSource {
  const concurrency = parsePositiveInteger(command, 'concurrency', values.concurrency, 4);
  const partSizes = parsePartSizes(command, values['part-sizes']);
  const onSkip = (skipped: SkippedPath): void => void io.stderr.write(`Skipped ${skipped.path}: ${skipped.reason}\n`);
  return {
    entries: countProgress(listLocalFolder(folder, { concurrency, partSizes, onSkip, signal: io.signal }), onProgress),
    description: `folder ${folder}`,
  };
}

export function openManifest(path: string): OpenedSource {
  return { entries: readManifestBatches(path), description: `manifest ${path}` };
}

export function openSnapshot(path: string): OpenedSource {
  return { entries: readSnapshotBatches(path), description: `snapshot ${path}` };
}

/** Exactly one of the given options must be set. */
export function requireOne(command: string, choices: Record<string, string | undefined>, what: string): [string, string] {
  const set = Object.entries(choices).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (set.length !== 1) {
    const names = Object.keys(choices).map((name) => `--${name}`).join(', ');
    throw new UsageError(`${what}: give exactly one of ${names}${set.length > 1 ? ` (got ${set.map(([n]) => `--${n}`).join(' and ')})` : ''}.`, command);
  }
  const [first] = set;
  if (!first) throw new ConnectGuardError('INTERNAL', 'No option chosen.');
  return first;
}
