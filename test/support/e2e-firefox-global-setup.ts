/**
 * Global setup of the e2e-firefox project: Firefox ESR must be installed and the Firefox loopback
 * build made (`npm test` builds before vitest; a direct `vitest run --project e2e-firefox` builds
 * here once).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSystem } from './ensure-system.ts';
import { FIREFOX_EXTENSION_DIR } from './firefox.ts';

export default function setup(): void {
  ensureSystem(['firefox']);
  if (!existsSync(join(FIREFOX_EXTENSION_DIR, 'manifest.json'))) {
    console.log('No Firefox loopback build of the add-on yet: running `npx wxt build -b firefox --mv3 --mode loopback` once…');
    execFileSync('npx', ['wxt', 'build', '-b', 'firefox', '--mv3', '--mode', 'loopback'], { stdio: 'inherit', cwd: join(FIREFOX_EXTENSION_DIR, '../..') });
  }
}
