/** Passphrase change: only the vault key's wrapping changes; records stay as they are. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { sendToBackground } from '../../adapters/messaging.ts';
import { OutcomeMessages, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';
import { passphraseStrengthHint } from '../components/passphrase-strength-hint.tsx';

export function ChangePassphrase(): JSX.Element {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [note, setNote] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  async function change(): Promise<void> {
    setError(undefined);
    setNote(undefined);
    if (next !== confirm) {
      setError('The new passphrases do not match. Type the same new passphrase in both fields.');
      return;
    }
    try {
      await sendToBackground('vault.changePassphrase', { current, next });
      setCurrent('');
      setNext('');
      setConfirm('');
      setNote('Passphrase changed. Exports made before still open with the old passphrase.');
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <section aria-labelledby="change-passphrase-heading">
      <h2 id="change-passphrase-heading">Change passphrase</h2>
      <p class="hint">Only the wrapping of the vault key changes: the saved storages stay as they are.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void change();
        }}
      >
        <LabelledInput id="current-passphrase" label="Current passphrase" type="password" autoComplete="current-password" value={current} onValue={setCurrent} />
        <LabelledInput id="new-passphrase" label="New passphrase" type="password" autoComplete="new-password" value={next} onValue={setNext} hint={passphraseStrengthHint(next)} />
        <LabelledInput id="confirm-new-passphrase" label="Confirm new passphrase" type="password" autoComplete="new-password" value={confirm} onValue={setConfirm} />
        <button type="submit" class="secondary">
          Change passphrase
        </button>
      </form>
      <OutcomeMessages note={note} error={error} />
    </section>
  );
}
