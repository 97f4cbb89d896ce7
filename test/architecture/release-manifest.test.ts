/**
 * The release build (`wxt build`, what `wxt zip` packs for users) must not carry what only the
 * tests and the demo need: loopback origins (any local page could then drive Connect Guard) and
 * the development key (a fixed, public id). The loopback build must keep both, or the e2e suite
 * would test something else than it claims.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIREFOX_EXTENSION_ID, FIREFOX_MIN_VERSION } from '../../shared/extension-identity.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface BuiltManifest {
  readonly key?: string;
  readonly permissions?: readonly string[];
  readonly background?: { readonly scripts?: readonly string[]; readonly service_worker?: string };
  readonly browser_specific_settings?: { readonly gecko?: { readonly id?: string; readonly strict_min_version?: string; readonly data_collection_permissions?: unknown } };
  readonly host_permissions?: readonly string[];
  readonly content_scripts?: readonly { readonly matches?: readonly string[] }[];
  readonly web_accessible_resources?: readonly { readonly resources: readonly string[]; readonly matches?: readonly string[]; readonly use_dynamic_url?: boolean }[];
}

function builtManifest(folder: string, mode: string | undefined): BuiltManifest {
  const path = join(ROOT, '.output', folder, 'manifest.json');
  const firefox = folder.startsWith('firefox');
  // `npm test` builds all four first; a direct run of this file builds what is missing.
  if (!existsSync(path)) execFileSync('npx', ['wxt', 'build', ...(firefox ? ['-b', 'firefox', '--mv3'] : []), ...(mode ? ['--mode', mode] : [])], { cwd: ROOT, stdio: 'ignore' });
  return JSON.parse(readFileSync(path, 'utf8')) as BuiltManifest;
}

function everyOrigin(manifest: BuiltManifest): string[] {
  return [
    ...(manifest.host_permissions ?? []),
    ...(manifest.content_scripts ?? []).flatMap((script) => script.matches ?? []),
    ...(manifest.web_accessible_resources ?? []).flatMap((entry) => entry.matches ?? []),
  ];
}

describe('the release build', () => {
  const manifest = builtManifest('chrome-mv3', undefined);

  it('names no loopback origin anywhere and carries no development key', () => {
    expect(everyOrigin(manifest).filter((origin) => /127\.0\.0\.1|localhost|\[::1\]/.test(origin))).toEqual([]);
    expect(manifest.key).toBeUndefined();
  });

  it('runs the gate on WeSendit only and frames its pages there only, behind a per-session URL', () => {
    expect(manifest.content_scripts?.map((script) => script.matches)).toEqual([['https://*.wesendit.com/*']]);
    expect(manifest.web_accessible_resources).toEqual([{ resources: ['gate.html', 'preview.html', 'hold.html', 'review.html'], matches: ['https://*.wesendit.com/*'], use_dynamic_url: true }]);
  });
});

describe('the loopback build the tests and the demo load', () => {
  const manifest = builtManifest('chrome-mv3-loopback', 'loopback');

  it('adds loopback and the development key, nothing else', () => {
    expect(manifest.key).toMatch(/^MII/);
    expect(manifest.content_scripts?.map((script) => script.matches)).toEqual([['https://*.wesendit.com/*', 'http://127.0.0.1/*', 'http://localhost/*']]);
    expect(manifest.web_accessible_resources?.every((entry) => entry.use_dynamic_url === true)).toBe(true);
  });
});

describe.each([
  ['firefox-mv3', undefined],
  ['firefox-mv3-loopback', 'loopback'],
])('the Firefox build %s', (folder, mode) => {
  const manifest = builtManifest(folder, mode);

  it('is MV3 with an event page, the fixed add-on id the host manifest names, and the oldest Firefox it runs on', () => {
    expect(manifest.background?.scripts).toEqual(['background.js']);
    expect(manifest.browser_specific_settings?.gecko).toEqual({ id: FIREFOX_EXTENSION_ID, strict_min_version: FIREFOX_MIN_VERSION, data_collection_permissions: { required: ['none'] } });
    expect(manifest.key).toBeUndefined();
    // Firefox has no offscreen documents; the event page copies and clears the clipboard itself.
    expect(manifest.permissions).not.toContain('offscreen');
    expect(existsSync(join(ROOT, '.output', folder, 'offscreen.html'))).toBe(false);
  });

  it(mode ? 'adds loopback origins' : 'names no loopback origin anywhere', () => {
    const loopback = everyOrigin(manifest).filter((origin) => /127\.0\.0\.1|localhost|\[::1\]/.test(origin));
    if (mode) expect(manifest.content_scripts?.map((script) => script.matches)).toEqual([['https://*.wesendit.com/*', 'http://127.0.0.1/*', 'http://localhost/*']]);
    else expect(loopback).toEqual([]);
    // Per-install random origins: nothing to hide behind a dynamic URL, and Firefox does not know the key.
    expect(manifest.web_accessible_resources?.map((entry) => entry.resources)).toEqual([['gate.html', 'preview.html', 'hold.html', 'review.html']]);
  });
});
