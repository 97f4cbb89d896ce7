/**
 * Restoring one backup folder (the seed's fix for overwritten files: "restore the backup you
 * created"). A dry run first (`restore.plan`): the objects deleted or changed in the bucket since
 * the backup, with counts and bytes. Changed objects are kept unless the user checks "Also
 * overwrite changed objects" (the plan is made again with `force`). "Apply restore" applies the
 * plan the user saw (`restore.apply`), then shows what was restored and whether it was verified.
 * Each new state is scrolled into view: the dry run's rows and "Apply restore" must not wait
 * below the fold.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { PreviewConnectionSource, RestoreView } from '../../../shared/protocol/extension-protocol.ts';
import { TransferProgress } from './backup-progress.tsx';
import { ErrorMessage, OutcomeMessages, messageOf } from '../components/error-message.tsx';
import { pollOnce } from '../components/poll-once.ts';
import { formatBytes, formatCount, plural } from '../preview/preview-format.ts';
import type { SendToBackground } from '../preview/preview-send.ts';

export interface RestorePanelProps {
  readonly send: SendToBackground;
  /** The bucket to restore, or what is missing in plain words. */
  readonly source: () => PreviewConnectionSource | { readonly problem: string };
  /** The backup folder to restore from. */
  readonly folder: string;
  /** Runs the dry run once as soon as this is true (the bucket's keys are known without typing). */
  readonly autoStart?: boolean;
  readonly pollMs?: number;
  /** A request answered VAULT_LOCKED. */
  readonly onVaultLocked?: () => void;
  /** Only these keys (the sync review's selection); changed ones among them are overwritten. */
  readonly keys?: readonly string[];
}

function isWorking(view: RestoreView | undefined): boolean {
  return view !== undefined && (view.status === 'planning' || view.status === 'applying');
}

export function RestorePanel({ send, source, folder, autoStart = false, pollMs = 250, onVaultLocked, keys }: RestorePanelProps): JSX.Element {
  const [view, setView] = useState<RestoreView | undefined>();
  const [force, setForce] = useState(keys !== undefined);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const sent = useRef(0);
  const applied = useRef(0);
  const started = useRef(false);
  const shown = useRef<HTMLDivElement>(null);

  function apply(sequence: number, next: RestoreView): void {
    if (sequence < applied.current) return;
    applied.current = sequence;
    setView(next);
  }

  function nextSequence(): number {
    sent.current += 1;
    return sent.current;
  }

  useEffect(() => {
    if (!isWorking(view) || view === undefined) return;
    const restoreId = view.restoreId;
    return pollOnce(
      pollMs,
      () => {
        const sequence = nextSequence();
        return send('restore.state', { restoreId }).then((next) => ({ sequence, next }));
      },
      ({ sequence, next }) => {
        if (next.restoreId === restoreId) apply(sequence, next);
      },
      (caught) => setError(messageOf(caught)),
    );
  }, [view]);

  useEffect(() => {
    if (!autoStart || started.current) return;
    void plan(force);
  }, [autoStart]);

  // The plan, the restore's progress and its result appear under the chosen backup: bring them into view.
  useEffect(() => {
    const element = shown.current;
    if (element !== null && typeof element.scrollIntoView === 'function') element.scrollIntoView({ block: 'nearest' });
  }, [view?.status, error]);

  async function plan(withForce: boolean): Promise<void> {
    started.current = true;
    setError(undefined);
    const chosen = source();
    if ('problem' in chosen) {
      setError(chosen.problem);
      return;
    }
    setBusy(true);
    const sequence = nextSequence();
    try {
      apply(sequence, await send('restore.plan', { connection: chosen, folder, ...(withForce ? { force: true } : {}), ...(keys ? { keys } : {}) }));
    } catch (caught) {
      if (caught instanceof ConnectGuardError && caught.code === 'VAULT_LOCKED') onVaultLocked?.();
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  async function restore(): Promise<void> {
    if (view === undefined) return;
    setError(undefined);
    setBusy(true);
    const sequence = nextSequence();
    try {
      apply(sequence, await send('restore.apply', { restoreId: view.restoreId }));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  function toggleForce(next: boolean): void {
    setForce(next);
    // The plan decides what "Restore" writes: a changed choice needs a plan made with it.
    if (view !== undefined && view.status === 'planned') void plan(next);
  }

  const working = busy || isWorking(view);
  return (
    <div class="restore-panel">
      <div class="row">
        <button type="button" class="secondary" disabled={working} onClick={() => void plan(force)}>
          {view === undefined ? 'Dry run' : 'Dry run again'}
        </button>
        {busy && view === undefined && <span aria-live="polite"> Starting the dry run…</span>}
      </div>
      <div ref={shown} class="restore-status">
        {view !== undefined && <RestoreStatus view={view} force={force} working={working} onForce={toggleForce} onRestore={() => void restore()} />}
        <OutcomeMessages note={undefined} error={error} />
      </div>
    </div>
  );
}

interface RestoreStatusProps {
  readonly view: RestoreView;
  readonly force: boolean;
  readonly working: boolean;
  readonly onForce: (force: boolean) => void;
  readonly onRestore: () => void;
}

function RestoreStatus({ view, force, working, onForce, onRestore }: RestoreStatusProps): JSX.Element {
  const from = (
    <p class="hint">
      From the backup in <code>{view.folder}</code> to bucket <code>{view.bucket}</code>
    </p>
  );
  switch (view.status) {
    case 'planning':
      return (
        <>
          {from}
          <TransferProgress label="Restore dry run" progress={view.progress} starting="Comparing the bucket with the backup…" />
        </>
      );
    case 'planned':
      return (
        <>
          {from}
          <RestorePlan view={view} force={force}>
            {/* The choice and the button come before the rows, which may be many. */}
            <div class="row restore-actions">
              <label class="radio">
                <input type="checkbox" checked={force} disabled={working} onChange={(event) => onForce(event.currentTarget.checked)} />
                Also overwrite changed objects
              </label>
              <button type="button" disabled={working || (view.deleted === 0 && !force)} onClick={onRestore}>
                Apply restore
              </button>
            </div>
          </RestorePlan>
        </>
      );
    case 'applying':
      return (
        <>
          {from}
          <TransferProgress label="Restore progress" progress={view.progress} starting="Starting the restore…" />
        </>
      );
    case 'done':
      return (
        <>
          {from}
          <RestoreResult view={view} />
        </>
      );
    case 'failed':
      return (
        <>
          {from}
          <ErrorMessage message={view.error?.message ?? 'The restore failed without a reason. Run “connect-guard restore” for details.'} />
        </>
      );
    case 'cancelled':
      return (
        <>
          {from}
          <p role="status">The restore was cancelled. Objects already written stay restored; run it again to finish.</p>
        </>
      );
  }
}

function RestorePlan({ view, force, children }: { readonly view: RestoreView; readonly force: boolean; readonly children: JSX.Element }): JSX.Element {
  const total = view.deleted + view.changed;
  if (total === 0) {
    return (
      <p class="ok" role="status">
        Nothing to restore: every object of the backup is in the bucket, unchanged.
      </p>
    );
  }
  return (
    <section aria-label="Restore plan">
      <p role="status">Dry run, nothing written yet:</p>
      <ul>
        <li>
          {plural(view.deleted, 'object')} deleted since the backup: {view.deleted === 0 ? 'nothing to put back' : 'will be put back'}.
        </li>
        <li>
          {plural(view.changed, 'object')} changed since the backup:{' '}
          {view.changed === 0 ? 'none' : force ? 'will be overwritten with the backup’s version' : 'kept as they are now (check “Also overwrite changed objects” to restore them too)'}.
        </li>
        <li>{formatBytes(view.bytes)} to write.</li>
      </ul>
      {children}
      <div class="restore-rows">
      <table class="preview-classes" aria-label="Objects to restore">
        <thead>
          <tr>
            <th scope="col">Object</th>
            <th scope="col">Since the backup</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {view.rows.map((row) => (
            <tr key={row.key} data-change={row.change}>
              <th scope="row">
                <code>{row.key}</code>
              </th>
              <td>{row.change === 'deleted' ? 'deleted' : 'changed'}</td>
              <td>{formatBytes(row.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {total > view.rows.length && <p class="hint">… and {plural(total - view.rows.length, 'more object')}. The CLI lists them all: connect-guard restore --from “{view.folder}”.</p>}
    </section>
  );
}

function RestoreResult({ view }: { readonly view: RestoreView }): JSX.Element {
  const result = view.applied;
  if (result === undefined) return <p role="status">The restore finished.</p>;
  return (
    <section aria-label="Restore result">
      {result.verified ? (
        <p class="ok" role="status">
          <strong>Restore verified</strong>: every restored object matches the backup.
        </p>
      ) : (
        <p class="error" role="alert">
          The restored objects could not be verified against the backup. Run the restore again.
        </p>
      )}
      <ul>
        <li>{formatCount(result.restored)} deleted objects put back.</li>
        <li>{formatCount(result.overwritten)} changed objects overwritten with the backup’s version.</li>
        {result.kept > 0 && <li>{formatCount(result.kept)} changed objects kept as they are now.</li>}
      </ul>
    </section>
  );
}
