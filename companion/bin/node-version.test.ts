import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, requiredNode } from './node-version.js';

describe('the companion says which Node.js it needs', () => {
  it('refuses Node.js 20 and 21 with the version it needs and the one it found', () => {
    expect(nodeVersionProblem('20.20.2')).toContain('needs Node.js 22 or newer');
    expect(nodeVersionProblem('v21.7.3')).toContain('this is Node.js v21.7.3');
    expect(nodeVersionProblem('not a version')).toContain('needs Node.js 22');
  });

  it('takes the floor from the package’s engines, minor version included', () => {
    expect(requiredNode()).toEqual([22, 0]);
    expect(nodeVersionProblem('24.20.9', [24, 21])).toContain('needs Node.js 24.21 or newer');
    expect(nodeVersionProblem('24.21.0', [24, 21])).toBeUndefined();
    expect(nodeVersionProblem('25.0.0', [24, 21])).toBeUndefined();
  });

  it('runs on Node.js 22, 24 and later', () => {
    expect(nodeVersionProblem('22.0.0')).toBeUndefined();
    expect(nodeVersionProblem('24.21.0')).toBeUndefined();
    expect(nodeVersionProblem('v26.1.0')).toBeUndefined();
  });

  // Debian's system Node.js is 20 on these machines while the project runs on the Node.js 24 it
  // installs; the real entry point must stop there before loading anything that needs 22.
  const systemNode = '/usr/bin/node';
  const systemMajor = existsSync(systemNode) ? Number(spawnSync(systemNode, ['-p', 'process.versions.node.split(".")[0]']).stdout.toString().trim()) : NaN;
  it.runIf(systemMajor < 22)('connect-guard on the system Node.js exits 1 with that message', () => {
    const bin = fileURLToPath(new URL('./connect-guard.js', import.meta.url));
    const run = spawnSync(systemNode, [bin, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('connect-guard needs Node.js 22 or newer');
    expect(run.stdout).toBe('');
  });
});
