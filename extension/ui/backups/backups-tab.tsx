/**
 * The popup's Backups tab: "Back up now" and every backup on this computer, each with
 * "Restore…". In the narrow popup the restore opens right under the chosen backup; where the
 * page is wide (the popup opened as a tab) the list stays on the left and the restore is shown
 * beside it.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { LocalBackupView } from '../../../shared/protocol/views.ts';
import { WIDE_LAYOUT_QUERY, useMediaQuery } from '../components/use-media-query.ts';
import type { SendToBackground } from '../preview/preview-send.ts';
import { BackupList, LISTED_RESTORE_ID } from './backup-list.tsx';
import { BackupPanel } from './backup-panel.tsx';
import { ListedBackupRestore } from './listed-backup-restore.tsx';
import { SyncReview } from './sync-review.tsx';

export interface BackupsTabProps {
  readonly send: SendToBackground;
  readonly vaultUnlocked: boolean | undefined;
  /** How often a running backup or restore is polled. */
  readonly pollMs?: number;
  /** `auto` follows the page's width; tests pin one. */
  readonly layout?: 'auto' | 'narrow' | 'wide';
}

export function BackupsTab({ send, vaultUnlocked, pollMs, layout = 'auto' }: BackupsTabProps): JSX.Element {
  const wideByWidth = useMediaQuery(WIDE_LAYOUT_QUERY);
  const wide = layout === 'auto' ? wideByWidth : layout === 'wide';
  const [version, setVersion] = useState(0);
  const [chosen, setChosen] = useState<LocalBackupView | undefined>();
  const [mode, setMode] = useState<'restore' | 'review'>('restore');

  const restore = (backup: LocalBackupView): JSX.Element =>
    mode === 'review' ? (
      <SyncReview
        key={`review ${backup.folder}`}
        id={LISTED_RESTORE_ID}
        send={send}
        backup={backup}
        vaultUnlocked={vaultUnlocked}
        {...(pollMs === undefined ? {} : { pollMs })}
        onClose={() => setChosen(undefined)}
      />
    ) : (
    <ListedBackupRestore
      key={backup.folder}
      id={LISTED_RESTORE_ID}
      send={send}
      backup={backup}
      vaultUnlocked={vaultUnlocked}
      {...(pollMs === undefined ? {} : { pollMs })}
      onClose={() => setChosen(undefined)}
    />
  );

  return (
    <div class={wide ? 'backups-tab wide' : 'backups-tab'}>
      <div class="backups-main">
        <BackupPanel send={send} vaultUnlocked={vaultUnlocked} {...(pollMs === undefined ? {} : { pollMs })} onFinished={() => setVersion((count) => count + 1)} />
        <BackupList
          send={send}
          version={version}
          chosen={chosen?.folder}
          onChoose={(backup) => {
            setMode('restore');
            setChosen(backup);
          }}
          onReview={(backup) => {
            setMode('review');
            setChosen(backup);
          }}
          {...(wide ? {} : { renderRestore: restore })}
        />
      </div>
      {wide && (
        <div class="backups-side">
          {chosen === undefined ? <p class="hint">“Restore…” on a backup shows here what restoring it would put back, before anything is written.</p> : restore(chosen)}
        </div>
      )}
    </div>
  );
}
