/**
 * Shared by the suites that hand storages to the real rclone and AWS CLI: a vault export holding
 * the storage (made by the vault code itself, default Argon2id), the bucket's state as
 * key → ETag and time, the commands `connect-guard setup` printed, and the environment the peers
 * run in.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectVersionsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { createMemoryVaultStore } from '../../shared/vault-format/memory-vault-store.ts';
import { VaultService } from '../../shared/vault-format/vault-service.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_BIN = join(repo, 'companion', 'bin', 'connect-guard.js');

export const VAULT_PASSPHRASE = 'vault export passphrase for the tool tests';
export const TOOL_PASSPHRASE = 'passphrase for external tools in the tests';

/** Writes a vault export holding these storages; returns its path. */
export async function writeVaultExport(dir: string, storages: readonly StorageCredentials[]): Promise<string> {
  const vault = new VaultService(createMemoryVaultStore());
  await vault.create(VAULT_PASSPHRASE);
  for (const storage of storages) await vault.saveStorage(storage);
  const path = join(dir, 'connect-guard-vault.json');
  writeFileSync(path, (await vault.exportVault()).text);
  return path;
}

/**
 * What the peers (rclone, aws, and connect-guard run by them) see: Debian's tools first on PATH
 * (/usr/bin/aws is AWS CLI 2.9), HOME, and nothing else of the test runner's environment:
 * rclone 1.60 fails with LoadCustomCABundleError when AWS_CA_BUNDLE is set, so it is not passed.
 */
export function peerEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(file: string, args: readonly string[], options: { cwd?: string; env: Record<string, string> }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd: options.cwd ?? repo, env: options.env, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

export function runCli(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return run(process.execPath, [CLI_BIN, ...args], { env });
}

/** The command lines of a printed guide (indented 7 spaces under their numbered titles). */
export function printedCommands(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => /^ {7}\S/.test(line))
    .map((line) => line.trim());
}

/** Runs printed command lines in one POSIX shell, as a user pasting them would. */
export function runShell(lines: readonly string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return run('/bin/sh', ['-c', lines.join('\n')], { cwd, env });
}

export interface ObjectState {
  readonly etag: string;
  readonly lastModified: string;
  readonly size: number;
}

/** Every object of the bucket with its ETag, time and size. */
export async function bucketState(client: S3Client, bucket: string): Promise<Map<string, ObjectState>> {
  const state = new Map<string, ObjectState>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      state.set(object.Key ?? '', { etag: object.ETag ?? '', lastModified: object.LastModified?.toISOString() ?? '', size: object.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return state;
}

/**
 * Versions and delete markers per key (the bucket has versioning on): any overwrite adds a
 * version, any delete adds a marker, whatever the timing, so these counts prove "0 overwrites,
 * 0 deletes" where times with one-second resolution could not.
 */
export async function bucketVersions(client: S3Client, bucket: string): Promise<{ versions: Map<string, number>; deleteMarkers: string[] }> {
  const versions = new Map<string, number>();
  const deleteMarkers: string[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    for (const version of page.Versions ?? []) versions.set(version.Key ?? '', (versions.get(version.Key ?? '') ?? 0) + 1);
    for (const marker of page.DeleteMarkers ?? []) deleteMarkers.push(marker.Key ?? '');
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
  return { versions, deleteMarkers };
}
