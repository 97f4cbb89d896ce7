/**
 * The browser APIs the background uses, behind one port, so background/ holds no `browser.*`
 * call and a browser whose APIs differ (Firefox's event page, say) changes only this file.
 */
import { browser } from 'wxt/browser';
import type { SenderInfo } from '../background/router/sender-policy.ts';
import type { ContentScriptRegistration, ScriptingPort } from '../background/settings/extra-origins.ts';

/** Idle states `idle.onStateChanged` reports. */
export type IdleStateName = 'active' | 'idle' | 'locked';

export interface BackgroundBrowser {
  /** This extension's id and its pages' base URL (`chrome-extension://<id>/`, Firefox `moz-extension://<uuid>/`). */
  readonly self: { readonly id: string; readonly baseUrl: string };
  /** `storage.session`: memory only, trusted contexts only (session-key.ts restricts it). */
  readonly session: {
    get(key: string): Promise<Record<string, unknown>>;
    set(items: Record<string, unknown>): Promise<void>;
    remove(key: string): Promise<void>;
  };
  readonly alarms: {
    create(name: string, when: number): Promise<void>;
    clear(name: string): Promise<void>;
  };
  setIdleDetectionSeconds(seconds: number): void;
  readonly permissions: {
    contains(origins: readonly string[]): Promise<boolean>;
    remove(origins: readonly string[]): Promise<void>;
  };
  /** Sends a message to one frame of a tab's content scripts; resolves to its reply. */
  sendToTab(tabId: number, frameId: number, message: unknown): Promise<unknown>;
  readonly scripting: ScriptingPort;
  /** Registers the background's listeners; called once, synchronously, when the worker starts. */
  listen(listeners: BackgroundListeners): void;
}

export interface BackgroundListeners {
  /** A message from a content script or an extension page; `undefined` leaves it to another listener. */
  onMessage(message: unknown, sender: SenderInfo): Promise<unknown> | undefined;
  onTabRemoved(tabId: number): void;
  onAlarm(name: string): void;
  onIdleStateChanged(state: IdleStateName): void;
  onPermissionsRemoved(origins: readonly string[]): void;
  /** The browser started, or the extension was installed or updated. */
  onStartOrInstall(): void;
}

function isIdleStateName(value: unknown): value is IdleStateName {
  return value === 'active' || value === 'idle' || value === 'locked';
}

export function createBrowserBackground(): BackgroundBrowser {
  return {
    self: { id: browser.runtime.id, baseUrl: browser.runtime.getURL('/') },
    session: {
      get: (key) => browser.storage.session.get(key),
      set: (items) => browser.storage.session.set(items),
      remove: (key) => browser.storage.session.remove(key),
    },
    alarms: {
      async create(name, when) {
        await browser.alarms.create(name, { when });
      },
      async clear(name) {
        await browser.alarms.clear(name);
      },
    },
    setIdleDetectionSeconds: (seconds) => browser.idle.setDetectionInterval(seconds),
    permissions: {
      contains: (origins) => browser.permissions.contains({ origins: [...origins] }),
      async remove(origins) {
        await browser.permissions.remove({ origins: [...origins] });
      },
    },
    sendToTab: (tabId, frameId, message) => browser.tabs.sendMessage(tabId, message, { frameId }),
    scripting: {
      getRegisteredContentScripts: (filter) => browser.scripting.getRegisteredContentScripts(filter),
      registerContentScripts: (scripts: ContentScriptRegistration[]) => browser.scripting.registerContentScripts(scripts),
      unregisterContentScripts: (filter) => browser.scripting.unregisterContentScripts(filter),
    },
    listen(listeners) {
      browser.runtime.onMessage.addListener((message: unknown, sender) => listeners.onMessage(message, sender));
      browser.tabs.onRemoved.addListener((tabId) => listeners.onTabRemoved(tabId));
      browser.alarms.onAlarm.addListener((alarm) => listeners.onAlarm(alarm.name));
      browser.idle.onStateChanged.addListener((state: unknown) => {
        if (isIdleStateName(state)) listeners.onIdleStateChanged(state);
      });
      browser.permissions.onRemoved.addListener((permissions) => listeners.onPermissionsRemoved(permissions.origins ?? []));
      browser.runtime.onStartup.addListener(() => listeners.onStartOrInstall());
      browser.runtime.onInstalled.addListener(() => listeners.onStartOrInstall());
    },
  };
}
