#!/usr/bin/env node
// The `connect-guard` command of the released companion package (`npm install -g
// ./connect-guard-<version>.tgz`): checks the Node version first, in syntax every Node since 12
// reads, then runs the precompiled companion (dist/connect-guard.mjs), which carries everything
// it needs: the package has no dependencies.
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const required = /^>=\s*(\d+)(?:\.(\d+))?/.exec(engines?.node ?? '');
const [major, minor] = process.versions.node.split('.').map(Number);
if (required && (major < Number(required[1]) || (major === Number(required[1]) && minor < Number(required[2] ?? 0)))) {
  process.stderr.write(`connect-guard needs Node.js ${engines.node.replace(/\s+/g, '')} (this is Node.js ${process.versions.node}). Install a current Node.js LTS from https://nodejs.org/ and run it again.\n`);
  process.exit(1);
}

const { setFlagsFromString } = await import('node:v8');
// See companion/bin/connect-guard.js: keeps a million-key listing's memory in bounds.
setFlagsFromString('--heap-growing-percent=50');
const { runFromProcess } = await import('../dist/connect-guard.mjs');
await runFromProcess();
