/**
 * "Back up now" in the popup: an incremental, verified backup of a bucket to this computer, run
 * by the companion through the background (PRODUCT.md §5), with progress (objects, bytes, rate,
 * time left) and Cancel; then "Backup verified" with the folder. On open it shows the latest
 * backup of this browser session (`backup.latest`), still running or finished. Restoring is done
 * from the list of backups beside it (backup-list.tsx).
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { BackupJobState } from '../../../shared/protocol/extension-protocol.ts';
import { BackupConnectionPicker, useBackupConnection } from './backup-connection.tsx';
import { BackupResult, TransferProgress } from './backup-progress.tsx';
import { ErrorMessage, OutcomeMessages, messageOf } from '../components/error-message.tsx';
import { pollOnce } from '../components/poll-once.ts';
import type { SendToBackground } from '../preview/preview-send.ts';

export interface BackupPanelProps {
  readonly send: SendToBackground;
  /** Changes when the host page unlocked (or locked) the vault: saved storages are read again. */
  readonly vaultUnlocked?: boolean;
  /** How often a running backup is polled. */
  readonly pollMs?: number;
  /** A backup this panel showed running has ended (done, failed or cancelled): its folder changed. */
  readonly onFinished?: (job: BackupJobState) => void;
}

export function BackupPanel({ send, vaultUnlocked, pollMs = 250, onFinished }: BackupPanelProps): JSX.Element {
  const connection = useBackupConnection(send, vaultUnlocked);
  const [job, setJob] = useState<BackupJobState | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  /** Replies are applied in the order their requests were sent: a poll answered after Cancel must not undo it. */
  const sent = useRef(0);
  const applied = useRef(0);

  function apply(sequence: number, next: BackupJobState): void {
    if (sequence < applied.current) return;
    applied.current = sequence;
    // A job that ended does not run again: a running state for it is a reply that crossed the end.
    setJob((current) => (current !== undefined && current.backupId === next.backupId && current.status !== 'running' && next.status === 'running' ? current : next));
  }

  function nextSequence(): number {
    sent.current += 1;
    return sent.current;
  }

  useEffect(() => {
    const sequence = nextSequence();
    send('backup.latest', {}).then(
      (latest) => {
        if (latest !== null) apply(sequence, latest);
      },
      (caught: unknown) => setError(messageOf(caught)),
    );
  }, []);

  /** The job started here or seen running, to tell its end apart from a job that had ended before the popup opened. */
  const runningId = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (job === undefined) return;
    if (job.status === 'running') runningId.current = job.backupId;
    else if (runningId.current === job.backupId) {
      runningId.current = undefined;
      onFinished?.(job);
    }
  }, [job]);

  useEffect(() => {
    if (job?.status !== 'running') return;
    const backupId = job.backupId;
    return pollOnce(
      pollMs,
      () => {
        const sequence = nextSequence();
        return send('backup.state', { backupId }).then((next) => ({ sequence, next }));
      },
      ({ sequence, next }) => {
        if (next.backupId === backupId) apply(sequence, next);
      },
      (caught) => setError(messageOf(caught)),
    );
  }, [job]);

  async function start(): Promise<void> {
    setError(undefined);
    const source = connection.source();
    if ('problem' in source) {
      setError(source.problem);
      return;
    }
    setBusy(true);
    const sequence = nextSequence();
    try {
      setCancelling(false);
      const first = await send('backup.start', { connection: source });
      runningId.current = first.backupId;
      apply(sequence, first);
    } catch (caught) {
      if (caught instanceof ConnectGuardError && caught.code === 'VAULT_LOCKED') connection.markLocked();
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  async function cancel(): Promise<void> {
    if (job === undefined) return;
    setCancelling(true);
    const sequence = nextSequence();
    try {
      apply(sequence, await send('backup.cancel', { backupId: job.backupId }));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setCancelling(false);
    }
  }

  const running = job?.status === 'running';
  return (
    <section class="backup-panel" aria-labelledby="backup-heading">
      <h2 id="backup-heading">Back up a bucket</h2>
      <p class="hint">A verified copy of the bucket on this computer, taken before WeSendit’s sync can overwrite anything. Unchanged objects are linked from the previous backup.</p>
      <BackupConnectionPicker connection={connection} disabled={busy || running} />
      <div class="row">
        <button type="button" disabled={busy || running} onClick={() => void start()}>
          Back up now
        </button>
        {busy && <span aria-live="polite"> Starting…</span>}
      </div>
      {job !== undefined && <BackupJob job={job} onCancel={() => void cancel()} cancelling={cancelling} />}
      <OutcomeMessages note={undefined} error={error} />
    </section>
  );
}

function BackupJob({ job, onCancel, cancelling }: { readonly job: BackupJobState; readonly onCancel: () => void; readonly cancelling: boolean }): JSX.Element {
  const bucket = (
    <p class="hint">
      Backup of <code>{job.bucket.bucket}</code>
      {job.bucket.endpoint !== '' && (
        <>
          {' '}
          on <code>{job.bucket.endpoint}</code>
        </>
      )}
      , started {new Date(job.startedAt).toLocaleString()}
    </p>
  );
  switch (job.status) {
    case 'running':
      return (
        <>
          {bucket}
          <TransferProgress label="Backup progress" progress={job.progress} starting="Starting the backup…" onCancel={onCancel} cancelling={cancelling} />
        </>
      );
    case 'done':
      return (
        <>
          {bucket}
          {job.result === undefined ? <p role="status">The backup finished.</p> : <BackupResult result={job.result} />}
        </>
      );
    case 'failed':
      return (
        <>
          {bucket}
          <p role="status">The backup failed; nothing was changed in the bucket.</p>
          <ErrorMessage message={job.error?.message ?? 'The companion gave no reason. Run “connect-guard doctor” to check the connection.'} />
        </>
      );
    case 'cancelled':
      return (
        <>
          {bucket}
          <p role="status">The backup was cancelled; nothing was changed in the bucket. “Back up now” runs it again.</p>
        </>
      );
  }
}
