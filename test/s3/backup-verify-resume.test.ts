/**
 * `connect-guard backup` killed (SIGKILL, no chance to clean up) while it verifies: every object
 * is on disk and journaled, and the objects verified before the kill are journaled too. The next
 * run of the same command finishes that backup: it fetches no object again and verifies only
 * what was left. A proxy in front of the gateway counts the GETs of objects.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readBackupHeader } from '../../companion/src/backup/backup-folder.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { runCli } from '../support/run-cli.ts';
import { createBucket, flatKeys, putKeys, testClient, testConnection } from './s3-fixtures.ts';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'companion', 'bin', 'connect-guard.js');

describe('a backup killed while it verifies', () => {
  let client: S3Client;
  let bucket: string;
  let home: string;
  let proxy: FaultProxy;
  const keys = flatKeys(3000, 'scans/page-');
  /** Object keys the proxy saw a GET for. */
  const gets: string[] = [];

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'verify-kill');
    await putKeys(client, bucket, keys);
    home = mkdtempSync(join(tmpdir(), 'cg-verify-kill-'));
    proxy = await startFaultProxy({
      target: testConnection().endpoint,
      fault: (_number, request) => {
        const url = new URL(request.url ?? '/', 'http://proxy');
        const prefix = `/${bucket}/`;
        if (request.method === 'GET' && url.pathname.startsWith(prefix) && url.pathname.length > prefix.length) gets.push(decodeURIComponent(url.pathname.slice(prefix.length)));
        return undefined;
      },
    });
  });
  afterAll(async () => {
    client.destroy();
    await proxy.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('the next run fetches nothing again and resumes the verification where it stopped', async () => {
    const server = inject('s3');
    const root = join(home, 'backups');
    const args = ['backup', '--bucket', bucket, '--endpoint', proxy.endpoint, '--to', root, '--json'];
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let killedAt: number | undefined;
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (killedAt !== undefined || !line.startsWith('{')) continue;
        const event = JSON.parse(line) as { type?: string; phase?: string; objects?: number };
        if (event.type === 'progress' && event.phase === 'verifying' && (event.objects ?? 0) > 0) {
          killedAt = event.objects;
          child.kill('SIGKILL');
        }
      }
    });
    const exit = await new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    expect(exit, 'the backup ended before it was killed in its verification').toBe('SIGKILL');
    expect(gets.length).toBeGreaterThanOrEqual(keys.length);

    const [folderName] = readdirSync(join(root, bucket));
    const folder = join(root, bucket, folderName ?? '');
    const header = await readBackupHeader(folder);
    expect(header.status, 'killed in the verification: written, not verified').toBe('complete');

    gets.length = 0;
    const again = await runCli(args, home);
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout.trim().split('\n').at(-1) ?? '{}') as { folder?: string; verified?: boolean; transferred?: number; resumed?: number; verifiedEarlier?: number; objects?: number };
    expect(result).toMatchObject({ folder, verified: true, objects: keys.length, transferred: 0, resumed: keys.length });
    expect(gets, 'objects fetched again').toEqual([]);
    expect(result.verifiedEarlier).toBeGreaterThanOrEqual(killedAt ?? 1);
    expect(result.verifiedEarlier).toBeLessThan(keys.length);
    expect((await readBackupHeader(folder)).status).toBe('verified');
  });
});
