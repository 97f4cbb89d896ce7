/**
 * `connect-guard setup` on bad input, run as a user runs it (child process, real default
 * Argon2id): each case a clear message naming the fix, an exit code, and nothing written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { CLI_BIN, TOOL_PASSPHRASE, VAULT_PASSPHRASE, peerEnv, run, runCli, writeVaultExport } from './tool-fixtures.ts';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('connect-guard setup: bad input', () => {
  let dir: string;
  let exportPath: string;

  beforeAll(async () => {
    const server = inject('s3');
    dir = mkdtempSync(join(tmpdir(), 'cg-setup-errors-'));
    const storages: StorageCredentials[] = [
      { storageName: 'NAS backup', permissions: 'Read & Write', allowedIps: '', serverAddress: server.endpoint, bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup', accessKey: server.accessKeyId, secretKey: server.secretAccessKey },
      { storageName: 'Fotos', permissions: 'Read Only', allowedIps: '', serverAddress: server.endpoint, bucketName: 'usr-48291-itm-00999-fotos', accessKey: server.accessKeyId, secretKey: server.secretAccessKey },
    ];
    exportPath = await writeVaultExport(dir, storages);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const freshHome = (): string => mkdtempSync(join(dir, 'home-'));
  const env = (home: string, extra: Record<string, string> = {}): Record<string, string> =>
    peerEnv(home, { CONNECT_GUARD_PASSPHRASE: VAULT_PASSPHRASE, CONNECT_GUARD_TOOL_PASSPHRASE: TOOL_PASSPHRASE, ...extra });

  it('a storage name that matches nothing in the export: names the storages it holds, exit 3, nothing written', async () => {
    const home = freshHome();
    const result = await runCli(['setup', 'rclone', '--vault-export', exportPath, '--storage', 'NAS backups'], env(home));
    expect(result.stderr).toBe(`connect-guard: No storage named "NAS backups" in ${exportPath}. It holds: "NAS backup", "Fotos". Give one of these names to --storage (or its bucket name).\n`);
    expect(result.code).toBe(3);
    expect(readdirSync(home)).toEqual([]);
  });

  it('a wrong export passphrase: says so, exit 3', async () => {
    const result = await runCli(['setup', 'aws', '--vault-export', exportPath, '--storage', 'Fotos'], env(freshHome(), { CONNECT_GUARD_PASSPHRASE: 'not the export passphrase' }));
    expect(result.stderr).toMatch(/passphrase is wrong/i);
    expect(result.code).toBe(3);
  });

  it('a tool that is not installed: names the package, exit 3, nothing written', async () => {
    const home = freshHome();
    const result = await runCli(['setup', 'rclone', '--vault-export', exportPath, '--storage', 'Fotos'], env(home, { PATH: '/nonexistent' }));
    expect(result.stderr).toMatch(/^connect-guard: rclone is not installed \(not found on PATH\)\. Nothing was written\. Install it \(Debian\/Ubuntu: sudo apt-get install rclone/);
    expect(result.code).toBe(3);
    expect(readdirSync(home)).toEqual([]);
  });

  it('a remote that exists: refused without --replace, exit 3', async () => {
    const home = freshHome();
    expect((await runCli(['setup', 'rclone', '--vault-export', exportPath, '--storage', 'Fotos'], env(home))).code).toBe(0);
    const again = await runCli(['setup', 'rclone', '--vault-export', exportPath, '--storage', 'Fotos'], env(home));
    expect(again.stderr).toMatch(/rclone remote "wesendit-fotos" and "wesendit-fotos-s3" exists already in .*rclone\.conf\. Nothing was changed\. Choose another name, or replace it explicitly \(--replace/);
    expect(again.code).toBe(3);
    const replaced = await runCli(['setup', 'rclone', '--vault-export', exportPath, '--storage', 'Fotos', '--replace'], env(home));
    expect(replaced.stdout).toMatch(/^Replaced rclone remote "wesendit-fotos:"/);
  });

  it('a Secret Key on the command line is refused before anything runs', async () => {
    const result = await runCli(['setup', 'aws', '--storage', 'x', '--endpoint', 'e', '--bucket', 'b', '--secret-key', 'hunter2-secret'], env(freshHome()));
    expect(result.stderr).toMatch(/The Secret Key is not accepted on the command line \(--secret-key\)/);
    expect(result.stderr).not.toContain('hunter2-secret');
    expect(result.code).toBe(2);
  });

  it('the tool commands refuse to print a key onto a terminal-less run without a passphrase', async () => {
    const result = await runCli(['credential-process', '--endpoint', 'e', '--bucket', 'b'], peerEnv(freshHome()));
    expect(result.stderr).toMatch(/No terminal to ask for the passphrase on\. Set CONNECT_GUARD_TOOL_PASSPHRASE/);
    expect(result.stdout).toBe('');
  });

  it.skipIf(!isRoot)('a read-only home: a clear error naming it, exit 3, nothing written', async () => {
    const home = freshHome();
    const keysDir = mkdtempSync(join(dir, 'keys-'));
    // A private mount namespace: the read-only file system exists for this one run only.
    const result = await run(
      'unshare',
      ['-m', 'sh', '-c', 'mount -t tmpfs -o ro,size=64k tmpfs "$HOME" && exec "$0" "$@"', process.execPath, CLI_BIN, 'setup', 'rclone', '--vault-export', exportPath, '--storage', 'Fotos'],
      { env: env(home, { CONNECT_GUARD_CONFIG_DIR: keysDir }) },
    );
    expect(result.stderr).toMatch(new RegExp(`^connect-guard: Cannot write ${home}/\\.config/rclone/rclone\\.conf: the file system is read-only\\. Nothing was changed\\. Make the folder writable`));
    expect(result.code).toBe(3);
    // The tool key file that would have been created with the config is not left behind.
    expect(readdirSync(keysDir)).toEqual([]);
    expect(existsSync(join(home, '.config'))).toBe(false);
  });

  it('a missing export file: says where the export comes from', async () => {
    mkdirSync(join(dir, 'empty'), { recursive: true });
    const result = await runCli(['setup', 'rclone', '--vault-export', join(dir, 'empty', 'none.json'), '--storage', 'Fotos'], env(freshHome()));
    expect(result.stderr).toMatch(/There is no vault export at .*none\.json\. In the popup, Settings → "Export vault" writes one\./);
    expect(result.code).toBe(3);
  });
});
