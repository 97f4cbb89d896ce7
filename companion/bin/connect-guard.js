#!/usr/bin/env -S node --max-semi-space-size=8
// Runs the companion precompiled (companion-bundle.js) when the bundle matches the sources, after
// building it when it does not; a checkout or install where it cannot be built (no esbuild, a
// read-only folder) runs the TypeScript sources through tsx instead, as does
// CONNECT_GUARD_FROM_SOURCE=1.
import { nodeVersionProblem } from './node-version.js';

const tooOld = nodeVersionProblem(process.versions.node);
if (tooOld) {
  process.stderr.write(tooOld);
  process.exit(1);
}
const { pathToFileURL } = await import('node:url');
const { setFlagsFromString } = await import('node:v8');
const { buildCompanionBundle, findFreshBundle } = await import('./companion-bundle.js');

async function loadCompanion() {
  if (process.env.CONNECT_GUARD_FROM_SOURCE !== '1') {
    const bundle = findFreshBundle() ?? (await buildCompanionBundle().catch(() => undefined));
    if (bundle) return import(pathToFileURL(bundle).href);
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli.ts');
}

// A listing streams millions of short-lived entries; the ones held in its look-ahead outlive a
// young-generation collection and die in the old generation. V8's default lets the old
// generation grow to about four times what survived the last full collection before collecting
// again (≈ 245 MB peak RSS for a million keys, 92 MB for ten thousand); growing by half at most
// keeps a million keys at ≈ 165 MB for ≈ 4 % more CPU. V8 reads it at each full collection, so it
// applies when set here, without a node flag the browser's host launcher would have to pass. The
// young generation's size is read only at start-up: the shebang above and the hosts' launchers
// pass --max-semi-space-size (COMPANION_NODE_FLAGS in companion/src/host/install-host.ts).
setFlagsFromString('--heap-growing-percent=50');

const { runFromProcess } = await loadCompanion();
await runFromProcess();
