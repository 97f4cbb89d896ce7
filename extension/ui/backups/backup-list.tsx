/**
 * Every backup on this computer (`backup.list`, read by the companion from the backups folder),
 * newest first: when it was taken, the bucket, the endpoint when recorded, its status (verified,
 * complete, incomplete, failed verification), objects and size. "Restore…" on a restorable one
 * opens its restore; in the narrow popup that appears right under the chosen backup.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BackupListView, LocalBackupView } from '../../../shared/protocol/views.ts';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { formatBytes, formatCount, plural } from '../preview/preview-format.ts';
import type { SendToBackground } from '../preview/preview-send.ts';
import { BACKUP_STATUS_WORDS, formatBackupTime, isRestorable, whyNotRestorable } from './backup-list-format.ts';

/** Element id of the restore section a "Restore…" button controls. */
export const LISTED_RESTORE_ID = 'listed-restore';

export interface BackupListProps {
  readonly send: SendToBackground;
  /** Changes when the list must be read again (a backup started here has ended). */
  readonly version: number;
  /** Folder of the backup whose restore is open. */
  readonly chosen: string | undefined;
  /** A backup's "Restore…" was clicked (`undefined`: the open one's, which closes it). */
  readonly onChoose: (backup: LocalBackupView | undefined) => void;
  /** Rendered right under the chosen backup; absent when the restore is shown beside the list. */
  readonly renderRestore?: (backup: LocalBackupView) => JSX.Element;
  /** "Review sync result" on a backup that has a plan. */
  readonly onReview?: (backup: LocalBackupView) => void;
}

type ListState = { readonly kind: 'loading' } | { readonly kind: 'ready'; readonly list: BackupListView } | { readonly kind: 'error'; readonly message: string };

export function BackupList({ send, version, chosen, onChoose, renderRestore, onReview }: BackupListProps): JSX.Element {
  const [state, setState] = useState<ListState>({ kind: 'loading' });
  const [reading, setReading] = useState(false);
  const [refreshes, setRefreshes] = useState(0);
  /** Only the answer to the latest read is shown. */
  const reads = useRef(0);

  useEffect(() => {
    const read = ++reads.current;
    setReading(true);
    send('backup.list', {}).then(
      (list) => {
        if (read !== reads.current) return;
        setState({ kind: 'ready', list });
        setReading(false);
      },
      (caught: unknown) => {
        if (read !== reads.current) return;
        setState({ kind: 'error', message: messageOf(caught) });
        setReading(false);
      },
    );
  }, [version, refreshes]);

  return (
    <section class="backup-list" aria-labelledby="backup-list-heading" aria-busy={reading}>
      <div class="row spread">
        <h2 id="backup-list-heading">Backups on this computer</h2>
        <button type="button" class="secondary" disabled={reading} onClick={() => setRefreshes((count) => count + 1)}>
          Refresh list
        </button>
      </div>
      <ListBody state={state} chosen={chosen} onChoose={onChoose} renderRestore={renderRestore} onReview={onReview} />
    </section>
  );
}

interface ListBodyProps {
  readonly state: ListState;
  readonly chosen: string | undefined;
  readonly onChoose: (backup: LocalBackupView | undefined) => void;
  readonly renderRestore: ((backup: LocalBackupView) => JSX.Element) | undefined;
  readonly onReview: ((backup: LocalBackupView) => void) | undefined;
}

function ListBody({ state, chosen, onChoose, renderRestore, onReview }: ListBodyProps): JSX.Element {
  if (state.kind === 'loading') return <p class="hint">Reading the backups folder…</p>;
  if (state.kind === 'error') return <ErrorMessage message={state.message} />;
  const { list } = state;
  return (
    <>
      <p class="hint">
        In <code>{list.root}</code>, newest first.
      </p>
      {list.backups.length === 0 ? (
        <p class="hint">No backups on this computer yet. “Back up now” makes the first one.</p>
      ) : (
        <ul class="backups" aria-label="Backups on this computer">
          {list.backups.map((backup, index) => (
            <BackupItem
              key={backup.folder}
              backup={backup}
              titleId={`backup-item-${index}`}
              open={backup.folder === chosen}
              onRestore={() => onChoose(backup.folder === chosen ? undefined : backup)}
              {...(onReview && backup.hasPlan === true ? { onReview: () => onReview(backup) } : {})}
              restore={backup.folder === chosen && renderRestore !== undefined ? renderRestore(backup) : undefined}
            />
          ))}
        </ul>
      )}
      {list.omitted > 0 && <p class="hint">… and {plural(list.omitted, 'older backup')}, not listed here.</p>}
      <SkippedFolders list={list} />
    </>
  );
}

interface BackupItemProps {
  readonly backup: LocalBackupView;
  readonly titleId: string;
  readonly open: boolean;
  readonly onRestore: () => void;
  /** Set when the backup has a sync plan. */
  readonly onReview?: () => void;
  readonly restore: JSX.Element | undefined;
}

function BackupItem({ backup, titleId, open, onRestore, onReview, restore }: BackupItemProps): JSX.Element {
  const item = useRef<HTMLLIElement>(null);
  // The restore opens under this backup: show the backup and the start of its restore.
  useEffect(() => {
    const element = item.current;
    if (open && restore !== undefined && element !== null && typeof element.scrollIntoView === 'function') element.scrollIntoView({ block: 'start' });
  }, [open]);

  return (
    <li ref={item} class={open ? 'backup-item open' : 'backup-item'} data-status={backup.status} aria-labelledby={titleId}>
      <div class="row spread">
        <h3 id={titleId}>
          {backup.bucket} <span class="when">{formatBackupTime(backup.startedAt)}</span>
        </h3>
        <span class={`badge status-${backup.status}`}>{BACKUP_STATUS_WORDS[backup.status]}</span>
      </div>
      <dl class="fields">
        {backup.endpoint !== undefined && (
          <div>
            <dt>Endpoint</dt>
            <dd>{backup.endpoint}</dd>
          </div>
        )}
        {backup.prefix !== undefined && (
          <div>
            <dt>Only keys under</dt>
            <dd>
              <code>{backup.prefix}</code>
            </dd>
          </div>
        )}
        <div>
          <dt>Objects</dt>
          <dd>{backup.objects === undefined ? 'not counted yet' : formatCount(backup.objects)}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{backup.bytes === undefined ? 'not counted yet' : formatBytes(backup.bytes)}</dd>
        </div>
        {backup.copiedTo !== undefined && (
          <div>
            <dt>Copied to bucket</dt>
            <dd>
              <code>{backup.copiedTo}</code>
            </dd>
          </div>
        )}
      </dl>
      {backup.problem !== undefined && backup.status !== 'verified' && <p class="hint">Last run: {backup.problem}</p>}
      {isRestorable(backup) ? (
        <div class="row">
          <button type="button" class="secondary" aria-expanded={open} aria-controls={open ? LISTED_RESTORE_ID : undefined} aria-describedby={titleId} onClick={onRestore}>
            Restore…
          </button>
          {onReview && (
            <button type="button" class="secondary" aria-describedby={titleId} onClick={onReview}>
              Review sync result
            </button>
          )}
        </div>
      ) : (
        <p class="hint">{whyNotRestorable(backup)}</p>
      )}
      {restore}
    </li>
  );
}

function SkippedFolders({ list }: { readonly list: BackupListView }): JSX.Element | null {
  const count = list.skipped.length + list.skippedMore;
  if (count === 0) return null;
  return (
    <details class="skipped">
      <summary>{plural(count, 'folder')} in the backups folder not listed</summary>
      <ul>
        {list.skipped.map((note) => (
          <li key={note.folder}>
            <code>{note.folder}</code>: {note.reason}
          </li>
        ))}
        {list.skippedMore > 0 && <li>… and {plural(list.skippedMore, 'more')}</li>}
      </ul>
    </details>
  );
}
