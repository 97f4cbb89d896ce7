/**
 * The tool key file (`tool-keys.json`): the one place the external tools' secrets live outside
 * the browser's vault. It is a vault export (shared/vault-format/FORMAT.md: Argon2id at 64 MiB,
 * AES-256-GCM per record, a MAC over the record list) under a passphrase the user chooses for the
 * tools, so the standalone decryptor reads it too. It holds:
 *
 * - the storages handed to the AWS CLI, read by `connect-guard credential-process`;
 * - implicitly, the rclone config password: HKDF-SHA256 of the file's vault key with info
 *   `connect-guard/v1/rclone-config-password`, 32 bytes, base64. The vault key never changes
 *   (a passphrase change only wraps it again), so neither does the password; it is random, so
 *   rclone's single-SHA-256 key derivation is no weakness; it is never written anywhere.
 */
import { readFile } from 'node:fs/promises';
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { bytesToBase64 } from '../../../shared/vault-format/base64.ts';
import { createMemoryVaultStore } from '../../../shared/vault-format/memory-vault-store.ts';
import { isStorageRecordValue, storageIdentity, type StorageRecordValue } from '../../../shared/vault-format/storage-record.ts';
import { hkdf } from '../../../shared/vault-format/vault-crypto.ts';
import { parseEncryptedRecord, parseVaultHeader, type KdfCost } from '../../../shared/vault-format/vault-format.ts';
import { openVaultExport } from '../../../shared/vault-format/vault-records.ts';
import { VaultService } from '../../../shared/vault-format/vault-service.ts';
import { writePrivateFiles, type PrivateFile } from './write-private-files.ts';

const RCLONE_PASSWORD_INFO = 'connect-guard/v1/rclone-config-password';

/** Argon2id cost of a new key file, and the floor an existing one must meet (tests lower both). */
export interface ToolKeysKdf {
  readonly kdf?: KdfCost;
  readonly floor?: KdfCost;
}

/** An opened tool key file: its vault, unlocked, in memory until {@link toolKeysFile} writes it back. */
export interface ToolKeys {
  readonly path: string;
  /** The file did not exist: it was created with the passphrase. */
  readonly created: boolean;
  readonly service: VaultService;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
    throw new ConnectGuardError('INVALID_INPUT', `Cannot read the tool key file ${path}: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

function wrongPassphrase(path: string, error: unknown): unknown {
  if (error instanceof ConnectGuardError && error.code === 'WRONG_PASSPHRASE') {
    return new ConnectGuardError('WRONG_PASSPHRASE', `The passphrase for external tools is wrong: it does not open ${path}. Type the passphrase you chose when you first set up a tool.`);
  }
  return error;
}

/** Does a tool key file exist here? */
export async function toolKeysExist(path: string): Promise<boolean> {
  return (await readText(path)) !== undefined;
}

/**
 * Opens the tool key file with its passphrase, checking everything (format, passphrase, MAC,
 * every record); with `create`, a missing file is created under this passphrase (which must be
 * strong enough: the same rule as the vault's).
 */
export async function openToolKeys(path: string, passphrase: string, options: ToolKeysKdf & { readonly create?: boolean } = {}): Promise<ToolKeys> {
  const text = await readText(path);
  const store = createMemoryVaultStore();
  const service = new VaultService(store, { ...(options.kdf ? { kdf: options.kdf } : {}), ...(options.floor ? { floor: options.floor } : {}) });
  if (text === undefined) {
    if (!options.create) {
      throw new ConnectGuardError('NOT_FOUND', `There is no tool key file at ${path}: no external tool was set up here. Run "connect-guard setup rclone" or "setup aws" first.`);
    }
    await service.create(passphrase);
    return { path, created: true, service };
  }
  const opened = await openVaultExport(text, passphrase, options.floor ? { floor: options.floor } : {}).catch((error: unknown) => {
    throw wrongPassphrase(path, error);
  });
  const parsed: unknown = JSON.parse(text);
  const raw = typeof parsed === 'object' && parsed !== null && 'records' in parsed && Array.isArray(parsed.records) ? parsed.records : [];
  await store.replaceAll(parseVaultHeader(opened.header, 'export'), raw.map((record: unknown) => parseEncryptedRecord(record, 'export')));
  await service.unlockWithKey(opened.vaultKey);
  return { path, created: false, service };
}

/** The file's text as it should be written now (call after changes; write with writePrivateFiles). */
export async function toolKeysFile(keys: ToolKeys): Promise<PrivateFile> {
  return { path: keys.path, text: (await keys.service.exportVault()).text };
}

/** Writes the tool key file alone (0600, atomically). */
export async function saveToolKeys(keys: ToolKeys): Promise<void> {
  await writePrivateFiles([await toolKeysFile(keys)]);
}

/** The rclone config password this key file stands for (see the header comment). */
export async function rclonePasswordOf(vaultKey: Uint8Array): Promise<string> {
  return bytesToBase64(await hkdf(Uint8Array.from(vaultKey), RCLONE_PASSWORD_INFO));
}

export async function rclonePassword(keys: ToolKeys): Promise<string> {
  return rclonePasswordOf(keys.service.getVaultKey());
}

/** Stores (or updates) the key pair of a storage for the tools. */
export async function putToolKey(keys: ToolKeys, credentials: StorageCredentials): Promise<void> {
  const saved = await keys.service.saveStorage(credentials);
  if (!saved.verified) throw new ConnectGuardError('VERIFY_FAILED', 'The tool key did not read back identically; nothing was written.');
}

/** What a read-only opening gives: the vault key and every storage in the file. */
export interface ReadToolKeys {
  readonly vaultKey: Uint8Array;
  readonly storages: readonly StorageRecordValue[];
}

/** Opens the file read-only (one Argon2id run), for `credential-process` and `rclone-config-password`. */
export async function readToolKeys(path: string, passphrase: string, options: ToolKeysKdf = {}): Promise<ReadToolKeys> {
  const text = await readText(path);
  if (text === undefined) {
    throw new ConnectGuardError('NOT_FOUND', `There is no tool key file at ${path}. Run "connect-guard setup rclone" or "setup aws" first (or pass --tool-keys FILE).`);
  }
  const opened = await openVaultExport(text, passphrase, options.floor ? { floor: options.floor } : {}).catch((error: unknown) => {
    throw wrongPassphrase(path, error);
  });
  return { vaultKey: opened.vaultKey, storages: opened.records.map((record) => record.value).filter(isStorageRecordValue) };
}

/** The storage of this endpoint and bucket in the file, if any (matched by the vault's storage identity). */
export function findToolKey(storages: readonly StorageRecordValue[], endpoint: string, bucket: string): StorageRecordValue | undefined {
  const wanted = storageIdentity({ serverAddress: endpoint, bucketName: bucket, accessKey: '' });
  return storages.find((storage) => storageIdentity(storage.credentials) === wanted);
}
