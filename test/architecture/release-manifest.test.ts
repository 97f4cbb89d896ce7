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

const ROOT = resolve(import.meta.dirname, '../..');

interface BuiltManifest {
  readonly key?: string;
  readonly host_permissions?: readonly string[];
  readonly content_scripts?: readonly { readonly matches?: readonly string[] }[];
  readonly web_accessible_resources?: readonly { readonly resources: readonly string[]; readonly matches?: readonly string[]; readonly use_dynamic_url?: boolean }[];
}

function builtManifest(folder: string, mode: string | undefined): BuiltManifest {
  const path = join(ROOT, '.output', folder, 'manifest.json');
  // `npm test` builds both first; a direct run of this file builds what is missing.
  if (!existsSync(path)) execFileSync('npx', ['wxt', 'build', ...(mode ? ['--mode', mode] : [])], { cwd: ROOT, stdio: 'ignore' });
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
