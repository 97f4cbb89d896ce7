/**
 * "Preview connect": what connecting a WeSendit storage to this bucket will do, before the
 * click that can overwrite (PRODUCT.md §4). Used by the popup and by preview.html (framed beside
 * WeSendit's connect form, or a full tab).
 *
 * States: setup → running (polled every `pollMs`, Cancel) → loading rows (totals, advice and at
 * risk already shown, the rows counted in; still polled, Cancel) → done (rows, export) | failed
 * (error, doctor's checks) | cancelled. On open it restores the latest preview
 * of this browser session (`preview.latest`), or a given one.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { ConnectFormSummary, PreviewState } from '../../../shared/protocol/extension-protocol.ts';
import { OutcomeMessages, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';
import { ConnectionPicker, EMPTY_CONNECTION, connectionSource, type ConnectionDraft, type VaultView } from './preview-connection.tsx';
import { pollOnce } from '../components/poll-once.ts';
import type { RowFilter } from './preview-row-list.tsx';
import type { SendToBackground } from './preview-send.ts';
import { isRunning, PreviewResult } from './preview-result.tsx';
import { DEFAULT_WESENDIT, WesenditPicker, wesenditSource, type WesenditDraft, type WesenditTab } from './preview-wesendit.tsx';

export interface PreviewPanelProps {
  readonly send: SendToBackground;
  /** Which tab lists WeSendit's files. */
  readonly wesenditTab: WesenditTab;
  /** Pre-select this connect form (preview.html#form=…); otherwise the latest one is offered. */
  readonly formId?: string;
  /** Open this preview instead of the latest (…#preview=…). */
  readonly previewId?: string;
  /**
   * `panel`: ask for the vault passphrase here when a saved storage needs it (preview.html).
   * `host`: the host page has its own unlock form (the popup); `vaultUnlocked` tells the panel when it was used.
   */
  readonly vaultUnlock: 'panel' | 'host';
  readonly vaultUnlocked?: boolean;
  /** Height of the file list in px. */
  readonly listHeight?: number;
  /** How often a running preview is polled. */
  readonly pollMs?: number;
}

type Companion = { readonly available: boolean; readonly version?: string; readonly message?: string };

/** Not ended yet: listing, or the summary shown while the rows still load. */
function isActive(state: PreviewState | undefined): boolean {
  return isRunning(state) || state?.status === 'loading-rows';
}

/**
 * The state to show after a reply: a reply for another preview (a newer one was started) is
 * dropped, and so is a running state that lands after the preview already ended (a poll sent
 * just before Cancel answered).
 */
export function nextPreviewState(current: PreviewState | undefined, incoming: PreviewState): PreviewState | undefined {
  if (current === undefined || current.previewId !== incoming.previewId) return current;
  if (!isActive(current) && isActive(incoming)) return current;
  // The rows load only forwards: a late listing poll does not hide a summary already shown.
  if (current.status === 'loading-rows' && isRunning(incoming)) return current;
  return incoming;
}

function codeOf(error: unknown): string | undefined {
  return error instanceof ConnectGuardError ? error.code : undefined;
}

function CompanionNotice({ companion }: { readonly companion: Companion | undefined }): JSX.Element | null {
  if (companion === undefined || companion.available) return null;
  return (
    // A standing note, not an alert: it is true from the moment the popup opens, and alerts are for what the user just did.
    <div class="notice" role="note" aria-label="Companion missing">
      <p>
        <strong>The Connect Guard companion is not answering.</strong> The preview lists the bucket through it, on this computer. Install it, then reopen this panel:
      </p>
      <pre>
        <code>npx connect-guard install-host</code>
      </pre>
      {companion.message !== undefined && <p class="hint">{companion.message}</p>}
    </div>
  );
}

export function PreviewPanel(props: PreviewPanelProps): JSX.Element {
  const { send, pollMs = 250 } = props;
  const [companion, setCompanion] = useState<Companion | undefined>();
  const [form, setForm] = useState<ConnectFormSummary | null | undefined>();
  const [vault, setVault] = useState<VaultView>({ kind: 'loading' });
  const [connection, setConnection] = useState<ConnectionDraft>(EMPTY_CONNECTION);
  const [wesendit, setWesendit] = useState<WesenditDraft>(DEFAULT_WESENDIT);
  const [preview, setPreview] = useState<PreviewState | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [filter, setFilter] = useState<RowFilter>('all');
  /** The user picked a connection kind themselves: loading data must not switch it. */
  const chosen = useRef(false);

  function updateConnection(next: ConnectionDraft): void {
    if (next.choice !== connection.choice) chosen.current = true;
    setConnection(next);
  }

  async function loadVault(): Promise<void> {
    try {
      const storages = await send('storage.list', {});
      setVault({ kind: 'ready', storages });
    } catch (caught) {
      const code = codeOf(caught);
      setVault(code === 'VAULT_LOCKED' ? { kind: 'locked' } : code === 'VAULT_MISSING' ? { kind: 'missing' } : { kind: 'error', message: messageOf(caught) });
    }
  }

  // Companion status, the connect form and the latest preview, once on open.
  useEffect(() => {
    send('companion.status', {}).then(
      (status) => setCompanion({ available: status.available, ...(status.version === undefined ? {} : { version: status.version }), ...(status.error === undefined ? {} : { message: status.error.message }) }),
      (caught: unknown) => setCompanion({ available: false, message: messageOf(caught) }),
    );
    const formRequest = props.formId === undefined ? send('connectForm.latest', {}) : send('connectForm.get', { formId: props.formId });
    formRequest.then(
      (found) => {
        setForm(found);
        if (found === null && !chosen.current) setConnection((draft) => (draft.choice === 'form' ? { ...draft, choice: 'direct' } : draft));
      },
      (caught: unknown) => {
        setForm(null);
        // A missing form is the normal case in the popup; in preview.html it means the page went away.
        if (props.formId !== undefined) setError(messageOf(caught));
      },
    );
    const previewRequest = props.previewId === undefined ? send('preview.latest', {}) : send('preview.state', { previewId: props.previewId });
    previewRequest.then(
      (state) => {
        if (state !== null) setPreview((current) => current ?? state);
      },
      (caught: unknown) => setError(messageOf(caught)),
    );
  }, []);

  // The vault's storages, again whenever the host page unlocked it.
  useEffect(() => {
    void loadVault();
  }, [props.vaultUnlocked]);

  // A saved storage is the natural default when there is no form.
  useEffect(() => {
    if (chosen.current || form !== null || vault.kind !== 'ready' || vault.storages.length === 0) return;
    setConnection((draft) => (draft.choice === 'vault' ? draft : { ...draft, choice: 'vault' }));
  }, [form, vault]);

  // Poll a running preview until done; a reply for another preview (a newer one started) is dropped.
  useEffect(() => {
    if (preview === undefined || !isActive(preview)) return;
    const previewId = preview.previewId;
    return pollOnce(
      pollMs,
      () => send('preview.state', { previewId }),
      (state) => setPreview((current) => nextPreviewState(current, state)),
      (caught) => setError(messageOf(caught)),
    );
  }, [preview]);

  async function start(): Promise<void> {
    setError(undefined);
    setNote(undefined);
    const source = connectionSource(connection, form);
    if ('problem' in source) {
      setError(source.problem);
      return;
    }
    const side = wesenditSource(wesendit, props.wesenditTab, form, source.kind === 'form');
    if ('problem' in side) {
      setError(side.problem);
      return;
    }
    setBusy(true);
    try {
      const state = await send('preview.start', { connection: source, wesendit: side });
      setFilter('all');
      setCancelling(false);
      setPreview(state);
    } catch (caught) {
      if (codeOf(caught) === 'VAULT_LOCKED') setVault({ kind: 'locked' });
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  async function cancel(): Promise<void> {
    if (preview === undefined) return;
    setCancelling(true);
    try {
      const state = await send('preview.cancel', { previewId: preview.previewId });
      setPreview((current) => nextPreviewState(current, state));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setCancelling(false);
    }
  }

  async function saveToVault(): Promise<void> {
    setError(undefined);
    setNote(undefined);
    const source = connectionSource(connection, form);
    if ('problem' in source) {
      setError(source.problem);
      return;
    }
    if (source.kind === 'vault') return;
    const storageName = connection.storageName.trim() || (source.kind === 'direct' ? source.connection.bucket : (form?.bucket ?? ''));
    setBusy(true);
    try {
      const { storageId } = await send('storage.saveConnection', { source, storageName });
      setNote(`Saved “${storageName}” to the vault and read it back.`);
      await loadVault();
      // From now on the vault holds the secret; this page forgets the typed copy.
      chosen.current = true;
      setConnection((draft) => ({ ...draft, choice: 'vault', storageId, secretKey: '' }));
    } catch (caught) {
      if (codeOf(caught) === 'VAULT_LOCKED') {
        setVault({ kind: 'locked' });
        setError(props.vaultUnlock === 'host' ? 'The vault is locked. Unlock it above, then save again.' : 'The vault is locked. Unlock it, then save again.');
      } else {
        setError(messageOf(caught));
      }
    } finally {
      setBusy(false);
    }
  }

  async function unlock(): Promise<void> {
    setError(undefined);
    setBusy(true);
    try {
      await send('vault.unlock', { passphrase });
      setPassphrase('');
      await loadVault();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const unlockPrompt =
    props.vaultUnlock === 'panel' ? (
      <form
        class="unlock"
        onSubmit={(event) => {
          event.preventDefault();
          void unlock();
        }}
      >
        <p class="hint">The vault is locked. Unlock it to use a saved storage.</p>
        <LabelledInput id="preview-vault-passphrase" label="Vault passphrase" type="password" autoComplete="current-password" value={passphrase} onValue={setPassphrase} />
        <button type="submit" disabled={busy}>
          Unlock
        </button>
      </form>
    ) : undefined;

  const running = isActive(preview);
  return (
    <section class="preview-panel" aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview connect</h2>
      <p class="hint">What connecting this storage to the bucket will do, computed from both listings. Nothing is changed.</p>
      <CompanionNotice companion={companion} />
      <form
        class="preview-setup"
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <ConnectionPicker draft={connection} onDraft={updateConnection} form={form} vault={vault} {...(unlockPrompt === undefined ? {} : { unlockPrompt })} onSaveToVault={() => void saveToVault()} busy={busy} />
        <WesenditPicker draft={wesendit} onDraft={setWesendit} tab={props.wesenditTab} />
        <button type="submit" disabled={busy || running}>
          Preview connect
        </button>
      </form>
      <OutcomeMessages note={note} error={error} />
      {preview !== undefined && <PreviewResult state={preview} send={send} filter={filter} onFilter={setFilter} onCancel={() => void cancel()} cancelling={cancelling} listHeight={props.listHeight ?? 260} />}
    </section>
  );
}
