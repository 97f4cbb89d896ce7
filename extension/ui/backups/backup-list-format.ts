/** Words and formats of the backup list. */
import type { LocalBackupStatus, LocalBackupView } from '../../../shared/protocol/views.ts';

export const BACKUP_STATUS_WORDS: Readonly<Record<LocalBackupStatus, string>> = {
  verified: 'Verified',
  complete: 'Complete, not verified',
  incomplete: 'Incomplete',
  'failed-verification': 'Failed verification',
};

/** Only a backup whose every object was written can be restored (the companion refuses others). */
export function isRestorable(backup: LocalBackupView): boolean {
  return backup.status === 'verified' || backup.status === 'complete';
}

/** Why "Restore…" is not offered, with what to do instead. */
export function whyNotRestorable(backup: LocalBackupView): string {
  return backup.status === 'failed-verification'
    ? 'Cannot be restored: its files did not match the bucket when they were checked. “Back up now” on this bucket makes a verified backup.'
    : 'Cannot be restored: this backup never finished. “Back up now” on this bucket resumes it.';
}

/** `27 Nov 2026, 05:10` in the user's locale; the ISO text when it is not a date. */
export function formatBackupTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : time.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
