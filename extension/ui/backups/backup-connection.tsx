/**
 * Which bucket "Back up now" and "Restore last backup" work on: the WeSendit connect form read
 * last, or a storage saved in the vault. The choice and its request source follow the preview's
 * (preview-connection.tsx); the picker is its own because the preview's uses fixed element ids
 * and radio names, and both sit in the popup at once.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { ConnectFormSummary, PreviewConnectionSource } from '../../../shared/protocol/extension-protocol.ts';
import { messageOf } from '../components/error-message.tsx';
import { EMPTY_CONNECTION, SavedStorageChoice, connectionSource, type ConnectionDraft, type VaultView } from '../preview/preview-connection.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';

export type BackupConnectionChoice = 'form' | 'vault';

export interface BackupConnection {
  readonly choice: BackupConnectionChoice;
  readonly storageId: string;
  /** `undefined` while loading, `null` when no form was read. */
  readonly form: ConnectFormSummary | null | undefined;
  readonly vault: VaultView;
  setChoice(choice: BackupConnectionChoice): void;
  setStorageId(storageId: string): void;
  /** The chosen bucket as a request source, or what is missing in plain words. */
  source(): PreviewConnectionSource | { readonly problem: string };
  /** The vault answered VAULT_LOCKED to a request: show it as locked. */
  markLocked(): void;
}

/** Loads the latest connect form and the vault's storages; reloads the storages when the vault was unlocked. */
export function useBackupConnection(send: SendToBackground, vaultUnlocked: boolean | undefined): BackupConnection {
  const [choice, setChoiceState] = useState<BackupConnectionChoice>('form');
  const [storageId, setStorageId] = useState('');
  const [form, setForm] = useState<ConnectFormSummary | null | undefined>();
  const [vault, setVault] = useState<VaultView>({ kind: 'loading' });
  /** The user picked a kind themselves: loading data must not switch it. */
  const chosen = useRef(false);

  useEffect(() => {
    send('connectForm.latest', {}).then(
      (found) => setForm(found),
      () => setForm(null),
    );
  }, []);

  useEffect(() => {
    send('storage.list', {}).then(
      (storages) => setVault({ kind: 'ready', storages }),
      (caught: unknown) => {
        const code = caught instanceof ConnectGuardError ? caught.code : undefined;
        setVault(code === 'VAULT_LOCKED' ? { kind: 'locked' } : code === 'VAULT_MISSING' ? { kind: 'missing' } : { kind: 'error', message: messageOf(caught) });
      },
    );
  }, [vaultUnlocked]);

  // With no form read, a saved storage is the natural default.
  useEffect(() => {
    if (chosen.current || form !== null || vault.kind !== 'ready' || vault.storages.length === 0) return;
    setChoiceState('vault');
  }, [form, vault]);

  return {
    choice,
    storageId,
    form,
    vault,
    setChoice(next) {
      chosen.current = true;
      setChoiceState(next);
    },
    setStorageId,
    source() {
      const draft: ConnectionDraft = { ...EMPTY_CONNECTION, choice, storageId };
      return connectionSource(draft, form);
    },
    markLocked() {
      setVault({ kind: 'locked' });
    },
  };
}

function FormLine({ form }: { readonly form: ConnectFormSummary | null | undefined }): JSX.Element {
  if (form === undefined) return <p class="hint">Looking for a connect form…</p>;
  if (form === null) return <p class="hint">No connect form read yet: fill in WeSendit’s connect form (its “Preview connect” or “Connect” hands it over), or choose a saved storage.</p>;
  return (
    <p class="hint">
      Bucket <code>{form.bucket}</code> on <code>{form.endpoint === '' ? form.region : form.endpoint}</code>, access key <code>{form.accessKey}</code>
      {form.hasSecret ? '' : ' (no Secret Key typed yet)'}
    </p>
  );
}

function VaultLine({ connection }: { readonly connection: BackupConnection }): JSX.Element {
  return (
    <SavedStorageChoice
      vault={connection.vault}
      id="backup-storage"
      label="Saved storage to back up"
      storageId={connection.storageId}
      onStorageId={(storageId) => connection.setStorageId(storageId)}
    />
  );
}

export function BackupConnectionPicker({ connection, disabled }: { readonly connection: BackupConnection; readonly disabled: boolean }): JSX.Element {
  const choices: readonly { readonly value: BackupConnectionChoice; readonly label: string }[] = [
    { value: 'form', label: 'WeSendit connect form' },
    { value: 'vault', label: 'Saved in vault' },
  ];
  return (
    <fieldset class="choice" disabled={disabled}>
      <legend>Bucket to back up</legend>
      <div class="row" role="radiogroup" aria-label="Bucket to back up">
        {choices.map((choice) => (
          <label key={choice.value} class="radio">
            <input type="radio" name="backup-connection" value={choice.value} checked={connection.choice === choice.value} onChange={() => connection.setChoice(choice.value)} />
            {choice.label}
          </label>
        ))}
      </div>
      {connection.choice === 'form' ? <FormLine form={connection.form} /> : <VaultLine connection={connection} />}
    </fieldset>
  );
}
