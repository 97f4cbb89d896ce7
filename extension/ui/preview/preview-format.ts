/**
 * Plain-words formatting for the "Preview connect" panel: class names as the seed's table says
 * them, counts, rates and time left.
 */
import type { DiffClass, DiffRow, PolicyOutcome } from '../../../shared/diff/diff-inventories.ts';
import { formatBytes } from '../../../shared/diff/format-bytes.ts';
import type { DoctorCheck } from '../../../shared/protocol/views.ts';

export { formatBytes };

/** The seed's "What can happen?" table (§5), one line per class. */
export const CLASS_LABELS: Readonly<Record<DiffClass, { readonly name: string; readonly effect: string }>> = {
  'only-in-bucket': { name: 'Only in bucket', effect: 'will appear in WeSendit' },
  'only-in-wesendit': { name: 'Only in WeSendit', effect: 'will be written to the bucket' },
  same: { name: 'Same content', effect: 'no change' },
  conflict: { name: 'Conflict', effect: 'different content: may be overwritten' },
  unknown: { name: 'Unknown', effect: 'equality cannot be proven' },
};

const COUNT = new Intl.NumberFormat('en-US');

/** `1234567` → `1,234,567`. */
export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** `1 object`, `2 objects`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** Objects per second, rounded the way a progress line reads (`840/s`, `12,300/s`). */
export function formatRate(objectsPerSecond: number): string {
  if (!Number.isFinite(objectsPerSecond) || objectsPerSecond <= 0) return '—';
  if (objectsPerSecond < 10) return `${Math.round(objectsPerSecond * 10) / 10} objects/s`;
  return `${formatCount(Math.round(objectsPerSecond))} objects/s`;
}

/** Time left in words: `less than a second`, `12 s`, `3 min 5 s`, `1 h 2 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return 'less than a second';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** Who keeps the file under a policy, in words. */
export function formatWinner(outcome: PolicyOutcome): string {
  switch (outcome.winner) {
    case 'bucket':
      return 'bucket';
    case 'wesendit':
      return 'WeSendit';
    case 'tie':
      return 'not predictable (same time)';
    case 'unknown':
      return 'not predictable (time missing)';
  }
}

/** The sizes of a row's two sides: `bucket 1.2 MB · WeSendit 800 KB`. */
export function formatRowSizes(row: DiffRow): string {
  const parts: string[] = [];
  if (row.bucket) parts.push(`bucket ${formatBytes(row.bucket.size)}`);
  if (row.wesendit) parts.push(`WeSendit ${formatBytes(row.wesendit.size)}`);
  return parts.join(' · ');
}

const CHECK_ORDER: Readonly<Record<DoctorCheck['status'], number>> = { fail: 0, warn: 1, pass: 2, skip: 3 };

/** Failing checks first, then warnings; otherwise the doctor's own order. */
export function sortDoctorChecks(checks: readonly DoctorCheck[]): DoctorCheck[] {
  return checks
    .map((check, index) => ({ check, index }))
    .sort((a, b) => CHECK_ORDER[a.check.status] - CHECK_ORDER[b.check.status] || a.index - b.index)
    .map(({ check }) => check);
}

export const CHECK_STATUS_WORDS: Readonly<Record<DoctorCheck['status'], string>> = {
  fail: 'Failed',
  warn: 'Warning',
  pass: 'Passed',
  skip: 'Not checked',
};
