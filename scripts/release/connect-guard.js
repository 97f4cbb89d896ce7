#!/usr/bin/env -S node --max-semi-space-size=8
// The `connect-guard` command of the released companion package (`npm install -g
// ./connect-guard-<version>.tgz`): checks the Node version first (node-version.js, against the
// package's engines), then runs the precompiled companion (dist/connect-guard.mjs), which carries
// everything it needs: the package has no dependencies.
import { nodeVersionProblem } from './node-version.js';

const tooOld = nodeVersionProblem(process.versions.node);
if (tooOld) {
  process.stderr.write(tooOld);
  process.exit(1);
}
const { setFlagsFromString } = await import('node:v8');
// See companion/bin/connect-guard.js: keeps a million-key listing's memory in bounds.
setFlagsFromString('--heap-growing-percent=50');
const { runFromProcess } = await import('../dist/connect-guard.mjs');
await runFromProcess();
