/**
 * The gate on origins the user granted in settings (e.g. a white-labelled WeSendit portal):
 * the same content script as the manifest's, registered at run time for those origins only.
 * The popup asks for the host permission (a user gesture is required); the background then
 * registers or, on removal, unregisters the script. Registrations persist across sessions; the
 * background re-syncs them on start so they always match the settings.
 */
import { originToMatchPattern } from '../../adapters/settings-store.ts';

export const EXTRA_ORIGINS_SCRIPT_ID = 'connect-guard-gate-extra-origins';
/** Output path of extension/entrypoints/wesendit.content.ts. */
export const GATE_CONTENT_SCRIPT = 'content-scripts/wesendit.js';

export interface ContentScriptRegistration {
  readonly id: string;
  readonly matches: string[];
  readonly js: string[];
  readonly allFrames: boolean;
  readonly runAt: 'document_start';
  readonly persistAcrossSessions: boolean;
}

/** The part of `chrome.scripting` used here. */
export interface ScriptingPort {
  getRegisteredContentScripts(filter: { ids: string[] }): Promise<Array<{ id: string }>>;
  registerContentScripts(scripts: ContentScriptRegistration[]): Promise<void>;
  unregisterContentScripts(filter: { ids: string[] }): Promise<void>;
}

/** Makes the registered gate script cover exactly `origins` (none: no registration). */
export async function syncExtraOriginScripts(scripting: ScriptingPort, origins: readonly string[]): Promise<void> {
  const existing = await scripting.getRegisteredContentScripts({ ids: [EXTRA_ORIGINS_SCRIPT_ID] });
  if (existing.length > 0) await scripting.unregisterContentScripts({ ids: [EXTRA_ORIGINS_SCRIPT_ID] });
  if (origins.length === 0) return;
  await scripting.registerContentScripts([
    {
      id: EXTRA_ORIGINS_SCRIPT_ID,
      matches: origins.map(originToMatchPattern),
      js: [GATE_CONTENT_SCRIPT],
      // WeSendit may render the credentials dialog inside a same-origin iframe.
      allFrames: true,
      // Like the manifest entry: the gate's capture-phase guard must be in place before the page's listeners.
      runAt: 'document_start',
      persistAcrossSessions: true,
    },
  ]);
}
