/**
 * The unlocked vault key and the gate's pending captures outlive a service-worker restart in
 * `chrome.storage.session`: memory only (never written to disk) and cleared when the browser
 * closes, which is what locks the vault on browser restart. Content scripts must not read it, so
 * access is restricted to trusted contexts explicitly (it is the default today, but a default can
 * change): https://developer.chrome.com/docs/extensions/reference/api/storage#method-setAccessLevel
 */
import { browser } from 'wxt/browser';
import { base64ToBytes, bytesToBase64 } from '../../shared/vault-format/base64.ts';

const VAULT_KEY = 'connectGuard.vaultKey';
const LAST_USED_KEY = 'connectGuard.lastVaultUse';

interface SessionAreaWithAccessLevel {
  setAccessLevel(options: { accessLevel: 'TRUSTED_CONTEXTS' | 'TRUSTED_AND_UNTRUSTED_CONTEXTS' }): Promise<void>;
}

function hasSetAccessLevel(area: object): area is SessionAreaWithAccessLevel {
  return 'setAccessLevel' in area && typeof area.setAccessLevel === 'function';
}

/** Keeps `storage.session` out of content scripts' reach. Call first thing on worker start. */
export async function restrictSessionToTrustedContexts(): Promise<void> {
  const area: object = browser.storage.session;
  // The polyfill's typing lacks setAccessLevel; Chromium has it since 102.
  if (hasSetAccessLevel(area)) await area.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
}

export async function saveSessionVaultKey(raw: Uint8Array): Promise<void> {
  await browser.storage.session.set({ [VAULT_KEY]: bytesToBase64(raw) });
}

/** The key kept by an earlier run of the worker in this browser session, if any. */
export async function findSessionVaultKey(): Promise<Uint8Array | undefined> {
  const stored: Record<string, unknown> = await browser.storage.session.get(VAULT_KEY);
  const value = stored[VAULT_KEY];
  return typeof value === 'string' ? base64ToBytes(value) : undefined;
}

export async function clearSessionVaultKey(): Promise<void> {
  await browser.storage.session.remove([VAULT_KEY, LAST_USED_KEY]);
}

export async function saveLastVaultUse(time: number): Promise<void> {
  await browser.storage.session.set({ [LAST_USED_KEY]: time });
}

export async function findLastVaultUse(): Promise<number | undefined> {
  const stored: Record<string, unknown> = await browser.storage.session.get(LAST_USED_KEY);
  const value = stored[LAST_USED_KEY];
  return typeof value === 'number' ? value : undefined;
}
