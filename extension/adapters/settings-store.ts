/**
 * User settings in `chrome.storage.local`. None of them is secret; every write is validated so a
 * bad value never reaches the auto-lock timer, the clipboard timer or the content-script registry.
 */
import { browser } from 'wxt/browser';
import { ConnectGuardError } from '../../shared/errors.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/protocol/extension-protocol.ts';

const SETTINGS_KEY = 'connectGuard.settings';

/** Limits the popup shows beside each field; the background enforces the same ones. */
export const SETTINGS_LIMITS = {
  autoLockMinutes: { min: 1, max: 1440 },
  clipboardSeconds: { min: 5, max: 600 },
  extraOrigins: { max: 20 },
} as const;

/**
 * An origin a user may grant beyond WeSendit and loopback: `https://host` or `https://*.host`
 * (http allowed for an intranet portal), no port and no path, because a match pattern is built
 * from it as `<origin>/*`.
 */
const ORIGIN_PATTERN = /^https?:\/\/(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Lower-cases and strips a trailing slash; throws INVALID_INPUT naming the expected form. */
export function normaliseExtraOrigin(value: string): string {
  const origin = value.trim().toLowerCase().replace(/\/+$/, '');
  if (!ORIGIN_PATTERN.test(origin)) {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `"${value}" is not an origin. Enter it as https://files.example.com or https://*.example.com (no port, no path).`,
    );
  }
  return origin;
}

/** `https://*.example.com` → `https://*.example.com/*` */
export function originToMatchPattern(origin: string): string {
  return `${origin}/*`;
}

function integerInRange(name: string, label: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConnectGuardError('INVALID_INPUT', `${label} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)} for ${name}).`);
  }
  return value;
}

/** Applies a change to settings after validating every given field; returns a new object. */
export function mergeSettings(current: Settings, change: unknown): Settings {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    throw new ConnectGuardError('INVALID_INPUT', 'Settings must be an object with autoLockMinutes, clipboardSeconds or extraOrigins.');
  }
  const known = new Set(['autoLockMinutes', 'clipboardSeconds', 'extraOrigins']);
  const unknown = Object.keys(change).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ConnectGuardError('INVALID_INPUT', `Unknown setting ${unknown.map((key) => `"${key}"`).join(', ')}. Known: ${[...known].join(', ')}.`);
  }
  let next: Settings = current;
  if ('autoLockMinutes' in change && change.autoLockMinutes !== undefined) {
    const { min, max } = SETTINGS_LIMITS.autoLockMinutes;
    next = { ...next, autoLockMinutes: integerInRange('autoLockMinutes', 'Auto-lock minutes', change.autoLockMinutes, min, max) };
  }
  if ('clipboardSeconds' in change && change.clipboardSeconds !== undefined) {
    const { min, max } = SETTINGS_LIMITS.clipboardSeconds;
    next = { ...next, clipboardSeconds: integerInRange('clipboardSeconds', 'Clipboard seconds', change.clipboardSeconds, min, max) };
  }
  if ('extraOrigins' in change && change.extraOrigins !== undefined) {
    const origins: unknown = change.extraOrigins;
    if (!Array.isArray(origins) || !origins.every((origin): origin is string => typeof origin === 'string')) {
      throw new ConnectGuardError('INVALID_INPUT', 'Extra origins must be a list of origins such as https://files.example.com.');
    }
    if (origins.length > SETTINGS_LIMITS.extraOrigins.max) {
      throw new ConnectGuardError('INVALID_INPUT', `At most ${SETTINGS_LIMITS.extraOrigins.max} extra origins can be granted.`);
    }
    next = { ...next, extraOrigins: [...new Set(origins.map(normaliseExtraOrigin))] };
  }
  return next;
}

/** Reads settings; anything stored that no longer validates falls back to the defaults. */
export async function loadSettings(): Promise<Settings> {
  const stored: Record<string, unknown> = await browser.storage.local.get(SETTINGS_KEY);
  const value = stored[SETTINGS_KEY];
  if (value === undefined) return DEFAULT_SETTINGS;
  try {
    return mergeSettings(DEFAULT_SETTINGS, value);
  } catch {
    return DEFAULT_SETTINGS;
  }
}

/** Validates and stores a change; returns the settings now in force. */
export async function saveSettings(change: unknown): Promise<Settings> {
  const next = mergeSettings(await loadSettings(), change);
  await browser.storage.local.set({ [SETTINGS_KEY]: next });
  return next;
}
