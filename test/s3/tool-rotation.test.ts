/**
 * A lost or rotated key, end to end against Ceph: rclone and the AWS CLI are set up with the
 * first key; the gateway gets a second key for the same user (radosgw-admin key create, as
 * WeSendit issuing new credentials); `connect-guard update-tools` gives both tools the new pair
 * and runs each; the first key is removed; the tools still list the bucket, and the old key
 * really is dead.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { createMemoryVaultStore } from '../../shared/vault-format/memory-vault-store.ts';
import { VaultService } from '../../shared/vault-format/vault-service.ts';
import { testClient } from './s3-fixtures.ts';
import { TOOL_PASSPHRASE, VAULT_PASSPHRASE, peerEnv, printedCommands, runCli, runShell } from './tool-fixtures.ts';

const exec = promisify(execFile);

function radosgwAdmin(args: readonly string[]): Promise<{ stdout: string }> {
  return exec('timeout', ['30', 'radosgw-admin', '-c', inject('s3').cephConf, ...args]);
}

describe('update-tools after a rotated key', () => {
  const uid = `cg-rotate-${randomBytes(3).toString('hex')}`;
  const first = { accessKey: `CGROTATEFIRST${randomBytes(3).toString('hex').toUpperCase()}`, secretKey: `cg-rotate-first-secret-${randomBytes(8).toString('hex')}` };
  const second = { accessKey: `CGROTATENEXT0${randomBytes(3).toString('hex').toUpperCase()}`, secretKey: `cg-rotate-next-secret-${randomBytes(8).toString('hex')}` };
  const bucket = `usr-48291-itm-${randomBytes(3).toString('hex')}-rotate`;
  let dir: string;
  let storage: StorageCredentials;
  let vault: VaultService;

  beforeAll(async () => {
    await radosgwAdmin(['user', 'create', '--uid', uid, '--display-name', 'Connect Guard rotation test', '--access-key', first.accessKey, '--secret-key', first.secretKey]);
    const client = testClient({ accessKeyId: first.accessKey, secretAccessKey: first.secretKey });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'photos/one.jpg', Body: 'one' }));
    client.destroy();
    dir = mkdtempSync(join(tmpdir(), 'cg-rotate-'));
    storage = { storageName: 'NAS backup', permissions: 'Read & Write', allowedIps: '', serverAddress: inject('s3').endpoint, bucketName: bucket, ...first };
    vault = new VaultService(createMemoryVaultStore());
    await vault.create(VAULT_PASSPHRASE);
    await vault.saveStorage(storage);
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await radosgwAdmin(['user', 'rm', '--uid', uid, '--purge-data']).catch(() => undefined);
  });

  const home = (): string => join(dir, 'home');
  const env = (): Record<string, string> => peerEnv(home(), { CONNECT_GUARD_PASSPHRASE: VAULT_PASSPHRASE, CONNECT_GUARD_TOOL_PASSPHRASE: TOOL_PASSPHRASE });
  async function exportVault(name: string): Promise<string> {
    const path = join(dir, name);
    writeFileSync(path, (await vault.exportVault()).text);
    return path;
  }

  it('updates both tools, proves each works, and they keep working once the old key is removed', async () => {
    const before = await exportVault('before.json');
    const rclone = await runCli(['setup', 'rclone', '--vault-export', before, '--storage', 'NAS backup'], env());
    const aws = await runCli(['setup', 'aws', '--vault-export', before, '--storage', 'NAS backup'], env());
    expect([rclone.code, rclone.stderr, aws.code, aws.stderr]).toEqual([0, '', 0, '']);
    const [passwordCommand] = printedCommands(rclone.stdout);
    const listRclone = [passwordCommand ?? '', 'rclone lsf -R --files-only wesendit-nas-backup:'];
    const listAws = [`aws s3 ls --recursive s3://${bucket}/ --profile wesendit-nas-backup --endpoint-url ${inject('s3').endpoint}`];

    // WeSendit issues new credentials: the gateway gets a second key; the vault saves it over the first.
    await radosgwAdmin(['key', 'create', '--uid', uid, '--key-type', 's3', '--access-key', second.accessKey, '--secret-key', second.secretKey]);
    await vault.saveStorage({ ...storage, ...second });
    const after = await exportVault('after.json');

    const listed = await runCli(['update-tools', '--vault-export', after, '--storage', 'NAS backup', '--list'], env());
    expect(listed.stdout).toBe(
      `These tools still use an old key of "NAS backup"; WeSendit no longer accepts it:\n` +
        `  AWS profile "wesendit-nas-backup" in ${home()}/.aws/config (Access Key ${first.accessKey})\n` +
        `  rclone remote "wesendit-nas-backup:" in ${home()}/.config/rclone/rclone.conf (Access Key ${first.accessKey})\n`,
    );

    const updated = await runCli(['update-tools', '--vault-export', after, '--storage', 'NAS backup'], env());
    expect(updated.stderr).toBe('');
    expect(updated.stdout).toBe(
      `Gave 2 tool(s) the new Access Key ${second.accessKey} of "NAS backup":\n` +
        `  ✓ AWS profile "wesendit-nas-backup" in ${home()}/.aws/config: The AWS CLI listed ${bucket} with profile "wesendit-nas-backup" and the new key.\n` +
        `  ✓ rclone remote "wesendit-nas-backup:" in ${home()}/.config/rclone/rclone.conf: rclone listed ${bucket} through "wesendit-nas-backup:" with the new key.\n`,
    );
    expect(updated.code).toBe(0);
    expect(readFileSync(join(home(), '.config', 'connect-guard', 'tools.json'), 'utf8')).not.toContain(first.accessKey);

    // The old key is withdrawn: it no longer opens the bucket …
    await radosgwAdmin(['key', 'rm', '--uid', uid, '--key-type', 's3', '--access-key', first.accessKey]);
    const oldClient = testClient({ accessKeyId: first.accessKey, secretAccessKey: first.secretKey });
    await expect(oldClient.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    oldClient.destroy();
    // … and both tools still list it.
    const viaRclone = await runShell(listRclone, dir, env());
    expect([viaRclone.code, viaRclone.stdout]).toEqual([0, 'photos/one.jpg\n']);
    const viaAws = await runShell(listAws, dir, env());
    expect(viaAws.code).toBe(0);
    expect(viaAws.stdout).toMatch(/ 3 photos\/one\.jpg\n$/);

    // Nothing is left to update.
    expect((await runCli(['update-tools', '--vault-export', after, '--storage', 'NAS backup'], env())).stdout).toBe('No external tool set up by Connect Guard uses an old key of "NAS backup".\n');
  });

  it('a wrong passphrase for external tools updates nothing', async () => {
    // Another computer's home, set up from the export made before the rotation.
    const otherHome = join(dir, 'other-home');
    const otherEnv = peerEnv(otherHome, { CONNECT_GUARD_PASSPHRASE: VAULT_PASSPHRASE, CONNECT_GUARD_TOOL_PASSPHRASE: TOOL_PASSPHRASE });
    for (const tool of ['rclone', 'aws']) expect((await runCli(['setup', tool, '--vault-export', join(dir, 'before.json'), '--storage', 'NAS backup'], otherEnv)).code).toBe(0);
    const files = [join(otherHome, '.config', 'rclone', 'rclone.conf'), join(otherHome, '.aws', 'config'), join(otherHome, '.config', 'connect-guard', 'tool-keys.json'), join(otherHome, '.config', 'connect-guard', 'tools.json')];
    const before = files.map((file) => readFileSync(file, 'utf8'));
    const result = await runCli(['update-tools', '--vault-export', join(dir, 'after.json'), '--storage', 'NAS backup'], { ...otherEnv, CONNECT_GUARD_TOOL_PASSPHRASE: 'not the passphrase for the tools' });
    expect(result.stderr).toMatch(/^connect-guard: The passphrase for external tools is wrong: it does not open .*tool-keys\.json\./);
    expect(result.code).toBe(3);
    expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual(before);
  });
});
