/**
 * review.html, framed by the dock on WeSendit's storage page after a connect: the backups of
 * this computer that kept a sync plan, newest first, each with "Review sync result". The review
 * starts only when the user clicks it here, in an extension page the WeSendit page cannot reach;
 * then it is the popup's review (sync-review.tsx): findings, "Check again", "Restore from the
 * backup" — with WeSendit's side read from the storage's file browser in this tab.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { LocalBackupView } from '../../../shared/protocol/views.ts';
import { SyncReview } from '../backups/sync-review.tsx';
import { formatBackupTime } from '../backups/backup-list-format.ts';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';

export function ReviewFrame({ send }: { readonly send: SendToBackground }): JSX.Element {
  const [backups, setBackups] = useState<readonly LocalBackupView[] | undefined>();
  const [unlocked, setUnlocked] = useState<boolean | undefined>();
  const [chosen, setChosen] = useState<LocalBackupView | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    send('backup.list', {}).then(
      (list) => setBackups(list.backups.filter((backup) => backup.hasPlan === true)),
      (caught: unknown) => setError(messageOf(caught)),
    );
    send('vault.status', {}).then(
      (status) => setUnlocked(status.unlocked),
      () => setUnlocked(false),
    );
  }, []);

  if (chosen !== undefined) {
    return (
      <div class="review-frame">
        <SyncReview send={send} backup={chosen} vaultUnlocked={unlocked} id="frame-review" onClose={() => setChosen(undefined)} wesenditFromTab />
      </div>
    );
  }
  return (
    <section class="review-frame" aria-labelledby="review-frame-heading">
      <h2 id="review-frame-heading">Review sync result</h2>
      <p class="hint">Compare the bucket now with what the preview predicted when you connected. Nothing is changed.</p>
      <ErrorMessage message={error} />
      {backups === undefined && error === undefined && <p class="hint">Reading the backups on this computer…</p>}
      {backups !== undefined && backups.length === 0 && <p class="hint">No backup taken at a connect has a plan yet: preview the connect, then connect with Connect Guard.</p>}
      {backups !== undefined && backups.length > 0 && (
        <ul class="backups" aria-label="Backups taken at a connect">
          {backups.map((backup, index) => (
            <li key={backup.folder} class="backup-item">
              <h3 id={`review-backup-${index}`}>
                {backup.bucket} <span class="when">{formatBackupTime(backup.startedAt)}</span>
              </h3>
              <button type="button" aria-describedby={`review-backup-${index}`} onClick={() => setChosen(backup)}>
                Review sync result
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
