/**
 * Keeps the plan of a connect: each preview leaves its predictions (the latest preview plan of
 * the bucket, beside the bucket's backups), and when the connect hold's backup is verified the
 * plan is made again from the backup's manifest — the bucket exactly as it was at the click, with
 * the SHA-256 of every object — against the WeSendit side the user previewed, and saved as
 * `plan.ndjson` in the backup folder. No preview: the plan has the bucket side only, and every
 * key WeSendit writes shows up as an extra key.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BackupHeader, BackupManifestEntry } from '../../../shared/backup/backup-manifest.ts';
import { diffInventoryBatches, type DiffRow } from '../../../shared/diff/diff-inventories.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { PLAN_FILE, PLAN_FORMAT, PLAN_VERSION, planEntryFromRow, type PlanEntry, type PlanHeader, type PlanPolicy, type PlanSide } from '../../../shared/audit/sync-plan.ts';
import { bucketBackupsFolder, readBackupManifest } from '../backup/backup-folder.ts';
import { PlanFileWriter, openPlanFile, writePlanFile } from './plan-file.ts';

/** The latest preview's plan of a bucket, beside its backups. */
export const LATEST_PREVIEW_PLAN = 'latest-preview.plan.ndjson';

export function latestPreviewPlanPath(root: string, bucket: string): string {
  return join(bucketBackupsFolder(root, bucket), LATEST_PREVIEW_PLAN);
}

/** The policy a plan predicts with unless told otherwise: WeSendit's own version wins (seed §6). */
export const DEFAULT_PLAN_POLICY: PlanPolicy = 'wesendit-wins';

/**
 * Starts writing the latest preview plan of a bucket; the preview feeds it rows. Returns
 * undefined when the folder cannot be written (the preview goes on without it).
 */
export async function openPreviewPlan(root: string, header: Omit<PlanHeader, 'format' | 'version' | 'policy'> & { readonly policy?: PlanPolicy }): Promise<{ write(rows: readonly DiffRow[]): Promise<void>; close(): Promise<void>; abort(): Promise<void> } | undefined> {
  try {
    const path = latestPreviewPlanPath(root, header.bucket);
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    const policy = header.policy ?? DEFAULT_PLAN_POLICY;
    const writer = await PlanFileWriter.open(path, { format: PLAN_FORMAT, version: PLAN_VERSION, ...header, policy });
    return {
      write: (rows) => writer.write(rows.map((row) => planEntryFromRow(row, policy))),
      close: () => writer.close(),
      abort: () => writer.abort(),
    };
  } catch {
    return undefined;
  }
}

function entryOfSide(key: string, side: PlanSide): InventoryEntry {
  return {
    key,
    size: side.size,
    ...(side.sizeTolerance ? { sizeTolerance: side.sizeTolerance } : {}),
    ...(side.etag ? { etag: side.etag } : {}),
    ...(side.md5 ? { md5: side.md5 } : {}),
    ...(side.lastModified ? { lastModified: side.lastModified } : {}),
  };
}

async function* wesenditSideOf(batches: AsyncIterable<readonly PlanEntry[]>): AsyncGenerator<InventoryEntry[]> {
  for await (const batch of batches) {
    const entries: InventoryEntry[] = [];
    for (const entry of batch) if (entry.wesendit) entries.push(entryOfSide(entry.key, entry.wesendit));
    if (entries.length > 0) yield entries;
  }
}

async function* manifestBatches(folder: string, hashes: Map<string, { sha256?: string; md5?: string }>): AsyncGenerator<InventoryEntry[]> {
  let batch: InventoryEntry[] = [];
  for await (const entry of readBackupManifest(folder)) {
    batch.push(bucketEntry(entry));
    if (entry.sha256 || entry.md5) hashes.set(entry.key, { ...(entry.sha256 ? { sha256: entry.sha256 } : {}), ...(entry.md5 ? { md5: entry.md5 } : {}) });
    if (batch.length >= 1024) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function bucketEntry(entry: BackupManifestEntry): InventoryEntry {
  return {
    key: entry.key,
    size: entry.size,
    ...(entry.etag ? { etag: entry.etag } : {}),
    ...(entry.md5 ? { md5: entry.md5 } : {}),
    ...(entry.lastModified ? { lastModified: entry.lastModified } : {}),
  };
}

export interface SaveBackupPlanInput {
  /** The verified backup folder. */
  readonly folder: string;
  readonly header: BackupHeader;
  /** The backups root, where the latest preview plan of the bucket is. */
  readonly root: string;
  readonly now?: () => Date;
}

/**
 * Writes `plan.ndjson` into a backup folder. Returns its path.
 *
 * @throws ConnectGuardError when the manifest cannot be read or the plan cannot be written.
 */
export async function saveBackupPlan(input: SaveBackupPlanInput): Promise<string> {
  const { folder, header } = input;
  const previewPath = latestPreviewPlanPath(input.root, header.bucket);
  const preview = existsSync(previewPath) ? await openPlanFile(previewPath).catch(() => undefined) : undefined;
  const usable = preview !== undefined && preview.header.bucket === header.bucket && (preview.header.prefix ?? '') === (header.prefix ?? '') ? preview : undefined;
  const policy = usable?.header.policy ?? DEFAULT_PLAN_POLICY;
  const planHeader: PlanHeader = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    bucket: header.bucket,
    ...(header.endpoint ? { endpoint: header.endpoint } : {}),
    ...(header.prefix ? { prefix: header.prefix } : {}),
    policy,
    createdAt: (input.now?.() ?? new Date()).toISOString(),
    wesenditSource: usable ? `${usable.header.wesenditSource} (previewed ${usable.header.createdAt})` : 'not previewed',
    backup: basename(folder),
  };
  const hashes = new Map<string, { sha256?: string; md5?: string }>();
  async function* entries(): AsyncGenerator<PlanEntry[]> {
    const wesendit = usable ? wesenditSideOf(usable.batches()) : [];
    for await (const rows of diffInventoryBatches(manifestBatches(folder, hashes), wesendit, { lookalikes: false })) {
      yield rows.map((row) => {
        const hash = hashes.get(row.key);
        hashes.delete(row.key);
        return planEntryFromRow(row, policy, hash);
      });
    }
  }
  const path = join(folder, PLAN_FILE);
  await writePlanFile(path, planHeader, entries());
  return path;
}
