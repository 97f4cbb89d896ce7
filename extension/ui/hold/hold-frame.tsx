/**
 * "Backing up before connect": the frame the connect hold opens beside WeSendit's connect form
 * (hold.html#hold=<holdId>). It polls the hold and says in plain words why the click is held and
 * what happens next: checking the bucket; an empty bucket is a Fresh Start and goes straight
 * through; otherwise the backup runs with progress and Cancel; uploads in progress need "Connect
 * anyway"; a verified backup says "Backup verified" and the click goes through; a failed or
 * cancelled backup keeps the click held and offers "Try again" or, with the reason in view,
 * "Connect anyway". A click that was not the user's, or for a bucket address they have not seen in
 * Connect Guard, waits for "Back up and connect" here before anything is contacted.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConnectHoldState, PageRequests } from '../../../shared/protocol/extension-protocol.ts';
import { BackupResult, MultipartUploadsNote, TransferProgress } from '../backups/backup-progress.tsx';
import { ErrorMessage, OutcomeMessages, messageOf } from '../components/error-message.tsx';
import { formatBytes, formatCount } from '../preview/preview-format.ts';
import type { SendToBackground } from '../preview/preview-send.ts';

export const FRESH_START_TEXT = 'Fresh Start: the bucket is empty, nothing to back up';

/** `#hold=<id>` → the id, or `undefined`. */
export function holdIdFromHash(hash: string): string | undefined {
  const id = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash).get('hold') ?? '';
  return id === '' ? undefined : id;
}

function isActive(state: ConnectHoldState | undefined): boolean {
  return state === undefined || state.status === 'checking' || state.status === 'backing-up' || state.status === 'needs-confirmation' || state.status === 'needs-approval';
}

export interface HoldFrameProps {
  readonly holdId: string;
  readonly send: SendToBackground;
  /** How often the hold is polled while it is not settled. */
  readonly pollMs?: number;
}

type HoldAction = keyof Pick<PageRequests, 'connectHold.cancel' | 'connectHold.retry' | 'connectHold.connectAnyway' | 'connectHold.approve'>;

export function HoldFrame({ holdId, send, pollMs = 250 }: HoldFrameProps): JSX.Element {
  const [state, setState] = useState<ConnectHoldState | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState<HoldAction | undefined>();
  const [tick, setTick] = useState(0);
  /** Replies are applied in the order their requests were sent: a poll answered after Cancel must not undo it. */
  const sent = useRef(0);
  const applied = useRef(0);
  const failures = useRef(0);

  function apply(sequence: number, next: ConnectHoldState): void {
    if (sequence < applied.current) return;
    applied.current = sequence;
    setState(next);
  }

  useEffect(() => {
    if (!isActive(state)) return;
    let live = true;
    // The first look is immediate; after errors, back off so a restarting background is not flooded.
    const delay = state === undefined && failures.current === 0 ? 0 : failures.current > 0 ? Math.min(pollMs * 2 ** failures.current, 4_000) : pollMs;
    const timer = setTimeout(() => {
      sent.current += 1;
      const sequence = sent.current;
      send('connectHold.get', { holdId }).then(
        (next) => {
          failures.current = 0;
          if (!live) return;
          setError(undefined);
          apply(sequence, next);
          setTick((value) => value + 1);
        },
        (caught: unknown) => {
          failures.current += 1;
          if (!live) return;
          setError(messageOf(caught));
          setTick((value) => value + 1);
        },
      );
    }, delay);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [tick, state?.status]);

  async function act(action: HoldAction): Promise<void> {
    setBusy(action);
    setError(undefined);
    sent.current += 1;
    const sequence = sent.current;
    try {
      apply(sequence, await send(action, { holdId }));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    // The gate prompt's frame style: both are extension frames beside WeSendit's own UI.
    <section class="gate hold-frame" aria-labelledby="hold-heading">
      <h1 id="hold-heading">Backing up before connect</h1>
      {state !== undefined && (
        <p class="hint">
          Bucket <code>{state.bucket.bucket}</code>
          {state.bucket.endpoint !== '' && (
            <>
              {' '}
              on <code>{state.bucket.endpoint}</code>
            </>
          )}
        </p>
      )}
      {state === undefined ? error === undefined && <p role="status">Checking the bucket…</p> : <HoldStatus state={state} busy={busy} onAction={(action) => void act(action)} />}
      <OutcomeMessages note={undefined} error={error} />
    </section>
  );
}

function HoldStatus({ state, busy, onAction }: { readonly state: ConnectHoldState; readonly busy: HoldAction | undefined; readonly onAction: (action: HoldAction) => void }): JSX.Element {
  const reason = state.reason === '' ? null : <p class="hint">{state.reason}</p>;
  switch (state.status) {
    case 'needs-approval':
      return (
        <>
          <p role="status">{state.approval === 'not-your-click' ? 'WeSendit’s connect click is held: it did not come from you.' : 'WeSendit’s connect click is held until you approve the backup.'}</p>
          {reason}
          <dl class="fields">
            <dt>Bucket</dt>
            <dd>
              <code>{state.bucket.bucket}</code>
            </dd>
            <dt>Address</dt>
            <dd>
              <code>{state.bucket.endpoint === '' ? '(the provider’s default)' : state.bucket.endpoint}</code>
            </dd>
            <dt>Access key</dt>
            <dd>
              <code>{state.bucket.accessKeyId}</code>
            </dd>
          </dl>
          <div class="row">
            <button type="button" disabled={busy !== undefined} onClick={() => onAction('connectHold.approve')}>
              Back up and connect
            </button>
            <button type="button" class="secondary" disabled={busy !== undefined} onClick={() => onAction('connectHold.cancel')}>
              Cancel
            </button>
          </div>
          <p class="hint">
            Or{' '}
            <button type="button" class="link" disabled={busy !== undefined} onClick={() => onAction('connectHold.connectAnyway')}>
              connect without a backup
            </button>
            : WeSendit’s sync may then overwrite files in the bucket that exist nowhere else.
          </p>
        </>
      );
    case 'checking':
      return (
        <>
          <p role="status">Checking the bucket: is it empty, are uploads running, is there a verified backup of what it holds now? WeSendit’s connect click is held meanwhile.</p>
          {reason}
        </>
      );
    case 'backing-up':
      return (
        <>
          <p>WeSendit’s connect click is held until the bucket is backed up to this computer and the backup verified.</p>
          <TransferProgress label="Backup progress" progress={state.backup?.progress} starting="Starting the backup…" onCancel={() => onAction('connectHold.cancel')} cancelling={busy === 'connectHold.cancel'} />
          {reason}
        </>
      );
    case 'needs-confirmation': {
      const result = state.backup?.result;
      return (
        <>
          <MultipartUploadsNote uploads={state.multipartUploads} />
          {reason}
          <p>Wait until the uploads have finished and try again, or connect anyway: WeSendit’s sync may then miss or overwrite the files still being uploaded.</p>
          {/* The choice comes before the details, so it is in view without scrolling the frame. */}
          <div class="row">
            <button type="button" disabled={busy !== undefined} onClick={() => onAction('connectHold.connectAnyway')}>
              Connect anyway
            </button>
            <button type="button" class="secondary" disabled={busy !== undefined} onClick={() => onAction('connectHold.cancel')}>
              Cancel
            </button>
          </div>
          {result !== undefined && (
            <p>
              Backed up and checked: {formatCount(result.objects)} objects, {formatBytes(result.bytes)} in <code>{result.folder}</code>.
            </p>
          )}
        </>
      );
    }
    case 'released': {
      const result = state.backup?.result;
      if (result !== undefined) {
        return (
          <>
            <BackupResult result={result} />
            <p role="status">The connect click went through: WeSendit is connecting the storage now.</p>
          </>
        );
      }
      const freshStart = state.backup === undefined && (state.multipartUploads === undefined || state.multipartUploads.count === 0);
      return (
        <>
          {freshStart && (
            <p class="ok" role="status">
              <strong>{FRESH_START_TEXT}</strong>
            </p>
          )}
          {!freshStart && reason}
          <p role="status">The connect click went through: WeSendit is connecting the storage now.</p>
        </>
      );
    }
    case 'failed':
    case 'cancelled': {
      const message = state.error?.message ?? state.backup?.error?.message;
      return (
        <>
          <p role="status">{state.status === 'failed' ? 'The backup failed' : 'The backup was cancelled'}, so WeSendit’s connect click stays held.</p>
          <ErrorMessage message={message} />
          {message !== state.reason && reason}
          <div class="row">
            <button type="button" disabled={busy !== undefined} onClick={() => onAction('connectHold.retry')}>
              Try again
            </button>
            <button type="button" class="secondary" disabled={busy !== undefined} onClick={() => onAction('connectHold.connectAnyway')}>
              Connect anyway
            </button>
          </div>
          <p class="hint">“Connect anyway” lets WeSendit connect without a verified backup{message ? ` (${message})` : ''}: its sync may then overwrite files in the bucket that exist nowhere else.</p>
        </>
      );
    }
  }
}
