/**
 * A finished preview's report file, in parts of a few MB (a million rows never travel in one
 * message): CSV with its header in part 0, or NDJSON ending with the totals.
 */
import { ConnectGuardError } from '../../../shared/errors.ts';
import { formatDiffCsvHeader, formatDiffRowCsv, formatDiffRowJson, formatDiffTotalsJson } from '../../../shared/diff/format-diff-report.ts';
import type { PreviewState } from '../../../shared/protocol/extension-protocol.ts';
import type { PreviewRowStore } from './preview-rows.ts';

/** Aimed size of one part of an exported report: a few MB, far below a message's 64 MiB limit. */
export const EXPORT_PART_BYTES = 4 * 1024 * 1024;

/** Rows per part, chosen once per preview from its keys' length: a CSV or NDJSON row is about two keys plus ~400 bytes. */
export function exportRowsPerPart(averageKeyLength: number): number {
  return Math.max(500, Math.min(50_000, Math.floor(EXPORT_PART_BYTES / (2 * averageKeyLength + 400))));
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'bucket';
}

export interface ReportPart {
  readonly fileName: string;
  readonly mimeType: string;
  readonly parts: number;
  readonly text: string;
}

/** Part `part` of the report of a finished preview; INVALID_INPUT before it finished or for a part that does not exist. */
export function reportPart(state: PreviewState, store: PreviewRowStore, format: 'csv' | 'ndjson', part: number): ReportPart {
  const { summary } = state;
  if (state.status !== 'done' || summary === undefined) {
    throw new ConnectGuardError('INVALID_INPUT', 'The preview has not finished yet. Export the report when it shows its summary.');
  }
  const total = store.length;
  const perPart = exportRowsPerPart(store.averageKeyLength);
  const parts = Math.max(1, Math.ceil(total / perPart));
  if (!Number.isSafeInteger(part) || part < 0 || part >= parts) throw new ConnectGuardError('INVALID_INPUT', `The report has parts 0 to ${parts - 1}.`);
  const from = part * perPart;
  const to = Math.min(total, from + perPart);
  const lines: string[] = [];
  if (format === 'csv') {
    if (part === 0) lines.push(formatDiffCsvHeader());
    for (const row of store.rows(from, to)) lines.push(formatDiffRowCsv(row));
  } else {
    for (const row of store.rows(from, to)) lines.push(formatDiffRowJson(row) + '\n');
    if (part === parts - 1) lines.push(formatDiffTotalsJson(summary.totals) + '\n');
  }
  const stamp = state.startedAt.replace(/[:.]/g, '-');
  return {
    fileName: `connect-guard-preview-${safeName(state.bucket.bucket)}-${stamp}.${format}`,
    mimeType: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
    parts,
    text: lines.join(''),
  };
}
