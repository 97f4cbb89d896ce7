/**
 * "Set up rclone" / "Set up AWS CLI" / "mc steps" for one saved storage. For rclone and the AWS
 * CLI the user types the passphrase for external tools here (an extension page, never WeSendit's
 * page); the background reads the storage from the vault and the companion writes the remote or
 * profile, its secret only in encrypted files. The dialog then shows what was written and the
 * safe commands ("upload only, no delete": a dry run first, never `rclone sync`) with copy buttons.
 * mc is not installable here, so it gets printed steps only.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { StorageSummary } from '../../../shared/credentials.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { defaultToolEntryName, mcGuide, type ToolGuide } from '../../../shared/handoff/tool-guides.ts';
import type { ExternalToolName } from '../../../shared/protocol/extension-protocol.ts';
import type { ToolSetupView, ToolsListView } from '../../../shared/protocol/views.ts';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { LabelledInput } from '../components/labelled-input.tsx';
import { passphraseStrengthHint } from '../components/passphrase-strength-hint.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';

export type ToolChoice = ExternalToolName | 'mc';

/** The buttons in each storage's item. */
export const TOOL_BUTTON_LABELS: Readonly<Record<ToolChoice, string>> = { rclone: 'Set up rclone', aws: 'Set up AWS CLI', mc: 'mc steps' };

const ENTRY_WORD: Readonly<Record<ExternalToolName, string>> = { rclone: 'rclone remote', aws: 'AWS profile' };

export interface ToolTarget {
  readonly storage: StorageSummary;
  readonly tool: ToolChoice;
}

export interface ToolSetupDialogProps extends ToolTarget {
  readonly send: SendToBackground;
  readonly onClose: () => void;
}

/** The commands of a guide, each with a copy button, then its notes. */
export function ToolGuideView({ guide }: { readonly guide: ToolGuide }): JSX.Element {
  const [copied, setCopied] = useState<number | undefined>();
  const [copyError, setCopyError] = useState<string | undefined>();
  async function copy(index: number, command: string): Promise<void> {
    setCopyError(undefined);
    try {
      // A command, never a secret: the plain clipboard is fine here.
      await navigator.clipboard.writeText(command);
      setCopied(index);
    } catch (caught) {
      setCopyError(`Could not copy: ${messageOf(caught)}. Select the command and copy it by hand.`);
    }
  }
  return (
    <>
      <h3>Safe commands</h3>
      <ol class="tool-steps" aria-label="Safe commands">
        {guide.steps.map((step, index) => (
          <li key={step.command}>
            <p>{step.title}</p>
            <pre>
              <code data-tool-command>{step.command}</code>
            </pre>
            <button type="button" class="secondary" aria-label={`Copy command ${index + 1}`} onClick={() => void copy(index, step.command)}>
              {copied === index ? 'Copied' : 'Copy'}
            </button>
          </li>
        ))}
      </ol>
      <ErrorMessage message={copyError} />
      <h3>Good to know</h3>
      <ul class="hint">
        {guide.notes.map((note) => (
          <li key={note}>{note}</li>
        ))}
      </ul>
    </>
  );
}

/** What the companion wrote, in plain words. */
export function describeToolSetup(done: ToolSetupView): string {
  const keys = `the encrypted tool key file ${done.toolKeysPath}${done.toolKeysCreated ? ' (created now, under your passphrase for external tools)' : ''}`;
  const replaced = done.replaced ? ` It replaced the ${ENTRY_WORD[done.tool]} of that name, as you chose.` : '';
  if (done.tool === 'rclone') {
    return `Wrote the rclone remote “${done.name}” (bound to the bucket ${done.guide.bucket}) to ${done.configPath}. The config is encrypted (RCLONE_ENCRYPT_V0); its password is kept in ${keys}.${replaced}`;
  }
  return `Wrote the AWS profile “${done.name}” to ${done.configPath}. No key is written there in plain text: the profile’s credential_process reads the key pair from ${keys}.${replaced}`;
}

function McSteps({ storage, onClose }: { readonly storage: StorageSummary; readonly onClose: () => void }): JSX.Element {
  let endpointUrl = storage.serverAddress;
  try {
    endpointUrl = parseEndpoint(storage.serverAddress).url;
  } catch {
    // Shown as saved; the mc command then tells what is wrong with it.
  }
  const guide = mcGuide({ alias: defaultToolEntryName(storage), bucket: storage.bucketName, endpointUrl, accessKey: storage.accessKey });
  return (
    <>
      <p class="hint">
        MinIO’s client (mc) is not something Connect Guard sets up: it keeps its keys in plain text, and Debian’s “mc” is another program (Midnight Commander). These are the steps to do it
        yourself; mc asks for the Secret Key, so it never lands on a command line.
      </p>
      <ToolGuideView guide={guide} />
      <button type="button" class="secondary" onClick={onClose}>
        Done
      </button>
    </>
  );
}

export function ToolSetupDialog({ storage, tool, send, onClose }: ToolSetupDialogProps): JSX.Element {
  const [keys, setKeys] = useState<ToolsListView | undefined>();
  const [name, setName] = useState(defaultToolEntryName(storage));
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [exists, setExists] = useState(false);
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<ToolSetupView | undefined>();
  const headingId = `tool-${tool}-heading`;
  const storageName = storage.storageName || storage.bucketName;

  useEffect(() => {
    if (tool === 'mc') return;
    send('tools.list', {}).then(setKeys, (caught: unknown) => setError(messageOf(caught)));
  }, [tool, send]);

  async function write(entryTool: ExternalToolName): Promise<void> {
    setError(undefined);
    const firstTool = keys !== undefined && !keys.toolKeysExist;
    if (firstTool && passphrase !== confirmation) {
      setError('The passphrases for external tools do not match. Type the same passphrase in both fields.');
      return;
    }
    setBusy(true);
    try {
      const written = await send('tools.setup', { tool: entryTool, storageId: storage.id, toolPassphrase: passphrase, name: name.trim(), ...(exists && replace ? { replace: true } : {}) });
      setPassphrase('');
      setConfirmation('');
      setDone(written);
    } catch (caught) {
      if (caught instanceof ConnectGuardError && caught.code === 'ALREADY_EXISTS') setExists(true);
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="tool-setup" role="dialog" aria-labelledby={headingId} data-tool={tool}>
      <h2 id={headingId}>
        {TOOL_BUTTON_LABELS[tool]} for “{storageName}”
      </h2>
      {tool === 'mc' ? (
        <McSteps storage={storage} onClose={onClose} />
      ) : done !== undefined ? (
        <>
          <p class="ok" role="status" data-tool-written>
            {describeToolSetup(done)}
          </p>
          <ToolGuideView guide={done.guide} />
          <button type="button" class="secondary" onClick={onClose}>
            Done
          </button>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void write(tool);
          }}
        >
          <p class="hint">
            The companion writes {tool === 'rclone' ? 'an rclone remote bound to the bucket' : 'an AWS CLI profile'} for {storage.bucketName} at {storage.serverAddress}. The Secret Key goes from your
            vault to the companion in memory and is stored only encrypted, in Connect Guard’s tool key file, protected by a passphrase for external tools (not your vault passphrase): the tools ask
            for it when they need the key.
          </p>
          <LabelledInput id={`tool-${tool}-name`} label={tool === 'rclone' ? 'Remote name' : 'Profile name'} value={name} onValue={setName} />
          <LabelledInput
            id={`tool-${tool}-passphrase`}
            label="Passphrase for external tools"
            type="password"
            autoComplete={keys?.toolKeysExist === false ? 'new-password' : 'current-password'}
            value={passphrase}
            onValue={setPassphrase}
            {...(keys?.toolKeysExist === false ? { hint: passphraseStrengthHint(passphrase) } : {})}
            required
            autoFocus
          />
          {keys?.toolKeysExist === false && (
            <LabelledInput id={`tool-${tool}-confirm`} label="Confirm passphrase for external tools" type="password" autoComplete="new-password" value={confirmation} onValue={setConfirmation} required />
          )}
          {exists && (
            <label class="checkbox">
              <input type="checkbox" checked={replace} onChange={(event) => setReplace(event.currentTarget.checked)} />
              Replace the existing {ENTRY_WORD[tool]} “{name.trim()}” with this storage
            </label>
          )}
          <div class="row">
            <button type="submit" disabled={busy}>
              {busy ? 'Writing…' : `Write ${ENTRY_WORD[tool]}`}
            </button>
            <button type="button" class="secondary" onClick={onClose} disabled={busy}>
              Cancel
            </button>
          </div>
          {busy && (
            <p class="hint" role="status">
              Opening the tool key file (Argon2id) and writing the files together…
            </p>
          )}
          <ErrorMessage message={error} />
        </form>
      )}
    </section>
  );
}
