/**
 * The popup's header: the app's name, the vault's state in words ("No vault", "Locked",
 * "Unlocked · 2 storages"), "Lock vault" while unlocked, the unlock form while locked (every tab
 * may need a saved storage), and "Open in a tab" in the toolbar popup.
 */
import type { JSX } from 'preact';
import type { VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { plural } from '../preview/preview-format.ts';
import { UnlockForm } from './vault-forms.tsx';

/** The vault's state as the header says it. */
export function vaultStateWords(status: VaultStatus, storages: number): string {
  if (!status.exists) return 'No vault';
  if (!status.unlocked) return 'Locked';
  return `Unlocked · ${plural(storages, 'storage')}`;
}

export interface PopupHeaderProps {
  readonly status: VaultStatus;
  /** Saved storages (known while unlocked). */
  readonly storages: number;
  readonly busy: boolean;
  readonly onLock: () => void;
  readonly onUnlock: (passphrase: string) => Promise<boolean>;
  /** Set in the toolbar popup: opens the app as a tab. */
  readonly onOpenInTab?: (() => void) | undefined;
}

export function PopupHeader({ status, storages, busy, onLock, onUnlock, onOpenInTab }: PopupHeaderProps): JSX.Element {
  return (
    <header class="app-header">
      <div class="row spread">
        <div class="row">
          <h1>Connect Guard</h1>
          <span class={`vault-state ${status.unlocked ? 'unlocked' : 'locked'}`} role="status" aria-label="Vault">
            {vaultStateWords(status, storages)}
          </span>
        </div>
        <div class="row">
          {onOpenInTab !== undefined && (
            <button type="button" class="secondary" onClick={onOpenInTab}>
              Open in a tab
            </button>
          )}
          {status.unlocked && (
            <button type="button" class="secondary" disabled={busy} onClick={onLock}>
              Lock vault
            </button>
          )}
        </div>
      </div>
      {status.exists && !status.unlocked && <UnlockForm busy={busy} onUnlock={onUnlock} />}
    </header>
  );
}
