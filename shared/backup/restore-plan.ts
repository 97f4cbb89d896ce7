/**
 * What a restore does, key by key: the backup manifest against the bucket as it is now. Pure:
 * the companion lists the bucket and acts; a dry run is this plan without the act.
 */
import { formatBytes } from '../diff/format-bytes.ts';
import { formatCsvCell } from '../diff/format-diff-report.ts';
import type { InventoryEntry } from '../inventory.ts';
import type { BackupManifestEntry } from './backup-manifest.ts';

/** How the object stands now, compared with the backup. */
export type RestoreState = 'deleted' | 'changed' | 'unchanged';

/**
 * What decided the state: the size (different), the ETag (equal, or both MD5s of the bytes),
 * the MD5 the backup computed (the bucket's ETag is that MD5: same bytes, re-uploaded in one
 * part), or the SHA-256 of the bucket's object against the backup's. ETags of multipart objects
 * depend on the part size and those of SSE-KMS/SSE-C objects are not MD5s, so a different ETag
 * alone never makes an object "changed" when the backup holds its SHA-256.
 */
export type RestoreEvidence = 'size' | 'etag' | 'md5' | 'sha256';

/**
 * `restore`: put back a deleted object. `overwrite`: put back an object changed since the
 * backup (only with force). `keep`: changed since the backup and left as it is (no force).
 * `none`: nothing to do (unchanged, or changed with "only missing").
 */
export type RestoreAction = 'restore' | 'overwrite' | 'keep' | 'none';

export interface RestoreRow {
  readonly key: string;
  readonly state: RestoreState;
  readonly action: RestoreAction;
  readonly backup: BackupManifestEntry;
  /** The object in the bucket now, when there is one. */
  readonly current?: InventoryEntry;
  /** What decided `state` (absent for a deleted object). */
  readonly comparedBy?: RestoreEvidence;
}

export interface RestoreOptions {
  /** Overwrite objects changed since the backup. */
  readonly force?: boolean;
  /** Restore deleted objects only; changed ones are not part of the restore. */
  readonly onlyMissing?: boolean;
}

export interface RestoreTotals {
  readonly backupObjects: number;
  readonly deleted: number;
  readonly changed: number;
  readonly unchanged: number;
  /** Objects the restore writes (restore + overwrite) and their bytes. */
  readonly toWrite: number;
  readonly bytesToWrite: number;
  /** Changed objects left as they are because force was not given. */
  readonly kept: number;
  /** Objects whose ETag could not decide, compared by the SHA-256 of their content. */
  readonly comparedByContent: number;
}

const sameEtag = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Whether size and ETag cannot decide and the content must be compared: the sizes are equal,
 * the ETags differ, the bucket's ETag is not the MD5 the backup computed, and the backup holds a
 * SHA-256 to compare with. (A different ETag may be another part size or server-side encryption.)
 */
export function needsContentCheck(backup: BackupManifestEntry, current: InventoryEntry): boolean {
  return backup.size === current.size && !sameEtag(backup.etag, current.etag) && !sameEtag(backup.md5, current.etag) && backup.sha256 !== undefined;
}

/**
 * One row of the plan.
 *
 * @param currentSha256 the SHA-256 of the bucket's object, read where {@link needsContentCheck}.
 */
export function planRestoreRow(backup: BackupManifestEntry, current: InventoryEntry | undefined, options: RestoreOptions = {}, currentSha256?: string): RestoreRow {
  let state: RestoreState;
  let comparedBy: RestoreEvidence | undefined;
  if (current === undefined) state = 'deleted';
  else if (backup.size !== current.size) [state, comparedBy] = ['changed', 'size'];
  else if (sameEtag(backup.etag, current.etag)) [state, comparedBy] = ['unchanged', 'etag'];
  else if (sameEtag(backup.md5, current.etag)) [state, comparedBy] = ['unchanged', 'md5'];
  else if (currentSha256 !== undefined && backup.sha256 !== undefined) [state, comparedBy] = [currentSha256.toLowerCase() === backup.sha256.toLowerCase() ? 'unchanged' : 'changed', 'sha256'];
  else [state, comparedBy] = ['changed', 'etag'];
  const action: RestoreAction = state === 'deleted' ? 'restore' : state === 'unchanged' || options.onlyMissing ? 'none' : options.force ? 'overwrite' : 'keep';
  return { key: backup.key, state, action, backup, ...(current ? { current } : {}), ...(comparedBy ? { comparedBy } : {}) };
}

/** Adds rows up. */
export class RestoreTally {
  private counts = { backupObjects: 0, deleted: 0, changed: 0, unchanged: 0, toWrite: 0, bytesToWrite: 0, kept: 0, comparedByContent: 0 };

  add(row: RestoreRow): void {
    const c = this.counts;
    c.backupObjects++;
    c[row.state]++;
    if (row.comparedBy === 'sha256') c.comparedByContent++;
    if (row.action === 'restore' || row.action === 'overwrite') {
      c.toWrite++;
      c.bytesToWrite += row.backup.size;
    }
    if (row.action === 'keep') c.kept++;
  }

  get totals(): RestoreTotals {
    return { ...this.counts };
  }
}

export interface RestoreSummaryContext {
  readonly backupFolder?: string;
  readonly bucket?: string;
  readonly backupTime?: string;
  /** Whether this describes a restore that ran (true) or a dry run. */
  readonly applied?: boolean;
  /** Keys of changed objects left as they are (named in the summary, the first 20). */
  readonly keptKeys?: readonly string[];
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** The human summary of a plan or of a restore that ran. */
export function formatRestoreSummary(totals: RestoreTotals, context: RestoreSummaryContext = {}): string {
  const lines: string[] = [context.applied ? 'Restore' : 'Restore preview (dry run: nothing was changed)'];
  if (context.backupFolder) lines.push(`  Backup: ${context.backupFolder}${context.backupTime ? ` (${context.backupTime})` : ''}`);
  if (context.bucket) lines.push(`  Bucket: ${context.bucket}`);
  lines.push('');
  lines.push(`  Objects in the backup:            ${totals.backupObjects.toLocaleString('en-US')}`);
  lines.push(`  Deleted since the backup:         ${totals.deleted.toLocaleString('en-US')}`);
  lines.push(`  Changed since the backup:         ${totals.changed.toLocaleString('en-US')}`);
  lines.push(`  Unchanged:                        ${totals.unchanged.toLocaleString('en-US')}`);
  if (totals.comparedByContent > 0) {
    lines.push(`  Compared by content (SHA-256):    ${totals.comparedByContent.toLocaleString('en-US')} (their ETags are not MD5s: multipart or encrypted objects)`);
  }
  lines.push(`  ${context.applied ? 'Written' : 'Would be written'}: ${plural(totals.toWrite, 'object')} (${formatBytes(totals.bytesToWrite)})`);
  if (totals.kept > 0) {
    const keys = context.keptKeys ?? [];
    lines.push('');
    lines.push(`  ${plural(totals.kept, 'object')} changed after the backup and ${context.applied ? (totals.kept === 1 ? 'was' : 'were') : 'will be'} kept as ${totals.kept === 1 ? 'it is' : 'they are'} (not overwritten without --force):`);
    for (const key of keys.slice(0, 20)) lines.push(`    ${JSON.stringify(key)}`);
    if (keys.length > 20) lines.push(`    … and ${(keys.length - 20).toLocaleString('en-US')} more (see --format ndjson or csv)`);
  }
  if (!context.applied) {
    lines.push('');
    lines.push(totals.toWrite > 0 || totals.kept > 0 ? 'Run again with --apply to restore (add --force to overwrite changed objects).' : 'Nothing to restore: the bucket holds every object of the backup unchanged.');
  }
  return lines.join('\n') + '\n';
}

/** One NDJSON line per row (deleted and changed objects; unchanged ones are only counted). */
export function formatRestoreRowJson(row: RestoreRow): string {
  return JSON.stringify({
    type: 'object',
    key: row.key,
    state: row.state,
    action: row.action,
    ...(row.comparedBy ? { comparedBy: row.comparedBy } : {}),
    backup: { size: row.backup.size, etag: row.backup.etag, lastModified: row.backup.lastModified, sha256: row.backup.sha256 },
    ...(row.current ? { current: { size: row.current.size, etag: row.current.etag, lastModified: row.current.lastModified } } : {}),
  });
}

export function formatRestoreTotalsJson(totals: RestoreTotals, context: RestoreSummaryContext = {}): string {
  return JSON.stringify({ type: 'totals', applied: context.applied === true, ...totals, backupFolder: context.backupFolder, bucket: context.bucket });
}

export const RESTORE_CSV_COLUMNS = ['key', 'state', 'action', 'backup_size', 'backup_etag', 'backup_modified', 'current_size', 'current_etag', 'current_modified'] as const;

export function formatRestoreCsvHeader(): string {
  return RESTORE_CSV_COLUMNS.join(',') + '\r\n';
}

export function formatRestoreRowCsv(row: RestoreRow): string {
  return (
    [row.key, row.state, row.action, row.backup.size, row.backup.etag, row.backup.lastModified, row.current?.size, row.current?.etag, row.current?.lastModified]
      .map(formatCsvCell)
      .join(',') + '\r\n'
  );
}
