/**
 * The popup, an app of four tabs under one header (Bitwarden's popup is the model):
 * - the header: the vault's state in words, "Lock vault", the unlock form while locked, "Open in a tab";
 * - Storages: the vault's saved storages (or "Create vault" when there is none);
 * - Preview: "Preview connect";
 * - Backups: "Back up now" and every backup on this computer, each with "Restore…";
 * - Settings: auto-lock, clipboard, extra origins, "Export vault" and import, change of passphrase.
 *
 * Names follow PRODUCT.md's accessibility contract. The page is the same in the toolbar popup and
 * opened as a tab; ui.css lays it out by width. Secrets appear only after unlock and only on Reveal.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { StorageSummary } from '../../../shared/credentials.ts';
import type { Settings, VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { BackupsTab } from '../backups/backups-tab.tsx';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { Tabs, type TabDefinition } from '../components/tabs.tsx';
import { previewHashParams } from '../preview/preview-hash.ts';
import { PreviewPanel } from '../preview/preview-panel.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';
import { SettingsTab } from '../settings/settings-tab.tsx';
import { StoragesTab } from '../storages/storages-tab.tsx';
import { PopupHeader } from './popup-header.tsx';
import { POPUP_TAB_LABELS, POPUP_TABS, initialPopupTab, popupTabFromHash, type PopupTab } from './popup-tabs.ts';

export interface PopupAppProps {
  readonly send: SendToBackground;
  /** The address's hash: `#tab=…`, or a preview's `#form=…` / `#preview=…`. */
  readonly hash: string;
  /** The tab chosen last in this browser session, if any. */
  readonly lastTab?: string | undefined;
  /** Remembers the chosen tab for the session. */
  readonly onTabChosen?: (tab: PopupTab) => void;
  /** Set in the toolbar popup (not when already open as a tab): opens the app as a tab on this tab. */
  readonly onOpenInTab?: ((tab: PopupTab) => void) | undefined;
  /** The tab whose WeSendit file browser a preview reads (the active web page tab), when known. */
  readonly wesenditTabId?: number | undefined;
  /** How often running previews, backups and restores are polled. */
  readonly pollMs?: number;
}

export function PopupApp({ send, hash, lastTab, onTabChosen, onOpenInTab, wesenditTabId, pollMs }: PopupAppProps): JSX.Element {
  const [status, setStatus] = useState<VaultStatus | undefined>();
  const [storages, setStorages] = useState<StorageSummary[]>([]);
  const [settings, setSettings] = useState<Settings | undefined>();
  const [tab, setTab] = useState<PopupTab>(() => initialPopupTab(hash, lastTab));
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function refresh(): Promise<void> {
    const fresh = await send('vault.status', {});
    setStatus(fresh);
    setStorages(fresh.unlocked ? await send('storage.list', {}) : []);
    setSettings(await send('settings.get', {}));
  }

  useEffect(() => {
    refresh().catch((caught: unknown) => setError(messageOf(caught)));
  }, []);

  // An address changed while open (a link to `#tab=backups`) moves to that tab.
  useEffect(() => {
    const onHash = (): void => {
      const named = popupTabFromHash(location.hash);
      if (named !== undefined) setTab(named);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  function choose(next: PopupTab): void {
    setTab(next);
    onTabChosen?.(next);
  }

  /** Runs a vault action; true when it succeeded (the error is shown otherwise). */
  async function act(work: () => Promise<unknown>): Promise<boolean> {
    setError(undefined);
    setBusy(true);
    try {
      await work();
      await refresh();
      return true;
    } catch (caught) {
      setError(messageOf(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  if (status === undefined) {
    return (
      <div class="app">
        <header class="app-header">
          <h1>Connect Guard</h1>
        </header>
        {error === undefined ? <p>Loading…</p> : <ErrorMessage message={error} />}
      </div>
    );
  }

  const panels: Readonly<Record<PopupTab, () => JSX.Element>> = {
    storages: () => (
      <StoragesTab
        status={status}
        storages={storages}
        onChanged={() => void act(async () => undefined)}
        send={send}
        busy={busy}
        onCreate={(passphrase) => act(() => send('vault.create', { passphrase }))}
        onMismatch={() => setError('The passphrases do not match. Type the same passphrase in both fields.')}
      />
    ),
    preview: () => (
      <PreviewPanel
        send={send}
        wesenditTab={{ kind: 'tab-id', tabId: wesenditTabId }}
        {...previewHashParams(hash)}
        vaultUnlock="host"
        vaultUnlocked={status.unlocked}
        {...(pollMs === undefined ? {} : { pollMs })}
      />
    ),
    backups: () => <BackupsTab send={send} vaultUnlocked={status.unlocked} {...(pollMs === undefined ? {} : { pollMs })} />,
    settings: () => <SettingsTab status={status} settings={settings} onSaved={setSettings} onImported={() => void refresh()} />,
  };
  const tabs: TabDefinition<PopupTab>[] = POPUP_TABS.map((key) => ({ key, label: POPUP_TAB_LABELS[key], render: panels[key] }));

  return (
    <div class="app">
      <PopupHeader
        status={status}
        storages={storages.length}
        busy={busy}
        onLock={() => void act(() => send('vault.lock', {}))}
        onUnlock={(passphrase) => act(() => send('vault.unlock', { passphrase }))}
        onOpenInTab={onOpenInTab === undefined ? undefined : () => onOpenInTab(tab)}
      />
      <ErrorMessage message={error} />
      <Tabs tabs={tabs} selected={tab} onSelect={choose} label="Connect Guard" idPrefix="popup" />
    </div>
  );
}
