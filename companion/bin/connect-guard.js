#!/usr/bin/env node
// Runs the companion precompiled (companion-bundle.js) when the bundle matches the sources, after
// building it when it does not; a checkout or install where it cannot be built (no esbuild, a
// read-only folder) runs the TypeScript sources through tsx instead, as does
// CONNECT_GUARD_FROM_SOURCE=1.
import { pathToFileURL } from 'node:url';
import { buildCompanionBundle, findFreshBundle } from './companion-bundle.js';

async function loadCompanion() {
  if (process.env.CONNECT_GUARD_FROM_SOURCE !== '1') {
    const bundle = findFreshBundle() ?? (await buildCompanionBundle().catch(() => undefined));
    if (bundle) return import(pathToFileURL(bundle).href);
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli.ts');
}

const { runFromProcess } = await loadCompanion();
await runFromProcess();
