/** Encrypted export (download) and import (file + the export's passphrase) of the whole vault. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { sendToBackground } from '../../adapters/messaging.ts';
import { downloadBlob } from '../components/download-blob.ts';
import { OutcomeMessages, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';

export function VaultTransfer({ onImported }: { readonly onImported: () => void }): JSX.Element {
  const [file, setFile] = useState<File | undefined>();
  const [passphrase, setPassphrase] = useState('');
  const [note, setNote] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  async function exportVault(): Promise<void> {
    setError(undefined);
    try {
      const { fileName, text } = await sendToBackground('vault.export', {});
      downloadBlob(fileName, new Blob([text], { type: 'application/json' }));
      setNote(`Exported ${fileName}. It is encrypted with your current vault passphrase.`);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  async function importVault(): Promise<void> {
    setError(undefined);
    setNote(undefined);
    if (!file) {
      setError('Choose the vault export file to import first.');
      return;
    }
    try {
      const text = await file.text();
      const { imported, updated } = await sendToBackground('vault.import', { text, passphrase });
      setPassphrase('');
      setNote(`Import done: ${imported} new, ${updated} updated.`);
      onImported();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <section aria-labelledby="transfer-heading">
      <h2 id="transfer-heading">Export and import the vault</h2>
      <p class="hint">The export is one encrypted file with every saved storage, so the vault is not your only copy. It opens with the passphrase the vault has when you export it.</p>
      <button type="button" class="secondary" onClick={() => void exportVault()}>
        Export vault
      </button>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void importVault();
        }}
      >
        <div class="field">
          <label for="import-file">Vault export file to import</label>
          <input id="import-file" type="file" accept="application/json,.json" onChange={(event) => setFile(event.currentTarget.files?.[0])} />
        </div>
        <LabelledInput id="import-passphrase" label="Passphrase of the export" type="password" value={passphrase} onValue={setPassphrase} hint="The passphrase the vault had when the file was exported." />
        <button type="submit" class="secondary">
          Import vault
        </button>
      </form>
      <OutcomeMessages note={note} error={error} />
    </section>
  );
}
