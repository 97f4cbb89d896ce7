/**
 * Which bucket "Back up now" works on: the WeSendit connect form read last, or a storage saved in
 * the vault. The restore of a listed backup uses the same picker for the backup's own bucket: a
 * saved storage of that bucket (and endpoint), or its keys typed in. The choice and its request
 * source follow the preview's (preview-connection.tsx); the picker is its own because the
 * preview's uses fixed element ids and radio names, and they sit in the popup at once.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { ConnectFormSummary, PreviewConnectionSource } from '../../../shared/protocol/extension-protocol.ts';
import { messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';
import { EMPTY_CONNECTION, SavedStorageChoice, connectionSource, type ConnectionDraft, type VaultView } from '../preview/preview-connection.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';
import { storagesForBackup, type BackupBucket } from './matching-storages.ts';

export type BackupConnectionChoice = 'form' | 'vault' | 'direct';

/** The keys of the bucket as typed in; the secret stays in this page's memory only. */
export interface TypedKeys {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

export interface BackupConnection {
  /** Set for the restore of one backup: only its bucket can be chosen. */
  readonly target: BackupBucket | undefined;
  /** The choices offered, in order. */
  readonly choices: readonly BackupConnectionChoice[];
  readonly choice: BackupConnectionChoice;
  readonly storageId: string;
  /** `undefined` while loading, `null` when no form was read. */
  readonly form: ConnectFormSummary | null | undefined;
  /** With a target: only the storages of its bucket. */
  readonly vault: VaultView;
  readonly typed: TypedKeys;
  setChoice(choice: BackupConnectionChoice): void;
  setStorageId(storageId: string): void;
  setTyped(typed: TypedKeys): void;
  /** The chosen bucket as a request source, or what is missing in plain words. */
  source(): PreviewConnectionSource | { readonly problem: string };
  /** The vault answered VAULT_LOCKED to a request: show it as locked. */
  markLocked(): void;
}

/**
 * Loads the latest connect form and the vault's storages; reloads the storages when the vault
 * was unlocked. With a `target` (the restore of one backup) the form is not offered: a saved
 * storage of the target's bucket is chosen when there is one, else the keys are typed in.
 */
export function useBackupConnection(send: SendToBackground, vaultUnlocked: boolean | undefined, target?: BackupBucket): BackupConnection {
  const [choice, setChoiceState] = useState<BackupConnectionChoice>(target === undefined ? 'form' : 'vault');
  const [storageId, setStorageId] = useState('');
  const [form, setForm] = useState<ConnectFormSummary | null | undefined>();
  const [vault, setVault] = useState<VaultView>({ kind: 'loading' });
  const [typed, setTyped] = useState<TypedKeys>({ endpoint: target?.endpoint ?? '', accessKey: '', secretKey: '' });
  /** The user picked a kind themselves: loading data must not switch it. */
  const chosen = useRef(false);

  useEffect(() => {
    if (target !== undefined) return;
    send('connectForm.latest', {}).then(
      (found) => setForm(found),
      () => setForm(null),
    );
  }, []);

  useEffect(() => {
    send('storage.list', {}).then(
      (storages) => setVault({ kind: 'ready', storages: target === undefined ? storages : storagesForBackup(storages, target) }),
      (caught: unknown) => {
        const code = caught instanceof ConnectGuardError ? caught.code : undefined;
        setVault(code === 'VAULT_LOCKED' ? { kind: 'locked' } : code === 'VAULT_MISSING' ? { kind: 'missing' } : { kind: 'error', message: messageOf(caught) });
      },
    );
  }, [vaultUnlocked]);

  useEffect(() => {
    if (chosen.current) return;
    if (target === undefined) {
      // With no form read, a saved storage is the natural default.
      if (form === null && vault.kind === 'ready' && vault.storages.length > 0) setChoiceState('vault');
      return;
    }
    // A saved storage of the backup's bucket needs nothing typed; a locked vault is unlocked above; otherwise the keys are typed in.
    if (vault.kind === 'ready' && vault.storages.length > 0) {
      setChoiceState('vault');
      setStorageId((current) => (vault.storages.some((storage) => storage.id === current) ? current : (vault.storages[0]?.id ?? '')));
    } else if (vault.kind === 'ready' || vault.kind === 'missing' || vault.kind === 'error') {
      setChoiceState('direct');
    }
  }, [form, vault]);

  return {
    target,
    choices: target === undefined ? ['form', 'vault'] : ['vault', 'direct'],
    choice,
    storageId,
    form,
    vault,
    typed,
    setChoice(next) {
      chosen.current = true;
      setChoiceState(next);
    },
    setStorageId,
    setTyped,
    source() {
      if (choice === 'direct' && target !== undefined) {
        const draft: ConnectionDraft = { ...EMPTY_CONNECTION, choice, bucket: target.bucket, endpoint: typed.endpoint, accessKey: typed.accessKey, secretKey: typed.secretKey };
        return connectionSource(draft, form);
      }
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

function VaultLine({ connection, idPrefix }: { readonly connection: BackupConnection; readonly idPrefix: string }): JSX.Element {
  const { target, vault } = connection;
  if (target !== undefined && vault.kind === 'ready' && vault.storages.length === 0) {
    return <p class="hint">No storage in the vault uses bucket {target.bucket}{target.endpoint === undefined ? '' : ` on ${target.endpoint}`}: type its keys in instead.</p>;
  }
  return (
    <SavedStorageChoice
      vault={vault}
      id={`${idPrefix}-storage`}
      label={target === undefined ? 'Saved storage to back up' : `Saved storage of bucket ${target.bucket}`}
      storageId={connection.storageId}
      onStorageId={(storageId) => connection.setStorageId(storageId)}
    />
  );
}

/** The keys of the target's bucket, typed in; the bucket itself is the backup's and cannot change. */
function TypedLine({ connection, idPrefix }: { readonly connection: BackupConnection; readonly idPrefix: string }): JSX.Element {
  const { typed, target, vault } = connection;
  const set = (patch: Partial<TypedKeys>): void => connection.setTyped({ ...typed, ...patch });
  return (
    <>
      {target !== undefined && vault.kind === 'ready' && vault.storages.length === 0 && (
        <p class="hint">
          No storage in the vault uses bucket {target.bucket}
          {target.endpoint === undefined ? '' : ` on ${target.endpoint}`}: type its keys in.
        </p>
      )}
      <p class="hint">
        Bucket <code>{connection.target?.bucket}</code>
      </p>
      <LabelledInput id={`${idPrefix}-endpoint`} label="S3 endpoint of the bucket" value={typed.endpoint} onValue={(endpoint) => set({ endpoint })} hint="The S3 server address, e.g. s3.eu-central-1.wasabisys.com" />
      <LabelledInput id={`${idPrefix}-access-key`} label="Access key of the bucket" value={typed.accessKey} onValue={(accessKey) => set({ accessKey })} />
      <LabelledInput id={`${idPrefix}-secret-key`} label="Secret key of the bucket" type="password" value={typed.secretKey} onValue={(secretKey) => set({ secretKey })} />
    </>
  );
}

const CHOICE_LABELS: Readonly<Record<BackupConnectionChoice, string>> = {
  form: 'WeSendit connect form',
  vault: 'Saved in vault',
  direct: 'Type the keys in',
};

export interface BackupConnectionPickerProps {
  readonly connection: BackupConnection;
  readonly disabled: boolean;
  /** Prefix of element ids and the radio group's name (unique per page). Default `backup`. */
  readonly idPrefix?: string;
  /** What the fieldset asks for. Default "Bucket to back up". */
  readonly legend?: string;
}

export function BackupConnectionPicker({ connection, disabled, idPrefix = 'backup', legend = 'Bucket to back up' }: BackupConnectionPickerProps): JSX.Element {
  return (
    <fieldset class="choice" disabled={disabled}>
      <legend>{legend}</legend>
      <div class="row" role="radiogroup" aria-label={legend}>
        {connection.choices.map((choice) => (
          <label key={choice} class="radio">
            <input type="radio" name={`${idPrefix}-connection`} value={choice} checked={connection.choice === choice} onChange={() => connection.setChoice(choice)} />
            {CHOICE_LABELS[choice]}
          </label>
        ))}
      </div>
      {connection.choice === 'form' && <FormLine form={connection.form} />}
      {connection.choice === 'vault' && <VaultLine connection={connection} idPrefix={idPrefix} />}
      {connection.choice === 'direct' && <TypedLine connection={connection} idPrefix={idPrefix} />}
    </fieldset>
  );
}
