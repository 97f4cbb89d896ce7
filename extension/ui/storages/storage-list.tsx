/**
 * Saved storages in the popup: public fields shown, the secret only on Reveal or via Copy; each
 * storage can be handed to KeePass or Bitwarden as an encrypted file.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { StorageSummary } from '../../../shared/credentials.ts';
import { sendToBackground } from '../../adapters/messaging.ts';
import { HANDOFF_FORMATS } from '../../../shared/handoff-formats/handoff-entry.ts';
import { OutcomeMessages, messageOf } from '../components/error-message.tsx';
import { HANDOFF_BUTTON_LABELS, type HandoffTarget } from './handoff-dialog.tsx';

function StorageItem({
  storage,
  onDeleted,
  onExport,
}: {
  readonly storage: StorageSummary;
  readonly onDeleted: () => void;
  readonly onExport: (target: HandoffTarget) => void;
}): JSX.Element {
  const [secret, setSecret] = useState<string | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);

  async function run(work: () => Promise<void>): Promise<void> {
    setError(undefined);
    try {
      await work();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <li aria-label={storage.storageName || storage.bucketName} data-storage-id={storage.id}>
      <dl class="fields">
        <div>
          <dt>Name</dt>
          <dd>{storage.storageName || '—'}</dd>
        </div>
        <div>
          <dt>Bucket</dt>
          <dd>{storage.bucketName}</dd>
        </div>
        <div>
          <dt>Endpoint</dt>
          <dd>{storage.serverAddress}</dd>
        </div>
        <div>
          <dt>Access key</dt>
          <dd>{storage.accessKey}</dd>
        </div>
        <div>
          <dt>Secret key</dt>
          <dd class="secret" data-secret={secret === undefined ? 'hidden' : 'shown'}>
            {secret ?? '•'.repeat(12)}
          </dd>
        </div>
      </dl>
      <div class="row">
        <button
          type="button"
          class="secondary"
          onClick={() =>
            void run(async () => {
              setSecret(secret === undefined ? (await sendToBackground('storage.reveal', { id: storage.id })).secretKey : undefined);
            })
          }
        >
          {secret === undefined ? 'Reveal secret' : 'Hide secret'}
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() =>
            void run(async () => {
              const { clearsInSeconds } = await sendToBackground('storage.copySecret', { id: storage.id });
              setNote(`Copied. The clipboard clears in ${clearsInSeconds} s if it still holds the secret.`);
            })
          }
        >
          Copy secret
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() =>
            void run(async () => {
              if (!confirmDelete) {
                setConfirmDelete(true);
                return;
              }
              await sendToBackground('storage.delete', { id: storage.id });
              onDeleted();
            })
          }
        >
          {confirmDelete ? 'Confirm delete' : 'Delete'}
        </button>
      </div>
      <div class="row">
        {HANDOFF_FORMATS.map((format) => (
          <button key={format} type="button" class="secondary" onClick={() => onExport({ format, scope: { kind: 'storage', storageId: storage.id }, what: `the storage “${storage.storageName || storage.bucketName}”` })}>
            {HANDOFF_BUTTON_LABELS[format]}
          </button>
        ))}
      </div>
      <OutcomeMessages note={note} error={error} tone="hint" />
    </li>
  );
}

export function StorageList({
  storages,
  onChanged,
  onExport,
}: {
  readonly storages: readonly StorageSummary[];
  readonly onChanged: () => void;
  readonly onExport: (target: HandoffTarget) => void;
}): JSX.Element {
  if (storages.length === 0) return <p class="hint">No storages saved yet. They are saved when WeSendit shows new S3 credentials.</p>;
  return (
    <ul class="storages" aria-label="Saved storages">
      {storages.map((storage) => (
        <StorageItem key={storage.id} storage={storage} onDeleted={onChanged} onExport={onExport} />
      ))}
    </ul>
  );
}
