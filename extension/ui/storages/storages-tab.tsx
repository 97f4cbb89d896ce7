/**
 * The popup's Storages tab: the vault's saved storages (Reveal secret, Copy secret, Delete). With
 * no vault yet it offers to create one; a locked vault is unlocked in the header above.
 */
import type { JSX } from 'preact';
import type { StorageSummary } from '../../../shared/credentials.ts';
import type { VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { CreateVaultForm, type CreateVaultFormProps } from '../popup/vault-forms.tsx';
import { StorageList } from './storage-list.tsx';

export interface StoragesTabProps extends CreateVaultFormProps {
  readonly status: VaultStatus;
  readonly storages: readonly StorageSummary[];
  /** A storage was deleted: read the list again. */
  readonly onChanged: () => void;
}

export function StoragesTab({ status, storages, onChanged, ...create }: StoragesTabProps): JSX.Element {
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
  return (
    <section aria-labelledby="storages-heading">
      <h2 id="storages-heading">Saved storages ({storages.length})</h2>
      <StorageList storages={storages} onChanged={onChanged} />
    </section>
  );
}
