/**
 * The sync review's totals: objects and bytes per status and kind, the restore selection and the
 * keys to check again, added up row by row in constant memory (plus those two key lists).
 */
import { AUDIT_KINDS, AUDIT_STATUSES, type AuditKind, type AuditRow, type AuditStatus, type RestoreSelection } from './audit-sync.ts';

/** Objects and bytes. */
export interface AuditCount {
  readonly objects: number;
  readonly bytes: number;
}

export interface AuditTotals {
  readonly objects: number;
  readonly bytes: number;
  readonly statuses: Readonly<Record<AuditStatus, AuditCount>>;
  readonly kinds: Readonly<Record<AuditKind, AuditCount>>;
  /** Keys a restore from the backup would put back or overwrite. */
  readonly restore: AuditCount;
  /** Keys whose content was read and hashed to prove them. */
  readonly contentChecked: number;
}

function zeroCounts<K extends string>(names: readonly K[]): Record<K, { objects: number; bytes: number }> {
  const result = {} as Record<K, { objects: number; bytes: number }>;
  for (const name of names) result[name] = { objects: 0, bytes: 0 };
  return result;
}

/** Adds rows up in constant memory; keeps the keys of not-yet-arrived rows and the restore selection. */
export class AuditTally {
  private objects = 0;
  private bytes = 0;
  private contentChecked = 0;
  private readonly statuses = zeroCounts(AUDIT_STATUSES);
  private readonly kinds = zeroCounts(Object.keys(AUDIT_KINDS) as AuditKind[]);
  private readonly restoreCount = { objects: 0, bytes: 0 };
  /** Keys to restore, in key order. */
  readonly restoreKeys: { key: string; selection: RestoreSelection }[] = [];
  /** Keys to check again, in key order. */
  readonly pendingKeys: string[] = [];

  add(row: AuditRow): void {
    this.objects++;
    this.bytes += row.bytes;
    const status = this.statuses[row.status];
    status.objects++;
    status.bytes += row.bytes;
    const kind = this.kinds[row.kind];
    kind.objects++;
    kind.bytes += row.bytes;
    if (row.contentRead === true) this.contentChecked++;
    if (row.restore !== undefined) {
      this.restoreCount.objects++;
      this.restoreCount.bytes += row.bytes;
      this.restoreKeys.push({ key: row.key, selection: row.restore });
    }
    if (row.status === 'not-yet-arrived') this.pendingKeys.push(row.key);
  }

  addBatch(rows: readonly AuditRow[]): void {
    for (const row of rows) this.add(row);
  }

  get totals(): AuditTotals {
    const copy = <K extends string>(record: Record<K, AuditCount>): Record<K, AuditCount> => {
      const result = {} as Record<K, AuditCount>;
      for (const name of Object.keys(record) as K[]) result[name] = { ...record[name] };
      return result;
    };
    return {
      objects: this.objects,
      bytes: this.bytes,
      statuses: copy(this.statuses),
      kinds: copy(this.kinds),
      restore: { ...this.restoreCount },
      contentChecked: this.contentChecked,
    };
  }
}

/** The review's overall verdict: the worst status that occurred. */
export function auditVerdict(totals: AuditTotals): AuditStatus {
  if (totals.statuses.unexpected.objects > 0) return 'unexpected';
  if (totals.statuses['not-yet-arrived'].objects > 0) return 'not-yet-arrived';
  return 'as-predicted';
}
