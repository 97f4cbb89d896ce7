/**
 * "Export to KeePass" / "Export to Bitwarden": asks for the file's own passphrase (twice, with a
 * strength hint), shows the key-derivation parameters the file will get, has the background build
 * and verify the file, then offers it as a download. The passphrase is typed here, in the popup (an
 * extension page), never in WeSendit's page; the secrets stay in the background and reach this
 * page only inside the encrypted file.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { describeHandoffKdf, plannedHandoffKdf, type HandoffFormat } from '../../../shared/handoff-formats/handoff-entry.ts';
import type { HandoffFile, HandoffScope } from '../../../shared/protocol/extension-protocol.ts';
import { base64ToBytes } from '../../../shared/vault-format/base64.ts';
import { assertPassphraseAcceptable } from '../../../shared/vault-format/passphrase-strength.ts';
import { downloadBlob } from '../components/download-blob.ts';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';
import { passphraseStrengthHint } from '../components/passphrase-strength-hint.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';

/** The button names of PRODUCT.md's accessibility contract. */
export const HANDOFF_BUTTON_LABELS: Readonly<Record<HandoffFormat, string>> = { keepass: 'Export to KeePass', bitwarden: 'Export to Bitwarden' };

/** Where the file goes next, in the password manager's own words. */
const NEXT_STEPS: Readonly<Record<HandoffFormat, readonly string[]>> = {
  keepass: [
    'KeePassXC: Database → Open database…, choose the file and type this file passphrase; to add the entries to the database you use, open that one and choose Database → Merge from database… with this file.',
    'KeePass 2: File → Import → KeePass KDBX (2.x), or open the file.',
    'Then delete the downloaded file: the entries now live in your own database.',
  ],
  bitwarden: [
    'Bitwarden: Tools → Import data, format “Bitwarden (json)”, choose the file; Bitwarden asks for this file passphrase (a password-protected export).',
    'Then delete the downloaded file: the items now live in your vault.',
  ],
};

export interface HandoffTarget {
  readonly format: HandoffFormat;
  readonly scope: HandoffScope;
  /** "NAS backup" or "all 3 storages", for the heading's explanation. */
  readonly what: string;
}

export interface HandoffDialogProps extends HandoffTarget {
  readonly send: SendToBackground;
  readonly onClose: () => void;
}

function fileBlob(file: HandoffFile): Blob {
  const bytes = base64ToBytes(file.base64);
  if (bytes === undefined) throw new Error('The background sent a damaged file. Try the export again.');
  return new Blob([bytes], { type: file.mimeType });
}

export function HandoffDialog({ format, scope, what, send, onClose }: HandoffDialogProps): JSX.Element {
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<HandoffFile | undefined>();
  const title = HANDOFF_BUTTON_LABELS[format];
  const headingId = `handoff-${format}-heading`;

  async function create(): Promise<void> {
    setError(undefined);
    if (passphrase !== confirmation) {
      setError('The file passphrases do not match. Type the same passphrase in both fields.');
      return;
    }
    try {
      assertPassphraseAcceptable(passphrase);
    } catch (caught) {
      setError(messageOf(caught));
      return;
    }
    setBusy(true);
    try {
      const file = await send('handoff.export', { format, scope, passphrase, confirmation });
      // Built, read back and compared in the background before it got here: only now is it saved.
      downloadBlob(file.fileName, fileBlob(file));
      setPassphrase('');
      setConfirmation('');
      setDone(file);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="handoff" role="dialog" aria-labelledby={headingId} data-handoff={format}>
      <h2 id={headingId}>{title}</h2>
      {done === undefined ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void create();
          }}
        >
          <p class="hint">
            An encrypted {format === 'keepass' ? 'KeePass (KDBX 4)' : 'Bitwarden password-protected JSON'} file with {what}: Storage name, Access Key, Secret Key, S3 Server Address, bucket name,
            permissions and allowed IP addresses. Choose a passphrase for this file alone, not your vault passphrase; you type it once more when {format === 'keepass' ? 'KeePass' : 'Bitwarden'}{' '}
            opens the file.
          </p>
          <p class="hint" data-handoff-kdf>
            Key derivation in the file: {describeHandoffKdf(plannedHandoffKdf(format))}.
          </p>
          <LabelledInput id={`handoff-${format}-passphrase`} label="File passphrase" type="password" autoComplete="new-password" value={passphrase} onValue={setPassphrase} hint={passphraseStrengthHint(passphrase)} autoFocus />
          <LabelledInput id={`handoff-${format}-confirm`} label="Confirm file passphrase" type="password" autoComplete="new-password" value={confirmation} onValue={setConfirmation} />
          <div class="row">
            <button type="submit" disabled={busy}>
              {busy ? 'Creating the file…' : 'Create encrypted file'}
            </button>
            <button type="button" class="secondary" onClick={onClose} disabled={busy}>
              Cancel
            </button>
          </div>
          {busy && (
            <p class="hint" role="status">
              Deriving the file key with Argon2id, writing the file and reading it back to check it…
            </p>
          )}
          <ErrorMessage message={error} />
        </form>
      ) : (
        <>
          <p class="ok" role="status">
            Saved {done.fileName}: {done.entries === 1 ? '1 storage' : `${done.entries} storages`}, read back and verified before the download. Key derivation in the file: {describeHandoffKdf(done.kdf)}.
          </p>
          <ol class="hint">
            {NEXT_STEPS[format].map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
          <button type="button" class="secondary" onClick={onClose}>
            Done
          </button>
        </>
      )}
    </section>
  );
}
