/**
 * The sync review as reports: NDJSON and CSV with one line per key, in S3 key order, led by
 * rclone check --combined's mark (`=` identical, `-` only in the bucket, `+` missing from the
 * bucket, `*` differs, `!` could not be read or proven) so an admin who knows rclone reads it at
 * once, with the prediction beside it; and a summary for people.
 */
import { formatBytes } from '../diff/format-bytes.ts';
import { formatCsvCell } from '../diff/format-diff-report.ts';
import { AUDIT_KINDS, type AuditKind, type AuditRow, type AuditStatus } from './audit-sync.ts';
import { auditVerdict, type AuditTotals } from './audit-totals.ts';
import type { PlanHeader } from './sync-plan.ts';

/** One NDJSON line (without the newline). */
export function formatAuditRowJson(row: AuditRow): string {
  return JSON.stringify({
    mark: row.mark,
    key: row.key,
    status: row.status,
    kind: row.kind,
    predicted: row.predicted,
    actual: row.actual,
    proof: row.proof,
    ...(row.planClass ? { planClass: row.planClass, winner: row.winner } : {}),
    ...(row.current ? { size: row.current.size, etag: row.current.etag } : {}),
    ...(row.restore ? { restore: row.restore } : {}),
  });
}

export const AUDIT_CSV_COLUMNS = ['mark', 'key', 'status', 'kind', 'predicted', 'actual', 'proof', 'plan_class', 'winner', 'size', 'etag', 'restore'] as const;

export function formatAuditCsvHeader(): string {
  return AUDIT_CSV_COLUMNS.join(',') + '\r\n';
}

/**
 * One CSV line. The mark is written as it is (not prefixed like other cells that start with
 * `=`, `+` or `-`): it is one character, never a formula.
 */
export function formatAuditRowCsv(row: AuditRow): string {
  const cells = [row.key, row.status, row.kind, row.predicted, row.actual, row.proof, row.planClass, row.winner, row.current?.size, row.current?.etag, row.restore].map(formatCsvCell);
  return `"${row.mark}",${cells.join(',')}\r\n`;
}

export interface AuditContext {
  readonly plan: PlanHeader;
  /** Where the plan was read from. */
  readonly planPath?: string;
  /** "s3://bucket at endpoint". */
  readonly bucketSource?: string;
  /** Whether WeSendit's side was listed too. */
  readonly wesenditListed?: boolean;
}

export function formatAuditTotalsJson(totals: AuditTotals, context: AuditContext): string {
  return JSON.stringify({
    type: 'totals',
    verdict: auditVerdict(totals),
    bucket: context.plan.bucket,
    planCreatedAt: context.plan.createdAt,
    policy: context.plan.policy,
    objects: totals.objects,
    bytes: totals.bytes,
    statuses: totals.statuses,
    kinds: totals.kinds,
    restore: totals.restore,
    contentChecked: totals.contentChecked,
  });
}

const STATUS_LABELS: Readonly<Record<AuditStatus, string>> = {
  'as-predicted': 'As predicted',
  'not-yet-arrived': 'Not yet arrived',
  unexpected: 'Unexpected',
};

/** Plain words for each kind, as the summary and the popup show them. */
export const AUDIT_KIND_LABELS: Readonly<Record<AuditKind, string>> = {
  unchanged: 'same content, unchanged',
  'visible-in-wesendit': 'only in the bucket, kept (now in WeSendit)',
  'written-from-wesendit': "only in WeSendit, written with WeSendit's content",
  'conflict-resolved': 'conflict resolved as predicted',
  'not-written-yet': 'to be written, not in the bucket yet',
  'not-overwritten-yet': "WeSendit's version not written yet",
  'not-in-wesendit-yet': 'not shown by WeSendit yet',
  'changed-unexpectedly': 'predicted unchanged, content changed',
  'conflict-won-by-other-side': 'conflict won by the other side',
  'gone-from-bucket': 'gone from the bucket (data loss)',
  'matches-neither': "matches neither side's content",
  'extra-key': 'extra key neither side had',
  unverifiable: 'could not be read or proven',
};

function count(objects: number): string {
  return objects.toLocaleString('en-US');
}

/** The summary: totals per status and kind, what to do next. */
export function formatAuditSummary(totals: AuditTotals, context: AuditContext, examples: readonly AuditRow[] = []): string {
  const lines: string[] = ['Sync review'];
  lines.push(`  Plan:   ${context.planPath ?? 'saved plan'} (${context.plan.createdAt}, ${context.plan.policy === 'wesendit-wins' ? '"WeSendit wins"' : '"newer wins"'})`);
  if (context.bucketSource) lines.push(`  Bucket: ${context.bucketSource}`);
  lines.push(`  WeSendit side: ${context.wesenditListed ? 'listed now' : 'not listed (only the bucket was checked)'}`);
  lines.push('');
  lines.push(`  Keys reviewed: ${count(totals.objects)} (${formatBytes(totals.bytes)})`);
  for (const status of ['as-predicted', 'not-yet-arrived', 'unexpected'] as const) {
    const total = totals.statuses[status];
    lines.push(`  ${STATUS_LABELS[status].padEnd(16)} ${count(total.objects).padStart(10)}  ${formatBytes(total.bytes)}`);
    for (const kind of Object.keys(AUDIT_KINDS) as AuditKind[]) {
      if (AUDIT_KINDS[kind] !== status || totals.kinds[kind].objects === 0) continue;
      lines.push(`    ${AUDIT_KIND_LABELS[kind].padEnd(44)} ${count(totals.kinds[kind].objects).padStart(8)}  ${formatBytes(totals.kinds[kind].bytes)}`);
    }
  }
  if (totals.contentChecked > 0) lines.push(`  Read and hashed to prove their content: ${count(totals.contentChecked)}`);
  const shown = examples.filter((row) => row.status !== 'as-predicted').slice(0, 20);
  if (shown.length > 0) {
    lines.push('');
    for (const row of shown) lines.push(`  ${row.mark} ${JSON.stringify(row.key)}: ${row.actual}${row.restore ? ' [restore]' : ''}`);
  }
  lines.push('');
  const verdict = auditVerdict(totals);
  if (totals.restore.objects > 0) {
    lines.push(`  ${count(totals.restore.objects)} objects (${formatBytes(totals.restore.bytes)}) were lost or overwritten unexpectedly: restore them from the backup${context.plan.backup ? ` ${context.plan.backup}` : ''}`);
    lines.push('  ("connect-guard restore --from BACKUP --keys REPORT.ndjson" with this review\'s NDJSON report shows the dry run; add --apply to restore).');
  }
  if (verdict === 'as-predicted') lines.push('  The sync did what the preview predicted.');
  else if (verdict === 'not-yet-arrived') lines.push('  Some files have not arrived yet; short delays are normal. Check again later (--only-pending).');
  else lines.push('  The sync did something the preview did not predict: see the keys above.');
  return lines.join('\n') + '\n';
}
