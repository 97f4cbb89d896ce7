/**
 * The popup. Names follow PRODUCT.md's accessibility contract: "Unlock", "Lock vault",
 * "Preview connect", "Back up now", "Export vault". Secrets appear only after unlock and only on Reveal.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { StorageSummary } from '../../../shared/credentials.ts';
import type { Settings, VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { sendToBackground } from '../../adapters/messaging.ts';
import { BackupsTab } from '../backups/backups-tab.tsx';
import { ChangePassphrase } from '../settings/change-passphrase.tsx';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';
import { passphraseStrengthHint } from '../components/passphrase-strength-hint.tsx';
import { previewHashParams } from '../preview/preview-hash.ts';
import { PreviewPanel } from '../preview/preview-panel.tsx';
import { SettingsPanel } from '../settings/settings-panel.tsx';
import { StorageList } from '../storages/storage-list.tsx';
import { VaultTransfer } from '../settings/vault-transfer.tsx';

export interface PopupAppProps {
  /** The tab whose WeSendit file browser a preview reads (the active web page tab), when known. */
  readonly wesenditTabId?: number;
}

export function PopupApp({ wesenditTabId }: PopupAppProps = {}): JSX.Element {
  const [status, setStatus] = useState<VaultStatus | undefined>();
  const [storages, setStorages] = useState<StorageSummary[]>([]);
  const [settings, setSettings] = useState<Settings | undefined>();
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function refresh(): Promise<void> {
    const fresh = await sendToBackground('vault.status', {});
    setStatus(fresh);
    setStorages(fresh.unlocked ? await sendToBackground('storage.list', {}) : []);
    setSettings(await sendToBackground('settings.get', {}));
  }

  useEffect(() => {
    refresh().catch((caught: unknown) => setError(messageOf(caught)));
  }, []);

  async function act(work: () => Promise<unknown>): Promise<void> {
    setError(undefined);
    setBusy(true);
    try {
      await work();
      setPassphrase('');
      setConfirm('');
      await refresh();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  if (status === undefined) {
    return (
      <div class="popup">
        <h1>Connect Guard</h1>
        {error === undefined ? <p>Loading…</p> : <ErrorMessage message={error} />}
      </div>
    );
  }

  return (
    <div class="popup">
      <h1>Connect Guard</h1>
      {!status.exists && (
        <section aria-labelledby="create-heading">
          <h2 id="create-heading">No vault yet</h2>
          <p class="hint">
            The vault is created when WeSendit shows new S3 credentials: Connect Guard holds the dialog and asks for a passphrase. You can also create it now; to restore an export, create a vault, then use Import.
          </p>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (passphrase !== confirm) {
                setError('The passphrases do not match. Type the same passphrase in both fields.');
                return;
              }
              void act(() => sendToBackground('vault.create', { passphrase }));
            }}
          >
            <LabelledInput id="vault-passphrase" label="Vault passphrase" type="password" autoComplete="new-password" value={passphrase} onValue={setPassphrase} hint={passphraseStrengthHint(passphrase)} />
            <LabelledInput id="confirm-passphrase" label="Confirm passphrase" type="password" autoComplete="new-password" value={confirm} onValue={setConfirm} />
            <button type="submit" disabled={busy}>
              Create vault
            </button>
          </form>
        </section>
      )}
      {status.exists && !status.unlocked && (
        <section aria-labelledby="unlock-heading">
          <h2 id="unlock-heading">Vault locked</h2>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void act(() => sendToBackground('vault.unlock', { passphrase }));
            }}
          >
            <LabelledInput id="vault-passphrase" label="Vault passphrase" type="password" autoComplete="current-password" value={passphrase} onValue={setPassphrase} autoFocus />
            <button type="submit" disabled={busy}>
              Unlock
            </button>
            {busy && <span aria-live="polite"> Unlocking…</span>}
          </form>
        </section>
      )}
      <ErrorMessage message={error} />
      {status.unlocked && (
        <>
          <section aria-labelledby="storages-heading">
            <div class="row">
              <h2 id="storages-heading">Saved storages ({storages.length})</h2>
              <button type="button" class="secondary" onClick={() => void act(() => sendToBackground('vault.lock', {}))}>
                Lock vault
              </button>
            </div>
            <StorageList storages={storages} onChanged={() => void act(async () => undefined)} />
          </section>
          <VaultTransfer onImported={() => void refresh()} />
          <section aria-label="Vault settings">
            <ChangePassphrase />
            {settings !== undefined && <SettingsPanel settings={settings} onSaved={setSettings} />}
          </section>
        </>
      )}
      <PreviewPanel
        send={sendToBackground}
        wesenditTab={{ kind: 'tab-id', tabId: wesenditTabId }}
        {...previewHashParams(location.hash)}
        vaultUnlock="host"
        vaultUnlocked={status.unlocked}
      />
      {/* "Back up now" and every backup on this computer, each with "Restore…" (PRODUCT.md §5). */}
      <BackupsTab send={sendToBackground} vaultUnlocked={status.unlocked} />
    </div>
  );
}
