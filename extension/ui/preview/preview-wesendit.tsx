/**
 * "WeSendit side" of the preview: the storage's file browser in a WeSendit tab, a manifest
 * file, a local folder (both read by the companion), or nothing yet (a new storage).
 */
import type { JSX } from 'preact';
import type { ConnectFormSummary, PreviewWesenditSource } from '../../../shared/protocol/extension-protocol.ts';
import { LabelledInput } from '../components/labelled-input.tsx';

export type WesenditChoice = PreviewWesenditSource['kind'];

export interface WesenditDraft {
  readonly choice: WesenditChoice;
  readonly manifestPath: string;
  readonly folderPath: string;
}

export const DEFAULT_WESENDIT: WesenditDraft = { choice: 'tab', manifestPath: '', folderPath: '' };

/**
 * Which tab lists WeSendit's files: a known tab (the popup's active tab), or the tab of the
 * connect form the preview was opened beside (preview.html), which the background knows.
 */
export type WesenditTab = { readonly kind: 'tab-id'; readonly tabId: number | undefined } | { readonly kind: 'form-tab' };

/**
 * The draft as a request source, or what is missing. With a connect form as the connection,
 * `{ kind: 'tab' }` names no tab: the background reads the form's own tab.
 */
export function wesenditSource(draft: WesenditDraft, tab: WesenditTab, form: ConnectFormSummary | null | undefined, connectionIsForm: boolean): PreviewWesenditSource | { readonly problem: string } {
  switch (draft.choice) {
    case 'tab': {
      const known = tab.kind === 'tab-id' ? tab.tabId : undefined;
      if (connectionIsForm && known === undefined) return { kind: 'tab' };
      const tabId = known ?? form?.tabId;
      if (tabId === undefined) return { problem: 'No WeSendit tab found. Open the storage’s file list on WeSendit in this window, or choose a manifest file or folder.' };
      return { kind: 'tab', tabId };
    }
    case 'manifest':
      if (draft.manifestPath.trim() === '') return { problem: 'Type the path of the manifest file (CSV or NDJSON) on this computer.' };
      return { kind: 'manifest', path: draft.manifestPath.trim() };
    case 'folder':
      if (draft.folderPath.trim() === '') return { problem: 'Type the path of the local folder on this computer.' };
      return { kind: 'folder', path: draft.folderPath.trim() };
    case 'empty':
      return { kind: 'empty' };
  }
}

export function WesenditPicker({ draft, onDraft, tab }: { readonly draft: WesenditDraft; readonly onDraft: (draft: WesenditDraft) => void; readonly tab: WesenditTab }): JSX.Element {
  const set = (patch: Partial<WesenditDraft>): void => onDraft({ ...draft, ...patch });
  const choices: readonly { readonly value: WesenditChoice; readonly label: string }[] = [
    { value: 'tab', label: tab.kind === 'form-tab' ? 'This WeSendit tab' : 'The WeSendit tab' },
    { value: 'manifest', label: 'Manifest file' },
    { value: 'folder', label: 'Local folder' },
    { value: 'empty', label: 'Nothing yet' },
  ];
  return (
    <fieldset class="choice">
      <legend>WeSendit side</legend>
      <div class="row" role="radiogroup" aria-label="WeSendit side">
        {choices.map((choice) => (
          <label key={choice.value} class="radio">
            <input type="radio" name="preview-wesendit" value={choice.value} checked={draft.choice === choice.value} onChange={() => set({ choice: choice.value })} />
            {choice.label}
          </label>
        ))}
      </div>
      {draft.choice === 'tab' && <p class="hint">Connect Guard reads the storage’s file list from WeSendit’s file browser in that tab.</p>}
      {draft.choice === 'manifest' && (
        <LabelledInput id="preview-manifest" label="Manifest file path" value={draft.manifestPath} onValue={(manifestPath) => set({ manifestPath })} hint="A CSV or NDJSON listing on this computer; the companion reads it." />
      )}
      {draft.choice === 'folder' && (
        <LabelledInput id="preview-folder" label="Local folder path" value={draft.folderPath} onValue={(folderPath) => set({ folderPath })} hint="The companion lists and hashes the folder; nothing is uploaded." />
      )}
      {draft.choice === 'empty' && <p class="hint">The storage holds nothing yet: everything in the bucket will appear in WeSendit.</p>}
    </fieldset>
  );
}
