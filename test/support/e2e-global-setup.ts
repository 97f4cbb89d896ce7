/**
 * Global setup of the e2e project: Chromium (and keepassxc-cli) must be installed and the extension built
 * (`npm test` builds before vitest; a direct `vitest run --project e2e` builds here once).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSystem } from './ensure-system.ts';
import { EXTENSION_DIR } from './chromium.ts';

export default function setup(): void {
  // keepassxc-cli opens the KeePass file the hand-off e2e downloads.
  ensureSystem(['chromium', 'keepassxc']);
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    console.log('No loopback build of the extension yet: running `npx wxt build --mode loopback` once…');
    execFileSync('npx', ['wxt', 'build', '--mode', 'loopback'], { stdio: 'inherit', cwd: join(EXTENSION_DIR, '../..') });
  }
}
