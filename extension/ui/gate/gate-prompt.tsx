/**
 * "Save your Secret Key": review what the gate captured, create or unlock the vault, save. The
 * background encrypts, writes, reads back, decrypts and compares before it answers; only then
 * does this frame say "Saved and verified" and the page's controls are released. When the saved
 * key replaces an older one of the same storage, it says the old key stops working and offers to
 * update the external tools set up with it (key-rotation.tsx).
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { GateCapture, VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { sendToBackground } from '../../adapters/messaging.ts';
import { CredentialFields } from '../components/credential-fields.tsx';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';
import { passphraseStrengthHint } from '../components/passphrase-strength-hint.tsx';
import { KeyRotation } from './key-rotation.tsx';

type Phase =
  | { readonly kind: 'loading' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'ready'; readonly capture: GateCapture; readonly status: VaultStatus }
  | { readonly kind: 'saved' };

export function GatePrompt({ captureId }: { readonly captureId: string }): JSX.Element {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      try {
        const [capture, status] = await Promise.all([
          sendToBackground('gate.getCapture', { captureId }),
          sendToBackground('vault.status', {}),
        ]);
        setPhase(capture.released ? { kind: 'saved' } : { kind: 'ready', capture, status });
      } catch (caught) {
        setPhase({ kind: 'failed', message: messageOf(caught) });
      }
    })();
  }, [captureId]);

  async function save(status: VaultStatus): Promise<void> {
    setError(undefined);
    if (!status.exists && passphrase !== confirm) {
      setError('The passphrases do not match. Type the same passphrase in both fields.');
      return;
    }
    setBusy(true);
    try {
      if (!status.exists) await sendToBackground('vault.create', { passphrase });
      else if (!status.unlocked) await sendToBackground('vault.unlock', { passphrase });
      await sendToBackground('gate.save', { captureId });
      setPassphrase('');
      setConfirm('');
      setPhase({ kind: 'saved' });
    } catch (caught) {
      setError(messageOf(caught));
      // The vault may have been created or unlocked before the save failed: show the right fields.
      try {
        const fresh = await sendToBackground('vault.status', {});
        setPhase((current) => (current.kind === 'ready' ? { ...current, status: fresh } : current));
      } catch {
        // Keep the current view; the error above says what went wrong.
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="gate" aria-labelledby="gate-heading">
      <h1 id="gate-heading">Save your Secret Key</h1>
      {phase.kind === 'loading' && <p>Loading the captured credentials…</p>}
      {phase.kind === 'failed' && <ErrorMessage message={phase.message} />}
      {phase.kind === 'saved' && (
        <>
          <p class="ok" role="status">
            Saved and verified. The Secret Key is encrypted in your vault; you can go on in WeSendit.
          </p>
          <KeyRotation captureId={captureId} />
        </>
      )}
      {phase.kind === 'ready' && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void save(phase.status);
          }}
        >
          <p class="hint">WeSendit shows this Secret Key only once. Save it before you continue.</p>
          <CredentialFields credentials={phase.capture.credentials} />
          {!phase.status.exists && (
            <>
              <p class="hint">This creates your encrypted vault.</p>
              <LabelledInput
                id="vault-passphrase"
                label="Vault passphrase"
                type="password"
                autoComplete="new-password"
                value={passphrase}
                onValue={setPassphrase}
                hint={passphraseStrengthHint(passphrase)}
                required
              />
              <LabelledInput
                id="confirm-passphrase"
                label="Confirm passphrase"
                type="password"
                autoComplete="new-password"
                value={confirm}
                onValue={setConfirm}
                required
              />
            </>
          )}
          {phase.status.exists && !phase.status.unlocked && (
            <LabelledInput
              id="vault-passphrase"
              label="Vault passphrase"
              type="password"
              autoComplete="current-password"
              value={passphrase}
              onValue={setPassphrase}
              required
            />
          )}
          <ErrorMessage message={error} />
          <div class="row">
            <button type="submit" disabled={busy}>
              Save to vault
            </button>
            {busy && <span aria-live="polite">Encrypting and verifying…</span>}
          </div>
        </form>
      )}
    </section>
  );
}
