/**
 * `connect-guard doctor` and `inventory` run as a user runs them (child process) against the real
 * Ceph gateway: each failure named in plain words with its exit code; credentials from a profile.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket, testClient } from './s3-fixtures.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'companion', 'bin', 'connect-guard.js');

function runCli(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: repo, env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env } }, (error, stdout, stderr) => {
      resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('connect-guard doctor and inventory against Ceph', () => {
  let client: S3Client;
  let bucket: string;
  let dir: string;
  let keys: Record<string, string>;
  const endpoint = (): string => inject('s3').endpoint;

  beforeAll(async () => {
    const server = inject('s3');
    keys = { AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
    client = testClient();
    bucket = await createBucket(client, 'cli-doctor');
    dir = mkdtempSync(join(tmpdir(), 'cg-cli-doctor-'));
  });
  afterAll(() => {
    client?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check on a good connection', async () => {
    const result = await runCli(['doctor', '--endpoint', endpoint(), '--bucket', bucket], keys);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/All checks passed/);
    expect(result.code).toBe(0);
  });

  it.each<[string, (k: Record<string, string>) => Record<string, string>, string | undefined, number, RegExp]>([
    ['unknown Access Key', (k) => ({ ...k, AWS_ACCESS_KEY_ID: 'CGTESTUNKNOWNKEY0009' }), undefined, 4, /does not know this Access Key/],
    ['wrong Secret Key', (k) => ({ ...k, AWS_SECRET_ACCESS_KEY: 'cg-test-wrong-secret' }), undefined, 4, /Secret Key does not match/],
    ['missing bucket', (k) => k, 'usr-1-itm-2-missing', 4, /no bucket "usr-1-itm-2-missing"[\s\S]*\{user account id\}-\{item id\}-\{label\}/],
  ])('%s → plain words, exit 4', async (_name, env, otherBucket, code, message) => {
    const result = await runCli(['doctor', '--endpoint', endpoint(), '--bucket', otherBucket ?? bucket], env(keys));
    expect(result.stdout).toMatch(message);
    expect(result.stdout).toMatch(/Some checks failed/);
    expect(result.code).toBe(code);
  });

  it('unreachable endpoint → exit 5', async () => {
    const result = await runCli(['doctor', '--endpoint', `127.0.0.1:${await closedPort()}`, '--bucket', bucket], keys);
    expect(result.stdout).toMatch(/connection refused/);
    expect(result.code).toBe(5);
  });

  it('doctor --json gives the checks as data', async () => {
    const result = await runCli(['doctor', '--json', '--endpoint', endpoint(), '--bucket', bucket], keys);
    const report: unknown = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, bucketName: { ok: false, validS3Name: true } });
  });

  it('takes credentials from a profile of the shared credentials file', async () => {
    const server = inject('s3');
    const file = join(dir, 'credentials');
    writeFileSync(file, `[other]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n\n[ceph]\naws_access_key_id = ${server.accessKeyId}\naws_secret_access_key = ${server.secretAccessKey}\n`);
    const result = await runCli(['inventory', '--endpoint', endpoint(), '--bucket', bucket, '--profile', 'ceph', '--json'], { AWS_SHARED_CREDENTIALS_FILE: file });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ type: 'result', objects: 0, multipartUploads: { supported: true, count: 0 } });
  });

  it('without credentials and without a terminal, says where credentials come from', async () => {
    const result = await runCli(['inventory', '--endpoint', endpoint(), '--bucket', bucket], { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/No S3 credentials found\. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });
});
