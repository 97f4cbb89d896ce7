/**
 * Runs a sync review: a checked plan against the bucket listed now (or, for "check again", only
 * the keys that had not arrived, by HEAD), WeSendit's side when given, and a read of just the
 * objects whose listing cannot prove their content. Rows go to `onRows` in S3 key order; the
 * totals, the restore selection and the keys to check again come back.
 */
import { auditSyncBatches, type AuditRow, type ContentHash } from '../../../shared/audit/audit-sync.ts';
import { AuditTally, type AuditTotals } from '../../../shared/audit/audit-totals.ts';
import { checkPlanTarget } from '../../../shared/audit/sync-plan.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { classifyS3Error } from '../s3/classify-s3-error.ts';
import { hashObjects, headObjects, type HashProgress } from '../s3/hash-objects.ts';
import { listBucketObjects, type ListProgress } from '../s3/list-bucket-objects.ts';
import type { S3Client } from '../s3/s3-client.ts';
import type { OpenedPlan } from './plan-file.ts';

export interface RunAuditInput {
  readonly client: S3Client;
  readonly plan: OpenedPlan;
  /** The bucket to review; must be the plan's. Default: the plan's. */
  readonly bucket?: string;
  readonly endpoint?: string;
  /** "Check again": only these keys, each HEADed instead of listing the bucket. */
  readonly onlyKeys?: readonly string[];
  /** WeSendit's side now, in S3 key order. */
  readonly wesendit?: AsyncIterable<InventoryEntry | readonly InventoryEntry[]> | Iterable<InventoryEntry>;
  /** Listing requests at once (default 16). */
  readonly concurrency?: number;
  /** Objects read at once to prove their content (default 8). */
  readonly readConcurrency?: number;
  readonly signal?: AbortSignal;
  readonly onListProgress?: (event: ListProgress) => void;
  readonly onReadProgress?: (event: HashProgress) => void;
  readonly onRows?: (rows: readonly AuditRow[]) => Promise<void> | void;
}

export interface RunAuditOutput {
  readonly bucket: string;
  readonly totals: AuditTotals;
  readonly restoreKeys: readonly { readonly key: string; readonly selection: 'restore' | 'overwrite' }[];
  readonly pendingKeys: readonly string[];
  /** Rows that are not as predicted (the first 1,000), for a summary. */
  readonly findings: readonly AuditRow[];
}

const MAX_FINDINGS = 1000;

export async function runAudit(input: RunAuditInput): Promise<RunAuditOutput> {
  const { plan } = input;
  const bucket = input.bucket ?? plan.header.bucket;
  checkPlanTarget(plan.header, { bucket }, plan.path);
  const context = { bucket, ...(input.endpoint ? { endpoint: input.endpoint } : {}) };
  const onlyKeys = input.onlyKeys ? new Set(input.onlyKeys) : undefined;

  async function* current(): AsyncGenerator<InventoryEntry | readonly InventoryEntry[]> {
    try {
      if (input.onlyKeys) {
        yield await headObjects({ client: input.client, bucket, keys: input.onlyKeys, ...(input.signal ? { signal: input.signal } : {}), ...(input.endpoint ? { endpoint: input.endpoint } : {}) });
        return;
      }
      yield* listBucketObjects({
        client: input.client,
        bucket,
        ...(plan.header.prefix ? { prefix: plan.header.prefix } : {}),
        concurrency: input.concurrency ?? 16,
        ...(input.signal ? { signal: input.signal } : {}),
        ...(input.onListProgress ? { onProgress: input.onListProgress } : {}),
        ...(input.endpoint ? { endpoint: input.endpoint } : {}),
      });
    } catch (error) {
      throw classifyS3Error(error, context);
    }
  }

  const checkContent = async (objects: readonly InventoryEntry[]): Promise<ReadonlyMap<string, ContentHash>> =>
    hashObjects({
      client: input.client,
      bucket,
      objects,
      concurrency: input.readConcurrency ?? 8,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onReadProgress ? { onProgress: input.onReadProgress } : {}),
      ...(input.endpoint ? { endpoint: input.endpoint } : {}),
    });

  const tally = new AuditTally();
  const findings: AuditRow[] = [];
  for await (const rows of auditSyncBatches(plan.batches(), current(), {
    checkContent,
    ...(onlyKeys ? { onlyKeys } : {}),
    ...(input.wesendit ? { wesendit: input.wesendit } : {}),
  })) {
    if (input.signal?.aborted) throw new ConnectGuardError('CANCELLED', 'Review cancelled.');
    tally.addBatch(rows);
    for (const row of rows) if (row.status !== 'as-predicted' && findings.length < MAX_FINDINGS) findings.push(row);
    await input.onRows?.(rows);
  }
  return { bucket, totals: tally.totals, restoreKeys: tally.restoreKeys, pendingKeys: tally.pendingKeys, findings };
}
