/**
 * "Review sync result" on a backup that has a plan (the seed's Strategy 2: "Review the sync
 * result before making further changes"): the plan the preview made at the connect against the
 * bucket now. Shows the counts (as predicted, not yet arrived, unexpected), every finding with
 * rclone check's mark and what was predicted, "Check again" for keys that had not arrived (only
 * those are re-listed), and "Restore from the backup", which opens the restore of exactly the
 * keys lost or overwritten unexpectedly, dry run first.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AUDIT_KIND_LABELS } from '../../../shared/audit/format-audit-report.ts';
import type { AuditKind } from '../../../shared/audit/audit-sync.ts';
import { AUDIT_KINDS } from '../../../shared/audit/audit-sync.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { AuditView } from '../../../shared/protocol/extension-protocol.ts';
import type { LocalBackupView } from '../../../shared/protocol/views.ts';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { pollOnce } from '../components/poll-once.ts';
import { formatBytes, formatCount, plural } from '../preview/preview-format.ts';
import type { SendToBackground } from '../preview/preview-send.ts';
import { BackupConnectionPicker, useBackupConnection } from './backup-connection.tsx';
import { TransferProgress } from './backup-progress.tsx';
import { formatBackupTime } from './backup-list-format.ts';
import { RestorePanel } from './restore-panel.tsx';

export interface SyncReviewProps {
  readonly send: SendToBackground;
  readonly backup: LocalBackupView;
  readonly vaultUnlocked: boolean | undefined;
  readonly pollMs?: number;
  readonly onClose: () => void;
  readonly id: string;
  /** In the dock on WeSendit's storage page: WeSendit's side is read from the file browser in that tab. */
  readonly wesenditFromTab?: boolean;
}

function kindLabel(kind: string): string {
  return kind in AUDIT_KINDS ? AUDIT_KIND_LABELS[kind as AuditKind] : kind;
}

export function SyncReview({ send, backup, vaultUnlocked, pollMs = 250, onClose, id, wesenditFromTab = false }: SyncReviewProps): JSX.Element {
  const connection = useBackupConnection(send, vaultUnlocked, { bucket: backup.bucket, ...(backup.endpoint === undefined ? {} : { endpoint: backup.endpoint }) });
  const keysKnown = connection.choice === 'vault' && connection.storageId !== '';
  const [view, setView] = useState<AuditView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [restoring, setRestoring] = useState<readonly string[] | undefined>();
  const started = useRef(false);
  const headingId = `${id}-heading`;

  useEffect(() => {
    if (view?.status !== 'running') return;
    const auditId = view.auditId;
    return pollOnce(
      pollMs,
      () => send('audit.state', { auditId }),
      (next) => {
        if (next.auditId === auditId) setView(next);
      },
      (caught) => setError(messageOf(caught)),
    );
  }, [view]);

  async function start(): Promise<void> {
    started.current = true;
    setError(undefined);
    setRestoring(undefined);
    const chosen = connection.source();
    if ('problem' in chosen) {
      setError(chosen.problem);
      return;
    }
    setBusy(true);
    try {
      setView(await send('audit.start', { connection: chosen, folder: backup.folder, ...(wesenditFromTab ? { wesenditFromTab: true } : {}) }));
    } catch (caught) {
      if (caught instanceof ConnectGuardError && caught.code === 'VAULT_LOCKED') connection.markLocked();
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  async function checkAgain(): Promise<void> {
    if (view === undefined) return;
    setError(undefined);
    setBusy(true);
    try {
      setView(await send('audit.checkAgain', { auditId: view.auditId }));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  // The user chose "Review sync result" on this backup: with its bucket's keys in the vault, go.
  useEffect(() => {
    if (keysKnown && !started.current) void start();
  }, [keysKnown]);

  const running = busy || view?.status === 'running';
  return (
    <section id={id} class="sync-review" aria-labelledby={headingId}>
      <div class="row spread">
        <h3 id={headingId}>
          Sync result of {backup.bucket} (connected {formatBackupTime(backup.startedAt)})
        </h3>
        <button type="button" class="link" aria-label="Close review" onClick={onClose}>
          Close
        </button>
      </div>
      <p class="hint">Compares the bucket now with what the preview predicted when you connected. Nothing is changed.</p>
      <BackupConnectionPicker connection={connection} disabled={running} idPrefix="review" legend={`Keys of bucket ${backup.bucket}`} />
      <div class="row">
        <button type="button" class="secondary" disabled={running} onClick={() => void start()}>
          {view === undefined ? 'Start review' : 'Review again'}
        </button>
      </div>
      {view?.status === 'running' && view.wesendit?.source === 'tab' && view.rechecked === undefined && (
        <p role="status" class="hint">
          Reading WeSendit’s file list in this tab: {plural(view.wesendit.objects, 'file')} so far.
        </p>
      )}
      {view?.status === 'running' && <TransferProgress label="Review progress" progress={view.progress} starting={view.rechecked ? `Checking ${plural(view.rechecked, 'key')} again…` : 'Listing the bucket…'} />}
      {view?.status === 'failed' && <ErrorMessage message={view.error?.message ?? 'The review failed.'} />}
      {view?.status === 'done' && view.result && (
        <ReviewResult view={view} working={running} onCheckAgain={() => void checkAgain()} onRestore={() => setRestoring(view.restoreKeys)} />
      )}
      <ErrorMessage message={error} />
      {restoring !== undefined && (
        <section class="review-restore" aria-label="Restore from the backup">
          <h4>Restore {plural(restoring.length, 'object')} from the backup</h4>
          <RestorePanel send={send} source={() => connection.source()} folder={backup.folder} keys={restoring} autoStart pollMs={pollMs} onVaultLocked={() => connection.markLocked()} />
        </section>
      )}
    </section>
  );
}

interface ReviewResultProps {
  readonly view: AuditView;
  readonly working: boolean;
  readonly onCheckAgain: () => void;
  readonly onRestore: () => void;
}

function ReviewResult({ view, working, onCheckAgain, onRestore }: ReviewResultProps): JSX.Element | null {
  const result = view.result;
  if (result === undefined) return null;
  const verdict =
    result.verdict === 'as-predicted'
      ? 'The sync did what the preview predicted.'
      : result.verdict === 'not-yet-arrived'
        ? 'Nothing unexpected so far, but some files have not arrived yet. Short delays are normal: check again in a while.'
        : 'The sync did something the preview did not predict.';
  return (
    <section aria-label="Sync review result">
      <p role="status" class={result.verdict === 'unexpected' ? 'error' : 'ok'}>
        <strong>{verdict}</strong>
      </p>
      <table class="preview-classes" aria-label="Review totals">
        <tbody>
          <tr data-status="as-predicted">
            <th scope="row">As predicted</th>
            <td>{formatCount(result.asPredicted.objects)}</td>
            <td>{formatBytes(result.asPredicted.bytes)}</td>
          </tr>
          <tr data-status="not-yet-arrived">
            <th scope="row">Not yet arrived</th>
            <td>{formatCount(result.notYetArrived.objects)}</td>
            <td>{formatBytes(result.notYetArrived.bytes)}</td>
          </tr>
          <tr data-status="unexpected">
            <th scope="row">Unexpected</th>
            <td>{formatCount(result.unexpected.objects)}</td>
            <td>{formatBytes(result.unexpected.bytes)}</td>
          </tr>
        </tbody>
      </table>
      <WesenditSide view={view} />
      {result.contentChecked > 0 && <p class="hint">{plural(result.contentChecked, 'object')} read and compared by SHA-256 where the ETag could not prove the content.</p>}
      <div class="row">
        {view.pendingKeys.length > 0 && (
          <button type="button" class="secondary" disabled={working} onClick={onCheckAgain}>
            Check again
          </button>
        )}
        {view.restoreKeys.length > 0 && (
          <button type="button" disabled={working} onClick={onRestore}>
            Restore from the backup
          </button>
        )}
      </div>
      {view.findings.length > 0 && (
        <ul class="review-findings" aria-label="Findings">
          {view.findings.map((row) => (
            <li key={row.key} data-status={row.status} data-kind={row.kind} data-restore={row.restore ?? ''}>
              <code class="mark" title="rclone check mark">
                {row.mark}
              </code>{' '}
              <code>{row.key}</code> — <strong>{kindLabel(row.kind)}</strong>
              {row.restore && <span class="badge finding-badge">selected for restore</span>}
              <br />
              <span class="hint">
                Predicted: {row.predicted}. Now: {row.actual}.
              </span>
            </li>
          ))}
        </ul>
      )}
      {result.unexpected.objects + result.notYetArrived.objects > view.findings.length && (
        <p class="hint">… and more. The CLI lists every key: connect-guard audit --plan “{view.folder}/plan.ndjson” --format csv.</p>
      )}
    </section>
  );
}

/** Where WeSendit's side of the review came from, and what its absence means. */
function WesenditSide({ view }: { readonly view: AuditView }): JSX.Element {
  if (view.wesendit?.source === 'tab') return <p class="hint">WeSendit’s side: its file browser in this tab ({plural(view.wesendit.objects, 'file')}).</p>;
  if (view.wesendit?.source === 'manifest') return <p class="hint">WeSendit’s side: the manifest file you chose.</p>;
  return (
    <p class="hint">
      WeSendit’s side was not read: a conflict the bucket won shows as “not overwritten yet”. Review from the Connect Guard dock on WeSendit’s storage page to read its file browser too.
    </p>
  );
}
