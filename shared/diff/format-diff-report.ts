import type { DiffClass, DiffRow } from './diff-inventories.ts';
import { formatBytes } from './format-bytes.ts';
import type { DiffTotals } from './summarize-diff.ts';

/** In-progress multipart uploads in the bucket (seed §5: "no active uploads or transfers"). */
export type MultipartUploadStatus =
  | { readonly supported: true; readonly count: number }
  | { readonly supported: false; readonly reason: string };

export interface DiffSummaryContext {
  /** Where the bucket side came from, e.g. `s3://usr-…-backup at http://127.0.0.1:7480`. */
  readonly bucketSource?: string;
  /** Where the WeSendit side came from, e.g. `manifest wesendit.csv`. */
  readonly wesenditSource?: string;
  readonly multipartUploads?: MultipartUploadStatus;
}

const CLASS_LABELS: Record<DiffClass, string> = {
  'only-in-bucket': 'Only in bucket (will appear in WeSendit)',
  'only-in-wesendit': 'Only in WeSendit (will be written to the bucket)',
  same: 'Same content (no change)',
  conflict: 'Conflict (different content: may be overwritten)',
  unknown: 'Unknown (equality cannot be proven)',
};

const CLASS_ORDER: readonly DiffClass[] = ['only-in-bucket', 'only-in-wesendit', 'same', 'conflict', 'unknown'];

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** Describes in-progress multipart uploads in one line. */
export function describeMultipartUploads(status: MultipartUploadStatus): string {
  if (!status.supported) {
    // A full sentence from the lister is shown as it is; a bare code gets the explanation.
    if (/[.!]$/.test(status.reason.trim())) return `In-progress uploads: ${status.reason.trim()}`;
    return `In-progress uploads: the server does not support listing them (${status.reason}). Make sure no transfers are running before you connect.`;
  }
  if (status.count === 0) return 'In-progress uploads: no active uploads.';
  return `In-progress uploads: ${plural(status.count, 'upload')} in progress. Wait for them to finish (or abort them) before you connect: their files are not in this diff.`;
}

/** Bytes of the bucket that hold data: everything the bucket side listed. */
function bucketObjectCount(totals: DiffTotals): number {
  const c = totals.classes;
  return c['only-in-bucket'].objects + c.same.objects + c.conflict.objects + c.unknown.objects;
}

/**
 * The human summary: counts and bytes per class, what each overwrite policy would cost, the
 * look-alikes, and the seed's strategy advice (§7).
 */
export function formatDiffSummary(totals: DiffTotals, context: DiffSummaryContext = {}): string {
  const lines: string[] = [];
  lines.push('Connect preview');
  if (context.bucketSource) lines.push(`  Bucket side:   ${context.bucketSource}`);
  if (context.wesenditSource) lines.push(`  WeSendit side: ${context.wesenditSource}`);
  lines.push('');
  const width = Math.max(...CLASS_ORDER.map((name) => CLASS_LABELS[name].length));
  for (const name of CLASS_ORDER) {
    const t = totals.classes[name];
    let bytes: string;
    if (name === 'only-in-bucket') bytes = formatBytes(t.bucketBytes);
    else if (name === 'only-in-wesendit' || name === 'same') bytes = formatBytes(name === 'same' ? t.bucketBytes : t.wesenditBytes);
    else bytes = `${formatBytes(t.bucketBytes)} in bucket / ${formatBytes(t.wesenditBytes)} in WeSendit`;
    lines.push(`  ${CLASS_LABELS[name].padEnd(width)}  ${t.objects.toLocaleString('en-US').padStart(10)}  ${bytes}`);
  }
  lines.push(`  ${'Total keys'.padEnd(width)}  ${totals.objects.toLocaleString('en-US').padStart(10)}`);
  lines.push('');

  const { newerWins, wesenditWins, unknownNewerWins, unknownWesenditWins } = totals.atRisk;
  if (newerWins.objects > 0 || unknownNewerWins.objects > 0) {
    lines.push('What may be overwritten:');
    lines.push(
      `  If the newer version wins:   ${plural(newerWins.objects, 'conflict')}, ${formatBytes(newerWins.bytes)} lost` +
        (newerWins.undecided > 0 ? ` (${newerWins.undecided.toLocaleString('en-US')} undecided: same or missing modification time, counted at the larger size)` : ''),
    );
    lines.push(`  If WeSendit's version wins:  ${plural(wesenditWins.objects, 'conflict')}, ${formatBytes(wesenditWins.bytes)} of the bucket's data lost`);
    if (unknownNewerWins.objects > 0) {
      lines.push(
        `  Plus ${plural(unknownNewerWins.objects, 'unknown key')} that may differ: up to ${formatBytes(unknownNewerWins.bytes)} (newer wins) / ${formatBytes(unknownWesenditWins.bytes)} (WeSendit wins)`,
      );
    }
    for (const row of totals.examples.conflict) {
      lines.push(`  - ${row.key}: ${row.reason}; newer wins → ${row.outcome?.newerWins.loss ?? 'n/a'}; WeSendit wins → ${row.outcome?.wesenditWins.loss ?? 'n/a'}`);
    }
    if (totals.classes.conflict.objects > totals.examples.conflict.length) lines.push('  … (full list in the NDJSON or CSV report)');
    for (const row of totals.examples.unknown) lines.push(`  ? ${row.key}: ${row.reason}`);
    lines.push('');
  }

  if (totals.lookalikes > 0) {
    lines.push(`Look-alike names: ${plural(totals.lookalikes, 'key')} ${totals.lookalikes === 1 ? 'differs' : 'differ'} from another only by letter case or Unicode form.`);
    lines.push('  They collide on case-insensitive or normalising file systems and UIs (Windows, macOS): one may hide or replace the other.');
    for (const row of totals.examples.lookalike) lines.push(`  - ${JSON.stringify(row.key)} looks like ${JSON.stringify(row.lookalikeOf)}`);
    lines.push('');
  }

  if (context.multipartUploads) {
    lines.push(describeMultipartUploads(context.multipartUploads));
    lines.push('');
  }

  const bucketObjects = bucketObjectCount(totals);
  if (bucketObjects === 0) {
    lines.push('Advice: the bucket is empty. Strategy 1, Fresh Start: connect it and upload through WeSendit; no conflicts are possible.');
  } else {
    lines.push(`Advice: the bucket holds ${plural(bucketObjects, 'object')}. Strategy 2, Integrating Existing Data:`);
    lines.push('  1. Create a full backup of the bucket first.');
    lines.push('  2. Keep this report: it is your note of which files were in the bucket.');
    lines.push('  3. Make sure no uploads or transfers are running.');
    lines.push('  4. Connect the storage, then review the sync result before making further changes.');
    if (totals.classes.conflict.objects > 0) {
      lines.push('  Conflicting files may be overwritten: if files are overwritten, restore them from that backup.');
    }
  }
  return lines.join('\n') + '\n';
}

/** One NDJSON line (without newline) for a row: `{"type":"row",…}`. */
export function formatDiffRowJson(row: DiffRow): string {
  return JSON.stringify({
    type: 'row',
    key: row.key,
    class: row.class,
    reason: row.reason,
    lookalikeOf: row.lookalikeOf,
    bucket: row.bucket,
    wesendit: row.wesendit,
    outcome: row.outcome,
  });
}

/** The closing NDJSON line (without newline): `{"type":"totals",…}` without the examples. */
export function formatDiffTotalsJson(totals: DiffTotals, context: DiffSummaryContext = {}): string {
  return JSON.stringify({
    type: 'totals',
    objects: totals.objects,
    classes: totals.classes,
    atRisk: totals.atRisk,
    lookalikes: totals.lookalikes,
    multipartUploads: context.multipartUploads,
  });
}

export const DIFF_CSV_COLUMNS = [
  'key',
  'class',
  'reason',
  'lookalike_of',
  'bucket_size',
  'bucket_modified',
  'bucket_etag',
  'wesendit_size',
  'wesendit_modified',
  'wesendit_md5',
  'newer_wins_winner',
  'newer_wins_loss',
  'wesendit_wins_loss',
  /** Set when WeSendit's file browser showed the size rounded: the true size is within ± this many bytes. */
  'wesendit_size_rounding',
] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF. A text cell starting
 * with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so spreadsheet programs do not run it
 * as a formula (OWASP "CSV injection"); object keys are attacker-controlled text.
 */
export function formatCsvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text)) text = `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** The CSV header line, with CRLF as RFC 4180 asks. */
export function formatDiffCsvHeader(): string {
  return DIFF_CSV_COLUMNS.join(',') + '\r\n';
}

/** One CSV record with CRLF. */
export function formatDiffRowCsv(row: DiffRow): string {
  const cells = [
    row.key,
    row.class,
    row.reason,
    row.lookalikeOf,
    row.bucket?.size,
    row.bucket?.lastModified,
    row.bucket?.etag ?? row.bucket?.md5,
    row.wesendit?.size,
    row.wesendit?.lastModified,
    row.wesendit?.md5 ?? row.wesendit?.etag,
    row.outcome?.newerWins.winner,
    row.outcome?.newerWins.loss,
    row.outcome?.wesenditWins.loss,
    row.wesendit?.sizeTolerance,
  ];
  return cells.map(formatCsvCell).join(',') + '\r\n';
}
