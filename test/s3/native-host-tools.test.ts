/**
 * The external-tool requests through the real native host, as the browser drives it: the storage
 * and the passphrase for external tools arrive in the request only; the host writes rclone's
 * encrypted config and the AWS profile, lists them, refuses to overwrite, updates them after a
 * rotated key (radosgw-admin key create) and runs the real tools to prove the new key works.
 * Malformed requests are refused without echoing a secret, and nothing secret reaches its log.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { checkResult } from '../../shared/protocol/companion-guards.ts';
import type { CompanionRequestType } from '../../shared/protocol/companion-protocol.ts';
import { spawnNativeHostProcess } from '../support/native-host-process.ts';
import { testClient } from './s3-fixtures.ts';
import { CLI_BIN, TOOL_PASSPHRASE, peerEnv } from './tool-fixtures.ts';

const exec = promisify(execFile);
const ORIGIN = `chrome-extension://${DEV_EXTENSION_ID}/`;

describe('tools.* through the real native host', () => {
  const uid = `cg-host-tools-${randomBytes(3).toString('hex')}`;
  const first = { accessKey: `CGHOSTFIRST${randomBytes(3).toString('hex').toUpperCase()}`, secretKey: `cg-host-first-secret-${randomBytes(8).toString('hex')}` };
  const second = { accessKey: `CGHOSTNEXT0${randomBytes(3).toString('hex').toUpperCase()}`, secretKey: `cg-host-next-secret-${randomBytes(8).toString('hex')}` };
  const bucket = `usr-48291-itm-${randomBytes(3).toString('hex')}-host`;
  let home: string;
  let host: ReturnType<typeof spawnNativeHostProcess>;
  let storage: StorageCredentials;
  let nextId = 0;

  const admin = (args: readonly string[]) => exec('timeout', ['30', 'radosgw-admin', '-c', inject('s3').cephConf, ...args]);

  async function call<T extends CompanionRequestType>(type: T, data: unknown) {
    const id = `t${nextId++}`;
    host.send({ id, type, data, timeoutMs: 180_000 });
    const final = await host.final(id);
    if ('error' in final) return { error: final.error };
    if (!('ok' in final)) throw new Error('a final reply is ok or error');
    const checked = checkResult(type, final.ok);
    if (!checked.ok) throw new Error(checked.problem);
    return { ok: checked.value };
  }

  beforeAll(async () => {
    await admin(['user', 'create', '--uid', uid, '--display-name', 'Connect Guard host tools test', '--access-key', first.accessKey, '--secret-key', first.secretKey]);
    const client = testClient({ accessKeyId: first.accessKey, secretAccessKey: first.secretKey });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
    home = mkdtempSync(join(tmpdir(), 'cg-host-tools-'));
    storage = { storageName: 'NAS backup', permissions: 'Read & Write', allowedIps: '', serverAddress: inject('s3').endpoint, bucketName: bucket, ...first };
    host = spawnNativeHostProcess(process.execPath, [CLI_BIN, 'host', '--allowed-origin', ORIGIN, ORIGIN], { env: peerEnv(home) });
  });
  afterAll(async () => {
    await host?.close();
    const log = host?.stderr() ?? '';
    for (const secret of [first.secretKey, second.secretKey, TOOL_PASSPHRASE]) expect(log).not.toContain(secret);
    if (home) rmSync(home, { recursive: true, force: true });
    await admin(['user', 'rm', '--uid', uid, '--purge-data']).catch(() => undefined);
  });

  it('sets up rclone and the AWS CLI, lists them, and refuses to overwrite', async () => {
    expect(await call('tools.list', {})).toEqual({ ok: { toolKeysPath: join(home, '.config', 'connect-guard', 'tool-keys.json'), toolKeysExist: false, tools: [] } });
    const rclone = await call('tools.setup', { tool: 'rclone', storage, toolPassphrase: TOOL_PASSPHRASE });
    expect(rclone.ok).toMatchObject({ tool: 'rclone', name: 'wesendit-nas-backup', toolKeysCreated: true, replaced: false, guide: { bucket } });
    expect(readFileSync(join(home, '.config', 'rclone', 'rclone.conf'), 'utf8')).toMatch(/^# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\n/);
    const aws = await call('tools.setup', { tool: 'aws', storage, toolPassphrase: TOOL_PASSPHRASE });
    expect(aws.ok).toMatchObject({ tool: 'aws', name: 'wesendit-nas-backup', toolKeysCreated: false });
    const again = await call('tools.setup', { tool: 'aws', storage, toolPassphrase: TOOL_PASSPHRASE });
    expect(again.error).toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringMatching(/AWS profile "wesendit-nas-backup" exists already/) });
    expect(JSON.stringify(again)).not.toContain(first.secretKey);
    const listed = await call('tools.list', {});
    expect(listed.ok?.tools.map((tool) => `${tool.tool}:${tool.name}:${tool.accessKey}`)).toEqual([`aws:wesendit-nas-backup:${first.accessKey}`, `rclone:wesendit-nas-backup:${first.accessKey}`]);
    expect(listed.ok?.toolKeysExist).toBe(true);
  });

  it('after a rotated key: lists the tools with the old key, updates them, and each authenticates with the new one', async () => {
    await admin(['key', 'create', '--uid', uid, '--key-type', 's3', '--access-key', second.accessKey, '--secret-key', second.secretKey]);
    const rotated = { ...storage, ...second };
    const stale = await call('tools.list', { storage: { serverAddress: rotated.serverAddress, bucketName: bucket, accessKey: second.accessKey } });
    expect(stale.ok?.tools).toHaveLength(2);
    const wrong = await call('tools.update', { storage: rotated, oldAccessKeys: [first.accessKey], toolPassphrase: 'not the passphrase for external tools' });
    expect(wrong.error).toMatchObject({ code: 'WRONG_PASSPHRASE' });
    const updated = await call('tools.update', { storage: rotated, oldAccessKeys: [first.accessKey], toolPassphrase: TOOL_PASSPHRASE });
    expect(updated.ok?.results.map((result) => [result.tool, result.status])).toEqual([
      ['aws', 'ok'],
      ['rclone', 'ok'],
    ]);
    await admin(['key', 'rm', '--uid', uid, '--key-type', 's3', '--access-key', first.accessKey]);
    // With the old key removed, the AWS profile still authenticates (through the tool key file).
    const listing = await exec('/usr/bin/aws', ['s3api', 'list-objects-v2', '--bucket', bucket, '--profile', 'wesendit-nas-backup', '--endpoint-url', rotated.serverAddress], {
      env: peerEnv(home, { CONNECT_GUARD_TOOL_PASSPHRASE: TOOL_PASSPHRASE }),
    });
    expect(listing.stderr).toBe('');
  });

  it.each<[string, unknown, RegExp]>([
    ['setup without a secret', { tool: 'rclone', storage: { ...{ storageName: 'x', permissions: '', allowedIps: '', serverAddress: 'e', bucketName: 'b', accessKey: 'AK' }, secretKey: '' }, toolPassphrase: 'p' }, /data\.storage\.secretKey must not be empty/],
    ['setup of an unknown tool', { tool: 'mc', storage: {}, toolPassphrase: 'p' }, /data\.tool must be one of rclone, aws/],
    ['setup without a passphrase', { tool: 'aws', storage: { storageName: 'x', permissions: '', allowedIps: '', serverAddress: 'e', bucketName: 'b', accessKey: 'AK', secretKey: 'fake-secret-never-echoed' } }, /data\.toolPassphrase must be/],
    ['setup with a numeric bucket', { tool: 'aws', storage: { storageName: 'x', permissions: '', allowedIps: '', serverAddress: 'e', bucketName: 7, accessKey: 'AK', secretKey: 'fake-secret-never-echoed' }, toolPassphrase: 'p' }, /data\.storage\.bucketName must be a string/],
    ['update without old keys', { storage: { storageName: 'x', permissions: '', allowedIps: '', serverAddress: 'e', bucketName: 'b', accessKey: 'AK', secretKey: 'fake-secret-never-echoed' }, toolPassphrase: 'p' }, /data\.oldAccessKeys must be a list/],
  ])('refuses %s with a PROTOCOL_ERROR naming the field, never the secret', async (_name, data, problem) => {
    const type = _name.startsWith('update') ? 'tools.update' : 'tools.setup';
    const reply = await call(type, data);
    expect(reply.error).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringMatching(problem) });
    expect(JSON.stringify(reply)).not.toContain('fake-secret-never-echoed');
  });
});
