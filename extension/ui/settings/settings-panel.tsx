/**
 * Settings: auto-lock minutes, clipboard seconds and extra origins for the gate. Granting an
 * origin asks Chromium for the host permission; that request must start inside the click
 * handler (a user gesture), before anything is awaited.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { Settings } from '../../../shared/protocol/extension-protocol.ts';
import { sendToBackground } from '../../adapters/messaging.ts';
import { requestHostPermission } from '../../adapters/host-permissions.ts';
import { normaliseExtraOrigin, originToMatchPattern, SETTINGS_LIMITS } from '../../adapters/settings-store.ts';
import { OutcomeMessages, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';

export function SettingsPanel({ settings, onSaved }: { readonly settings: Settings; readonly onSaved: (settings: Settings) => void }): JSX.Element {
  const [autoLock, setAutoLock] = useState(String(settings.autoLockMinutes));
  const [clipboard, setClipboard] = useState(String(settings.clipboardSeconds));
  const [origin, setOrigin] = useState('');
  const [note, setNote] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  async function apply(change: Partial<Settings>, done: string): Promise<void> {
    setError(undefined);
    setNote(undefined);
    try {
      onSaved(await sendToBackground('settings.set', change));
      setNote(done);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  function grantOrigin(): void {
    setError(undefined);
    let normalised: string;
    try {
      normalised = normaliseExtraOrigin(origin);
    } catch (caught) {
      setError(messageOf(caught));
      return;
    }
    // Called synchronously in the click handler: Chromium only shows the prompt for a user gesture.
    const request = requestHostPermission(originToMatchPattern(normalised));
    void request.then(
      (granted) => {
        if (!granted) {
          setError(`Access to ${normalised} was not granted, so the gate cannot run there.`);
          return;
        }
        setOrigin('');
        return apply({ extraOrigins: [...settings.extraOrigins, normalised] }, `The gate now also runs on ${normalised}.`);
      },
      (caught: unknown) => setError(messageOf(caught)),
    );
  }

  return (
    <section class="settings-panel" aria-labelledby="vault-settings-heading">
      <h2 id="vault-settings-heading">Vault settings</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void apply({ autoLockMinutes: Number(autoLock), clipboardSeconds: Number(clipboard) }, 'Settings saved.');
        }}
      >
        <LabelledInput
          id="auto-lock-minutes"
          label="Auto-lock minutes"
          type="number"
          value={autoLock}
          onValue={setAutoLock}
          hint={`Lock after this many minutes without use (${SETTINGS_LIMITS.autoLockMinutes.min}–${SETTINGS_LIMITS.autoLockMinutes.max}).`}
        />
        <LabelledInput
          id="clipboard-seconds"
          label="Clipboard seconds"
          type="number"
          value={clipboard}
          onValue={setClipboard}
          hint={`Clear a copied secret after this many seconds (${SETTINGS_LIMITS.clipboardSeconds.min}–${SETTINGS_LIMITS.clipboardSeconds.max}).`}
        />
        <button type="submit" class="secondary">
          Save settings
        </button>
      </form>
      <h3>Extra origins</h3>
      <p class="hint">The gate runs on WeSendit and on this computer (127.0.0.1, localhost). Add a white-labelled WeSendit portal here.</p>
      {settings.extraOrigins.length > 0 && (
        <ul aria-label="Extra origins">
          {settings.extraOrigins.map((granted) => (
            <li key={granted} class="row">
              <span>{granted}</span>
              <button
                type="button"
                class="link"
                aria-label={`Remove ${granted}`}
                onClick={() => void apply({ extraOrigins: settings.extraOrigins.filter((o) => o !== granted) }, `Removed ${granted}.`)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <LabelledInput id="extra-origin" label="Origin to add for the gate" value={origin} onValue={setOrigin} hint="For example https://files.example.com" />
      <button type="button" class="secondary" onClick={grantOrigin}>
        Add origin
      </button>
      <OutcomeMessages note={note} error={error} />
    </section>
  );
}
