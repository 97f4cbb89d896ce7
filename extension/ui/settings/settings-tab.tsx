/**
 * The popup's Settings tab: the vault's settings (auto-lock minutes, clipboard seconds, extra
 * origins), its export and import, and the change of its passphrase. Everything here needs the
 * vault unlocked: the header above unlocks it.
 */
import type { JSX } from 'preact';
import type { Settings, VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { ChangePassphrase } from './change-passphrase.tsx';
import { SettingsPanel } from './settings-panel.tsx';
import { VaultTransfer } from './vault-transfer.tsx';

export interface SettingsTabProps {
  readonly status: VaultStatus;
  readonly settings: Settings | undefined;
  readonly onSaved: (settings: Settings) => void;
  /** An import changed the vault's storages. */
  readonly onImported: () => void;
}

export function SettingsTab({ status, settings, onSaved, onImported }: SettingsTabProps): JSX.Element {
  if (!status.unlocked) {
    return (
      <section aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        <p class="hint">
          {status.exists
            ? 'The vault is locked. Unlock it above to change its settings, export or import it, or change its passphrase.'
            : 'No vault yet. Create one on the Storages tab; then its settings, export and import are here.'}
        </p>
      </section>
    );
  }
  return (
    <div class="settings-tab">
      {settings === undefined ? <p class="hint">Reading the settings…</p> : <SettingsPanel settings={settings} onSaved={onSaved} />}
      <div class="settings-vault">
        <VaultTransfer onImported={onImported} />
        <ChangePassphrase />
      </div>
    </div>
  );
}
