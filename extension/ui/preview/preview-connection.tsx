/**
 * "Bucket connection" of the preview: the connect form the user just filled in on WeSendit
 * (shown without its secret), a storage saved in the vault, or credentials typed here.
 */
import type { JSX } from 'preact';
import type { StorageSummary } from '../../../shared/credentials.ts';
import type { ConnectFormSummary, PreviewConnectionSource } from '../../../shared/protocol/extension-protocol.ts';
import { LabelledInput } from '../components/labelled-input.tsx';

export type ConnectionChoice = 'form' | 'vault' | 'direct';

/** What the user has chosen and typed so far; the secret stays in this page's memory only. */
export interface ConnectionDraft {
  readonly choice: ConnectionChoice;
  readonly storageId: string;
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** Name for "Save to vault". */
  readonly storageName: string;
}

export const EMPTY_CONNECTION: ConnectionDraft = {
  choice: 'form',
  storageId: '',
  endpoint: '',
  region: '',
  bucket: '',
  accessKey: '',
  secretKey: '',
  storageName: '',
};

/** The vault as the picker needs it: saved storages, or why there are none to pick. */
export type VaultView =
  | { readonly kind: 'loading' }
  | { readonly kind: 'locked' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'ready'; readonly storages: readonly StorageSummary[] };

/** The draft as a request source, or what is missing in plain words. */
export function connectionSource(draft: ConnectionDraft, form: ConnectFormSummary | null | undefined): PreviewConnectionSource | { readonly problem: string } {
  switch (draft.choice) {
    case 'form':
      if (!form) return { problem: 'No WeSendit connect form was read yet. Fill in the form on WeSendit and open the preview beside it, or choose another connection.' };
      if (!form.hasSecret) return { problem: 'The connect form has no Secret Key yet. Type the bucket’s Secret Key into the form on WeSendit first.' };
      return { kind: 'form', formId: form.formId };
    case 'vault':
      if (draft.storageId === '') return { problem: 'Choose a saved storage.' };
      return { kind: 'vault', storageId: draft.storageId };
    case 'direct': {
      const missing = [
        draft.endpoint.trim() === '' && draft.region.trim() === '' ? 'endpoint' : undefined,
        draft.bucket.trim() === '' ? 'bucket' : undefined,
        draft.accessKey.trim() === '' ? 'access key' : undefined,
        draft.secretKey === '' ? 'secret key' : undefined,
      ].filter((name) => name !== undefined);
      if (missing.length > 0) return { problem: `Fill in the bucket’s ${missing.join(', ')}.` };
      const region = draft.region.trim();
      return {
        kind: 'direct',
        connection: {
          endpoint: draft.endpoint.trim(),
          ...(region === '' ? {} : { region }),
          bucket: draft.bucket.trim(),
          accessKeyId: draft.accessKey.trim(),
          secretAccessKey: draft.secretKey,
        },
      };
    }
  }
}

export interface ConnectionPickerProps {
  readonly draft: ConnectionDraft;
  readonly onDraft: (draft: ConnectionDraft) => void;
  readonly form: ConnectFormSummary | null | undefined;
  readonly vault: VaultView;
  /** The unlock prompt for a locked vault; absent when the host page has its own (the popup). */
  readonly unlockPrompt?: JSX.Element;
  readonly onSaveToVault: () => void;
  readonly busy: boolean;
}

function FormDetails({ form }: { readonly form: ConnectFormSummary | null | undefined }): JSX.Element {
  if (form === undefined) return <p class="hint">Looking for a connect form…</p>;
  if (form === null) return <p class="hint">No connect form read yet: fill in WeSendit’s connect form, or choose another connection.</p>;
  return (
    <dl class="fields" aria-label="Connect form">
      {form.provider !== '' && (
        <div>
          <dt>Provider</dt>
          <dd>{form.provider}</dd>
        </div>
      )}
      <div>
        <dt>{form.endpoint === '' ? 'Region' : 'Endpoint'}</dt>
        <dd>{form.endpoint === '' ? form.region : form.region === '' ? form.endpoint : `${form.endpoint} (${form.region})`}</dd>
      </div>
      <div>
        <dt>Bucket</dt>
        <dd>{form.bucket}</dd>
      </div>
      <div>
        <dt>Access key</dt>
        <dd>{form.accessKey}</dd>
      </div>
      <div>
        <dt>Secret key</dt>
        <dd>{form.hasSecret ? 'entered (not shown)' : 'missing'}</dd>
      </div>
    </dl>
  );
}

export interface SavedStorageChoiceProps {
  readonly vault: VaultView;
  /** The select's id (unique per page) and its visible label. */
  readonly id: string;
  readonly label: string;
  readonly storageId: string;
  readonly onStorageId: (storageId: string) => void;
  /** Shown instead of the plain "locked" hint, e.g. an unlock form. */
  readonly unlockPrompt?: JSX.Element | undefined;
}

/** The vault's saved storages as a select, or a line saying why there is none to choose. */
export function SavedStorageChoice(props: SavedStorageChoiceProps): JSX.Element {
  const { vault } = props;
  switch (vault.kind) {
    case 'loading':
      return <p class="hint">Reading the vault…</p>;
    case 'locked':
      return props.unlockPrompt ?? <p class="hint">The vault is locked. Unlock it above to use a saved storage.</p>;
    case 'missing':
      return <p class="hint">No vault yet, so no saved storages.</p>;
    case 'error':
      return <p class="error">{vault.message}</p>;
    case 'ready':
      if (vault.storages.length === 0) return <p class="hint">No storages saved in the vault yet.</p>;
      return (
        <div class="field">
          <label for={props.id}>{props.label}</label>
          <select id={props.id} value={props.storageId} onChange={(event) => props.onStorageId(event.currentTarget.value)}>
            <option value="">Choose…</option>
            {vault.storages.map((storage) => (
              <option key={storage.id} value={storage.id}>
                {(storage.storageName || storage.bucketName) + ` — ${storage.bucketName} on ${storage.serverAddress}`}
              </option>
            ))}
          </select>
        </div>
      );
  }
}

function VaultChoice(props: ConnectionPickerProps): JSX.Element {
  return (
    <SavedStorageChoice
      vault={props.vault}
      id="preview-storage"
      label="Saved storage"
      storageId={props.draft.storageId}
      onStorageId={(storageId) => props.onDraft({ ...props.draft, storageId })}
      unlockPrompt={props.unlockPrompt}
    />
  );
}

export function ConnectionPicker(props: ConnectionPickerProps): JSX.Element {
  const { draft, onDraft } = props;
  const set = (patch: Partial<ConnectionDraft>): void => onDraft({ ...draft, ...patch });
  const choices: readonly { readonly value: ConnectionChoice; readonly label: string }[] = [
    { value: 'form', label: 'WeSendit connect form' },
    { value: 'vault', label: 'Saved in vault' },
    { value: 'direct', label: 'Type it in' },
  ];
  const canSave = draft.choice === 'direct' || (draft.choice === 'form' && props.form?.hasSecret === true);
  return (
    <fieldset class="choice">
      <legend>Bucket connection</legend>
      <div class="row" role="radiogroup" aria-label="Bucket connection">
        {choices.map((choice) => (
          <label key={choice.value} class="radio">
            <input type="radio" name="preview-connection" value={choice.value} checked={draft.choice === choice.value} onChange={() => set({ choice: choice.value })} />
            {choice.label}
          </label>
        ))}
      </div>
      {draft.choice === 'form' && <FormDetails form={props.form} />}
      {draft.choice === 'vault' && <VaultChoice {...props} />}
      {draft.choice === 'direct' && (
        <>
          <LabelledInput id="preview-endpoint" label="Endpoint" value={draft.endpoint} onValue={(endpoint) => set({ endpoint })} hint="S3 server address, e.g. s3.eu-central-1.wasabisys.com" />
          <LabelledInput id="preview-region" label="Region (optional)" value={draft.region} onValue={(region) => set({ region })} />
          <LabelledInput id="preview-bucket" label="Bucket" value={draft.bucket} onValue={(bucket) => set({ bucket })} />
          <LabelledInput id="preview-access-key" label="Access key" value={draft.accessKey} onValue={(accessKey) => set({ accessKey })} />
          <LabelledInput id="preview-secret-key" label="Secret key" type="password" autoComplete="off" value={draft.secretKey} onValue={(secretKey) => set({ secretKey })} />
        </>
      )}
      {canSave && (
        <div class="row">
          <LabelledInput id="preview-storage-name" label="Storage name" value={draft.storageName} onValue={(storageName) => set({ storageName })} />
          <button type="button" class="secondary" disabled={props.busy} onClick={props.onSaveToVault}>
            Save to vault
          </button>
        </div>
      )}
    </fieldset>
  );
}
