/**
 * "Restore…" on one backup of the list: the credentials of the backup's bucket (a saved storage
 * of that bucket and endpoint, chosen at once when there is one, or the keys typed in), then the
 * restore of that backup folder, dry run first. With a saved storage the dry run starts by itself.
 */
import type { JSX } from 'preact';
import type { LocalBackupView } from '../../../shared/protocol/views.ts';
import type { SendToBackground } from '../preview/preview-send.ts';
import { BackupConnectionPicker, useBackupConnection } from './backup-connection.tsx';
import { formatBackupTime } from './backup-list-format.ts';
import { RestorePanel } from './restore-panel.tsx';

export interface ListedBackupRestoreProps {
  readonly send: SendToBackground;
  readonly backup: LocalBackupView;
  /** Changes when the vault was unlocked or locked: its storages are read again. */
  readonly vaultUnlocked: boolean | undefined;
  readonly pollMs?: number;
  readonly onClose: () => void;
  /** Element id of the section (the "Restore…" button controls it). */
  readonly id: string;
}

export function ListedBackupRestore({ send, backup, vaultUnlocked, pollMs, onClose, id }: ListedBackupRestoreProps): JSX.Element {
  const connection = useBackupConnection(send, vaultUnlocked, { bucket: backup.bucket, ...(backup.endpoint === undefined ? {} : { endpoint: backup.endpoint }) });
  const keysKnown = connection.choice === 'vault' && connection.storageId !== '';
  const headingId = `${id}-heading`;
  return (
    <section id={id} class="listed-restore" aria-labelledby={headingId}>
      <div class="row spread">
        <h3 id={headingId}>
          Restore {backup.bucket} from {formatBackupTime(backup.startedAt)}
        </h3>
        <button type="button" class="link" aria-label="Close restore" onClick={onClose}>
          Close
        </button>
      </div>
      <p class="hint">
        Puts back into bucket <code>{backup.bucket}</code> what was deleted since this backup and, if you choose, what changed. A dry run comes first: nothing is written until you click “Apply
        restore”.
      </p>
      <BackupConnectionPicker connection={connection} disabled={false} idPrefix="restore" legend={`Keys of bucket ${backup.bucket}`} />
      <RestorePanel send={send} source={() => connection.source()} folder={backup.folder} autoStart={keysKnown} {...(pollMs === undefined ? {} : { pollMs })} onVaultLocked={() => connection.markLocked()} />
    </section>
  );
}
