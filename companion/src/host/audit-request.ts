/**
 * `audit.run`: the sync review for the extension. The plan is the one saved beside the named
 * backup (or the newest backup of the bucket that has one); the findings — every key that is not
 * as predicted — go out as chunks, the totals and the verdict as the final answer. As-predicted
 * keys are only counted, so a million-key review sends a handful of frames.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { auditVerdict } from '../../../shared/audit/audit-totals.ts';
import { PLAN_FILE } from '../../../shared/audit/sync-plan.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import type { AuditRowView, AuditRunData, AuditRunResult } from '../../../shared/protocol/companion-protocol.ts';
import { findBackups, readBackupHeader } from '../backup/backup-folder.ts';
import { openPlanFile } from '../audit/plan-file.ts';
import { runAudit } from '../audit/run-audit.ts';
import { readManifestBatches } from '../inventory/read-manifest.ts';
import { createS3Client } from '../s3/s3-client.ts';
import { TRANSFER_PROGRESS_INTERVAL_MS, backupRoot } from './backup-handlers.ts';
import type { RequestContext } from './serve-native-host.ts';

/** Findings per chunk event. */
const ROWS_PER_CHUNK = 500;

async function chooseFolder(data: AuditRunData): Promise<string> {
  const { bucket } = data.connection;
  if (data.folder !== undefined) {
    const header = await readBackupHeader(data.folder);
    if (header.bucket !== bucket) {
      throw new ConnectGuardError('INVALID_INPUT', `The backup in ${data.folder} is of bucket ${header.bucket}, not of ${bucket}. Review it with the storage of ${header.bucket}.`);
    }
    if (!existsSync(join(data.folder, PLAN_FILE))) {
      throw new ConnectGuardError('NOT_FOUND', `The backup in ${data.folder} has no sync plan: it was not taken at a connect after a preview. Choose the backup taken when you connected.`);
    }
    return data.folder;
  }
  const root = backupRoot(data.root);
  const found = (await findBackups(root, bucket)).find((backup) => existsSync(join(backup.folder, PLAN_FILE)));
  if (!found) throw new ConnectGuardError('NOT_FOUND', `No backup of bucket ${bucket} under ${root} has a sync plan. Preview the connect and let Connect Guard back up at the click; then the result can be reviewed.`);
  return found.folder;
}

/** Hands out a WeSendit listing staged with `inventory.upload` on this connection, once complete, in S3 order. */
export type TakeUpload = (uploadId: string, signal: AbortSignal) => Promise<readonly InventoryEntry[]>;

export async function runAuditRequest(data: AuditRunData, context: RequestContext<'audit.run'>, takeUpload: TakeUpload): Promise<AuditRunResult> {
  const folder = await chooseFolder(data);
  const source = data.wesendit;
  // The tab's listing is taken (and so released) even when the plan turns out unusable below.
  const wesendit = source === undefined ? undefined : source.kind === 'manifest' ? readManifestBatches(source.path) : await takeUpload(source.uploadId, context.signal);
  const plan = await openPlanFile(join(folder, PLAN_FILE));
  const { connection } = data;
  const client = createS3Client({
    endpoint: connection.endpoint,
    accessKeyId: connection.accessKeyId,
    secretAccessKey: connection.secretAccessKey,
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
  });
  const started = Date.now();
  let lastProgress = 0;
  const progress = (phase: 'listing' | 'verifying', objects: number, bytes: number, totalObjects?: number, totalBytes?: number): void => {
    const now = Date.now();
    if (now - lastProgress < TRANSFER_PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    const elapsedMs = now - started;
    const perSecond = (count: number): number => (elapsedMs > 0 ? Math.round((count * 1000) / elapsedMs) : 0);
    void context.progress({ phase, objects, bytes, rate: perSecond(objects), bytesPerSecond: perSecond(bytes), elapsedMs, ...(totalObjects !== undefined ? { totalObjects } : {}), ...(totalBytes !== undefined ? { totalBytes } : {}) });
  };
  let batch: AuditRowView[] = [];
  try {
    const result = await runAudit({
      client,
      plan,
      bucket: connection.bucket,
      endpoint: connection.endpoint,
      ...(data.onlyKeys ? { onlyKeys: data.onlyKeys } : {}),
      ...(wesendit ? { wesendit } : {}),
      signal: context.signal,
      onListProgress: (event) => progress('listing', event.objects, event.bytes),
      onReadProgress: (event) => progress('verifying', event.objects, event.bytes, event.total, event.totalBytes),
      onRows: async (rows) => {
        for (const row of rows) {
          if (row.status === 'as-predicted') continue;
          batch.push({ key: row.key, status: row.status, kind: row.kind, mark: row.mark, predicted: row.predicted, actual: row.actual, proof: row.proof, bytes: row.bytes, ...(row.restore ? { restore: row.restore } : {}) });
          if (batch.length >= ROWS_PER_CHUNK) {
            await context.chunk(batch);
            batch = [];
          }
        }
      },
    });
    if (batch.length > 0) await context.chunk(batch);
    const { totals } = result;
    return {
      folder,
      bucket: result.bucket,
      planCreatedAt: plan.header.createdAt,
      policy: plan.header.policy,
      verdict: auditVerdict(totals),
      objects: totals.objects,
      bytes: totals.bytes,
      asPredicted: totals.statuses['as-predicted'],
      notYetArrived: totals.statuses['not-yet-arrived'],
      unexpected: totals.statuses.unexpected,
      restore: totals.restore,
      contentChecked: totals.contentChecked,
    };
  } finally {
    client.destroy();
  }
}
