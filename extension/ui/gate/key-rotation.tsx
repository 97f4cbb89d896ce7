/**
 * After the gate saved a new key for a storage already in the vault (same name or bucket, another
 * Access Key): WeSendit's help says the old key stops working and every connection using it "must
 * be reconfigured". This panel names the old key, lists the external tools Connect Guard set up
 * with it (the companion knows them), and updates them all in one action; each tool is then run
 * against the server and its check shown.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ToolsUpdateResult } from '../../../shared/protocol/companion-protocol.ts';
import type { GateRotation } from '../../../shared/protocol/extension-protocol.ts';
import type { ToolEntryView } from '../../../shared/protocol/views.ts';
import { sendToBackground } from '../../adapters/messaging.ts';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';

const TOOL_WORD: Readonly<Record<ToolEntryView['tool'], string>> = { rclone: 'rclone remote', aws: 'AWS profile' };

const STATUS_WORDS: Readonly<Record<'ok' | 'failed' | 'skipped', string>> = { ok: 'authenticates with the new key', failed: 'check failed', skipped: 'not checked' };

export function KeyRotation({ captureId, send = sendToBackground }: { readonly captureId: string; readonly send?: SendToBackground }): JSX.Element | null {
  const [rotation, setRotation] = useState<GateRotation | null | undefined>();
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [result, setResult] = useState<ToolsUpdateResult | undefined>();

  useEffect(() => {
    // Not knowing (a locked vault, an old capture) shows nothing: the save itself is done.
    send('gate.rotation', { captureId }).then(setRotation, () => setRotation(null));
  }, [captureId, send]);

  if (rotation === undefined || rotation === null) return null;

  async function update(): Promise<void> {
    setError(undefined);
    setBusy(true);
    try {
      setResult(await send('gate.updateTools', { captureId, toolPassphrase: passphrase }));
      setPassphrase('');
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const old = rotation.oldAccessKeys.join(', ');
  return (
    <section class="tool-rotation" aria-labelledby="rotation-heading" data-key-rotation>
      <h2 id="rotation-heading">The old key stops working</h2>
      <p>
        WeSendit made a new Access Key ({rotation.newAccessKey}) for “{rotation.storageName || rotation.bucketName}”. The old key ({old}) stops working: everything that still uses it must get the
        new one.
      </p>
      {rotation.companionError !== undefined && (
        <p class="error" role="alert">
          Connect Guard could not ask its companion which external tools use the old key: {rotation.companionError.message}
        </p>
      )}
      {rotation.companionError === undefined && rotation.tools.length === 0 && (
        <p class="hint">No external tool that Connect Guard set up uses the old key. Tools you set up yourself (other rclone remotes, AWS profiles, mc aliases) need the new key too.</p>
      )}
      {rotation.tools.length > 0 && result === undefined && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void update();
          }}
        >
          <p>External tools set up with the old key:</p>
          <ul aria-label="External tools using the old key">
            {rotation.tools.map((tool) => (
              <li key={`${tool.tool}:${tool.configPath}:${tool.name}`}>
                {TOOL_WORD[tool.tool]} “{tool.name}” in {tool.configPath} (bucket {tool.bucket}, key {tool.accessKey})
              </li>
            ))}
          </ul>
          <LabelledInput id="rotation-tool-passphrase" label="Passphrase for external tools" type="password" autoComplete="current-password" value={passphrase} onValue={setPassphrase} required />
          <div class="row">
            <button type="submit" disabled={busy}>
              {busy ? 'Updating and checking…' : 'Update external tools'}
            </button>
          </div>
          <ErrorMessage message={error} />
        </form>
      )}
      {result !== undefined && (
        <ul aria-label="External tools updated" role="status">
          {result.results.map((entry) => (
            <li key={`${entry.tool}:${entry.configPath}:${entry.name}`} data-tool-status={entry.status}>
              {TOOL_WORD[entry.tool]} “{entry.name}”: {STATUS_WORDS[entry.status]}
              {entry.message === '' ? '' : ` (${entry.message})`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
