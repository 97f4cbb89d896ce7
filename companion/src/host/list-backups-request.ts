/**
 * `backup.list`: every backup under the backups folder (the request's root, else
 * `CONNECT_GUARD_BACKUP_ROOT`, else `~/ConnectGuard/backups`), newest first, as the popup's
 * Backups tab shows them. Read from the folders alone: no S3 request, no credentials.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_FILE } from '../../../shared/audit/sync-plan.ts';
import type { BackupHeader } from '../../../shared/backup/backup-manifest.ts';
import type { BackupListData } from '../../../shared/protocol/companion-protocol.ts';
import { MAX_HOST_MESSAGE_BYTES } from '../../../shared/protocol/companion-protocol.ts';
import type { BackupListView, LocalBackupStatus, LocalBackupView } from '../../../shared/protocol/views.ts';
import { listBackups, type ListedBackup } from '../backup/list-backups.ts';
import { backupRoot } from './backup-handlers.ts';

/** The answer stays this far under the host's frame limit (folder paths can be long). */
const MAX_LIST_BYTES = Math.floor(MAX_HOST_MESSAGE_BYTES * 0.8);

/** The header's status in the words the popup shows (see {@link LocalBackupStatus}). */
export function localBackupStatus(header: BackupHeader): LocalBackupStatus {
  switch (header.status) {
    case 'verified':
      return 'verified';
    case 'complete':
      return 'complete';
    case 'failed':
      // A run that wrote everything and then found files that differ: not merely unfinished.
      return header.verification !== undefined && header.verification.failures > 0 ? 'failed-verification' : 'incomplete';
    case 'in-progress':
    case 'cancelled':
      return 'incomplete';
  }
}

export function localBackupView({ folder, header }: ListedBackup): LocalBackupView {
  return {
    folder,
    bucket: header.bucket,
    ...(header.endpoint ? { endpoint: header.endpoint } : {}),
    ...(header.prefix ? { prefix: header.prefix } : {}),
    startedAt: header.startedAt,
    ...(header.finishedAt ? { finishedAt: header.finishedAt } : {}),
    status: localBackupStatus(header),
    ...(header.objects !== undefined && Number.isSafeInteger(header.objects) && header.objects >= 0 ? { objects: header.objects } : {}),
    ...(header.bytes !== undefined && Number.isSafeInteger(header.bytes) && header.bytes >= 0 ? { bytes: header.bytes } : {}),
    ...(header.target.kind === 'bucket' ? { copiedTo: `${header.target.bucket}/${header.target.prefix}` } : {}),
    ...(header.error ? { problem: header.error } : {}),
    ...(existsSync(join(folder, PLAN_FILE)) ? { hasPlan: true } : {}),
  };
}

export async function listBackupsRequest(data: BackupListData): Promise<BackupListView> {
  const root = backupRoot(data.root);
  const listed = await listBackups({ root });
  const backups = listed.backups.map(localBackupView);
  const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8') + 1;
  // The oldest give way when the answer would not fit one frame.
  let size = bytes({ root, backups: [], omitted: 0, skipped: listed.skipped, skippedMore: listed.skippedMore }) + 32;
  let kept = 0;
  for (const backup of backups) {
    size += bytes(backup);
    if (size > MAX_LIST_BYTES) break;
    kept++;
  }
  return { root, backups: backups.slice(0, kept), omitted: listed.omitted + backups.length - kept, skipped: listed.skipped, skippedMore: listed.skippedMore };
}
