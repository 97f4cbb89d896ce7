import type { InventoryEntry } from '../../../shared/inventory.ts';
import { diffInventoryBatches } from '../../../shared/diff/diff-inventories.ts';
import { DiffTally } from '../../../shared/diff/summarize-diff.ts';
import type { BucketConnection, DiffPreviewSummary } from '../../../shared/protocol/companion-protocol.ts';
import { readManifestBatches } from '../inventory/read-manifest.ts';
import { listBucketObjects } from '../s3/list-bucket-objects.ts';
import { createS3Client } from '../s3/s3-client.ts';
import type { RequestContext } from './serve-native-host.ts';

export interface PreviewDiffInput {
  readonly connection: BucketConnection;
  readonly prefix?: string;
  /** WeSendit entries in S3 order, or a manifest file to read. */
  readonly wesendit: readonly InventoryEntry[] | { readonly manifestPath: string };
  readonly includeRows?: boolean;
}

const PROGRESS_INTERVAL_MS = 250;

/**
 * Lists the bucket and diffs it against the WeSendit side as the listing streams in: rows go out
 * as chunks (the pipe's backpressure paces the listing), progress every quarter second, totals at
 * the end. The connection's secret lives in the S3 client of this call only.
 */
export async function previewDiff(input: PreviewDiffInput, context: RequestContext<'diff.preview'>): Promise<DiffPreviewSummary> {
  const started = Date.now();
  const { connection } = input;
  const client = createS3Client({
    endpoint: connection.endpoint,
    accessKeyId: connection.accessKeyId,
    secretAccessKey: connection.secretAccessKey,
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
  });
  let bucketObjects = 0;
  let bucketBytes = 0;
  let wesenditObjects = 0;
  let lastProgress = 0;
  const progress = async (phase: 'listing' | 'diffing', force = false): Promise<void> => {
    const now = Date.now();
    if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    const elapsedMs = now - started;
    await context.progress({ phase, objects: bucketObjects, bytes: bucketBytes, rate: elapsedMs > 0 ? Math.round((bucketObjects * 1000) / elapsedMs) : 0, elapsedMs });
  };
  async function* bucket(): AsyncGenerator<InventoryEntry> {
    for await (const entry of listBucketObjects({
      client,
      bucket: connection.bucket,
      endpoint: connection.endpoint,
      signal: context.signal,
      ...(input.prefix ? { prefix: input.prefix } : {}),
    })) {
      bucketObjects += 1;
      bucketBytes += entry.size;
      yield entry;
    }
  }
  async function* wesendit(): AsyncGenerator<readonly InventoryEntry[]> {
    const source = input.wesendit;
    if ('manifestPath' in source) {
      for await (const batch of readManifestBatches(source.manifestPath)) {
        wesenditObjects += batch.length;
        yield batch;
      }
    } else {
      wesenditObjects = source.length;
      yield source;
    }
  }
  const tally = new DiffTally();
  const includeRows = input.includeRows ?? true;
  let rows = 0;
  try {
    await progress('listing', true);
    for await (const batch of diffInventoryBatches(bucket(), wesendit())) {
      tally.addBatch(batch);
      if (includeRows) {
        await context.chunk(batch);
        rows += batch.length;
      }
      await progress('listing');
    }
    await progress('diffing', true);
  } finally {
    client.destroy();
  }
  return { totals: tally.totals, rows, bucketObjects, wesenditObjects, elapsedMs: Date.now() - started };
}
