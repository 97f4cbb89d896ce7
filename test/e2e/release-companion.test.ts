/**
 * The released companion, as a user gets it: `npm pack` of the companion package
 * (scripts/release.mjs) installed with `npm install -g` into a fresh prefix, offline, without the
 * repository; its own `connect-guard install-host` registers the host for the built extension in
 * the browser of the run (Chromium in project e2e, Firefox in e2e-firefox), and a Preview connect
 * runs through that installed host against the real Ceph gateway. On a Node older than the
 * package's `engines`, the command says which version it needs.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import type { PreviewState } from '../../shared/protocol/extension-protocol.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { launchChromiumWithExtension, requestFromExtensionFrame } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { E2E_BROWSER, openExtensionPopup, type ExtensionBrowser } from '../support/extension-browser.ts';
import { launchFirefoxWithExtension } from '../support/firefox.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BUCKET = 'release-preview';

let rgw: CephRgw;
let workDir: string;
let prefix: string;
let tarball: string;
let extension: ExtensionBrowser | undefined;
let popup: Page;

async function ok<T>(type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} failed: ${JSON.stringify(reply)}`);
}

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-release-'));
  const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/release.mjs'), '--companion-only', '--out', join(workDir, 'release')]);
  tarball = stdout.trim().split('\n').at(-1) ?? '';
  prefix = join(workDir, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { cwd: workDir });
  rgw = await startCephRgw({ buckets: [] });
  const client = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const key of ['a.txt', 'b/c.txt', 'd.bin']) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `body of ${key}` }));
  client.destroy();
}, 180_000);

afterAll(async () => {
  await extension?.close();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe(`the released companion package, installed with npm, in ${E2E_BROWSER}`, () => {
  it('holds the precompiled companion, its command and its Node.js check only, no dependencies', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    expect(stdout.trim().split('\n').sort()).toEqual(['package/README.md', 'package/companion/bin/connect-guard.js', 'package/companion/bin/node-version.js', 'package/companion/dist/connect-guard.mjs', 'package/package.json']);
    const installed = JSON.parse(await readFile(join(prefix, 'lib/node_modules/connect-guard/package.json'), 'utf8'));
    expect(installed.dependencies).toBeUndefined();
  });

  it('registers itself with install-host and serves a Preview connect from the installed copy', async () => {
    const bin = join(prefix, 'bin', 'connect-guard');
    const profileDir = join(workDir, 'profile');
    const home = join(workDir, 'home');
    await mkdir(profileDir);
    await mkdir(home);
    const args = E2E_BROWSER === 'firefox' ? ['install-host', '--browser', 'firefox'] : ['install-host', '--extension-id', DEV_EXTENSION_ID, '--user-data-dir', profileDir];
    const { stdout } = await run(bin, args, { env: { ...process.env, HOME: home } });
    const launcher = /Wrote launcher (\S+)/.exec(stdout)?.[1] ?? '';
    // The launcher runs the installed package, not this repository.
    expect(await readFile(launcher, 'utf8')).toContain(join(prefix, 'lib/node_modules/connect-guard/companion/bin/connect-guard.js'));
    extension = E2E_BROWSER === 'firefox' ? await launchFirefoxWithExtension({ userDataDir: profileDir, home }) : await launchChromiumWithExtension({ userDataDir: profileDir });
    popup = await openExtensionPopup(extension);
    expect(await ok('companion.status', {})).toMatchObject({ available: true });
    const connection = { kind: 'direct', connection: { endpoint: rgw.endpoint, region: rgw.region, bucket: BUCKET, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } };
    const started = await ok<PreviewState>('preview.start', { connection, wesendit: { kind: 'empty' } });
    let state = started;
    for (const deadline = Date.now() + 60_000; state.status !== 'done' && state.status !== 'failed'; ) {
      if (Date.now() > deadline) throw new Error(`The preview did not finish: ${JSON.stringify(state)}`);
      state = await ok<PreviewState>('preview.state', { previewId: started.previewId });
    }
    expect(state.error).toBeUndefined();
    expect(state.summary?.bucketObjects).toBe(3);
    expect(state.summary?.totals.classes['only-in-bucket'].objects).toBe(3);
  });

  it('on a Node older than its engines, says which version it needs', async () => {
    const packageJson = join(prefix, 'lib/node_modules/connect-guard/package.json');
    const original = await readFile(packageJson, 'utf8');
    await writeFile(packageJson, original.replace(/"node": "[^"]*"/, '"node": ">=99.1"'));
    try {
      const failed = await run(join(prefix, 'bin', 'connect-guard'), ['--help']).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining(`connect-guard needs Node.js 99.1 or newer (24 LTS recommended); this is Node.js ${process.versions.node}.`) });
    } finally {
      await writeFile(packageJson, original);
    }
  });
});
