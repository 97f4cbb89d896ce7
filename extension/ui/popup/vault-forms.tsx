/**
 * The vault's two entry forms: "Unlock" (its passphrase) and "Create vault" (a passphrase typed
 * twice). The passphrase stays in this page's memory until the background answered, then is
 * cleared; the background alone derives the key.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { LabelledInput } from '../components/labelled-input.tsx';
import { passphraseStrengthHint } from '../components/passphrase-strength-hint.tsx';

export interface UnlockFormProps {
  readonly busy: boolean;
  /** Resolves true when the vault was unlocked (the field is cleared then). */
  readonly onUnlock: (passphrase: string) => Promise<boolean>;
}

export function UnlockForm({ busy, onUnlock }: UnlockFormProps): JSX.Element {
  const [passphrase, setPassphrase] = useState('');
  return (
    <form
      class="unlock-form"
      aria-label="Unlock the vault"
      onSubmit={(event) => {
        event.preventDefault();
        void onUnlock(passphrase).then((unlocked) => {
          if (unlocked) setPassphrase('');
        });
      }}
    >
      <LabelledInput id="vault-passphrase" label="Vault passphrase" type="password" autoComplete="current-password" value={passphrase} onValue={setPassphrase} autoFocus />
      <button type="submit" disabled={busy}>
        Unlock
      </button>
      {busy && <span aria-live="polite"> Unlocking…</span>}
    </form>
  );
}

export interface CreateVaultFormProps {
  readonly busy: boolean;
  /** Resolves true when the vault was created. */
  readonly onCreate: (passphrase: string) => Promise<boolean>;
  /** The passphrases differ: say so (nothing is sent). */
  readonly onMismatch: () => void;
}

export function CreateVaultForm({ busy, onCreate, onMismatch }: CreateVaultFormProps): JSX.Element {
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  return (
    <form
      aria-label="Create the vault"
      onSubmit={(event) => {
        event.preventDefault();
        if (passphrase !== confirm) {
          onMismatch();
          return;
        }
        void onCreate(passphrase).then((created) => {
          if (!created) return;
          setPassphrase('');
          setConfirm('');
        });
      }}
    >
      <LabelledInput id="vault-passphrase" label="Vault passphrase" type="password" autoComplete="new-password" value={passphrase} onValue={setPassphrase} hint={passphraseStrengthHint(passphrase)} />
      <LabelledInput id="confirm-passphrase" label="Confirm passphrase" type="password" autoComplete="new-password" value={confirm} onValue={setConfirm} />
      <button type="submit" disabled={busy}>
        Create vault
      </button>
    </form>
  );
}
