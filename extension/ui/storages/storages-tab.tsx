/**
 * The popup's Storages tab: the vault's saved storages (Reveal secret, Copy secret, Delete,
 * "Export to KeePass", "Export to Bitwarden") and the same two hand-offs for all storages at once.
 * With no vault yet it offers to create one; a locked vault is unlocked in the header above.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { StorageSummary } from '../../../shared/credentials.ts';
import { HANDOFF_FORMATS } from '../../../shared/handoff-formats/handoff-entry.ts';
import type { VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { sendToBackground } from '../../adapters/messaging.ts';
import { CreateVaultForm, type CreateVaultFormProps } from '../popup/vault-forms.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';
import { HANDOFF_BUTTON_LABELS, HandoffDialog, type HandoffTarget } from './handoff-dialog.tsx';
import { StorageList } from './storage-list.tsx';

export interface StoragesTabProps extends CreateVaultFormProps {
  readonly status: VaultStatus;
  readonly storages: readonly StorageSummary[];
  /** A storage was deleted: read the list again. */
  readonly onChanged: () => void;
  /** The background (a fake in component tests). */
  readonly send?: SendToBackground;
}

/** Hand-offs for every storage at once, and why there is no plaintext export. */
function HandoffAll({ count, onExport }: { readonly count: number; readonly onExport: (target: HandoffTarget) => void }): JSX.Element {
  const what = count === 1 ? 'the 1 saved storage' : `all ${count} saved storages`;
  return (
    <section aria-labelledby="handoff-all-heading" class="handoff-all">
      <h3 id="handoff-all-heading">Hand off to your password manager</h3>
      <p class="hint">One encrypted file with {what}, for KeePass / KeePassXC or Bitwarden. Each storage also has its own buttons below.</p>
      <div class="row">
        {HANDOFF_FORMATS.map((format) => (
          <button key={format} type="button" class="secondary" onClick={() => onExport({ format, scope: { kind: 'all' }, what })}>
            {HANDOFF_BUTTON_LABELS[format]}
          </button>
        ))}
      </div>
      <p class="hint" data-no-plaintext-export>
        No CSV or unencrypted export, on purpose: WeSendit’s help lists unencrypted files among the places a Secret Key must not go. Every file here is encrypted with a passphrase you choose.
        1Password: its own export format (.1pux) is unencrypted, so use “Copy secret” and paste the key into a 1Password item.
      </p>
    </section>
  );
}

export function StoragesTab({ status, storages, onChanged, send = sendToBackground, ...create }: StoragesTabProps): JSX.Element {
  const [handoff, setHandoff] = useState<HandoffTarget | undefined>();
  if (!status.exists) {
    return (
      <section aria-labelledby="create-heading">
        <h2 id="create-heading">No vault yet</h2>
        <p class="hint">
          The vault is created when WeSendit shows new S3 credentials: Connect Guard holds the dialog and asks for a passphrase. You can also create it now; to restore an export, create a vault,
          then import the export in Settings.
        </p>
        <CreateVaultForm {...create} />
      </section>
    );
  }
  if (!status.unlocked) {
    return (
      <section aria-labelledby="storages-heading">
        <h2 id="storages-heading">Saved storages</h2>
        <p class="hint">The vault is locked. Unlock it above with your vault passphrase to see its saved storages.</p>
      </section>
    );
  }
  if (handoff !== undefined) return <HandoffDialog {...handoff} send={send} onClose={() => setHandoff(undefined)} />;
  return (
    <section aria-labelledby="storages-heading">
      <h2 id="storages-heading">Saved storages ({storages.length})</h2>
      {storages.length > 0 && <HandoffAll count={storages.length} onExport={setHandoff} />}
      <StorageList storages={storages} onChanged={onChanged} onExport={setHandoff} />
    </section>
  );
}
