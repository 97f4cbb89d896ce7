/**
 * Records and exports: each record is AES-256-GCM under the vault key with its id as associated
 * data; an export is the header and the records with a MAC over both (FORMAT.md, "Records" and
 * "Export").
 */
import type { StorageCredentials } from '../credentials.ts';
import { ConnectGuardError } from '../errors.ts';
import { base64ToBytes, bytesToBase64, bytesToHex } from './base64.ts';
import { storageIdentity } from './storage-record.ts';
import { KEY_BYTES, aesKey, copyKey, decoder, equalBytes, hkdf, hmac, isRecordObject, seal, unseal, utf8 } from './vault-crypto.ts';
import { MAX_EXPORT_CHARS, RECORD_ID, isBase64Of, VAULT_EXPORT_FORMAT, VAULT_FORMAT_VERSION, checkVersion, damaged, parseEncryptedRecord, parseVaultHeader, type EncryptedRecord, type KdfOptions, type VaultExport, type VaultHeader, type Where } from './vault-format.ts';
import { unlockVaultHeader, verifyVaultKey } from './vault-header.ts';
// ---------------------------------------------------------------------------------------------
// Records

/** The associated data binding a record's ciphertext to its id. */
export function recordAssociatedData(id: string): string {
  return `connect-guard-record:v1:${id}`;
}

/** Encrypts `value` (JSON) under the vault key with a fresh IV and the id as AAD. */
export async function encryptRecord(vaultKey: Uint8Array, id: string, value: unknown): Promise<EncryptedRecord> {
  if (!RECORD_ID.test(id)) throw new ConnectGuardError('INVALID_INPUT', `"${id}" is not a valid record id.`);
  const json = JSON.stringify(value);
  if (json === undefined) throw new ConnectGuardError('INVALID_INPUT', 'A vault record must be a JSON value.');
  const sealed = await seal(await aesKey(copyKey(vaultKey)), utf8(json), recordAssociatedData(id));
  return { id, ...sealed };
}

/**
 * Decrypts a record and parses its JSON. A changed id, IV or ciphertext, or a ciphertext moved
 * to another id, fails the GCM tag: VAULT_CORRUPT naming the record.
 */
export async function decryptRecord(vaultKey: Uint8Array, record: unknown, where: Where = 'vault'): Promise<unknown> {
  const parsed = parseEncryptedRecord(record, where);
  const plaintext = await unseal(await aesKey(copyKey(vaultKey)), parsed, recordAssociatedData(parsed.id));
  if (plaintext === undefined) {
    throw damaged(where, `record ${parsed.id} does not decrypt: its id, IV or ciphertext was changed, or it belongs to another vault`);
  }
  try {
    return JSON.parse(decoder.decode(plaintext));
  } catch {
    throw damaged(where, `record ${parsed.id} is not JSON after decryption`);
  }
}

/**
 * The record id of a storage: lower-case hex HMAC-SHA256 of its identity (normalised server
 * address + "\n" + bucket name) under a key derived from the vault key. The same storage always
 * gets the same id in one vault; the id reveals nothing about the storage.
 */
export async function deriveStorageRecordId(
  vaultKey: Uint8Array,
  credentials: Pick<StorageCredentials, 'serverAddress' | 'bucketName' | 'accessKey'>,
): Promise<string> {
  const idKey = await hkdf(copyKey(vaultKey), 'connect-guard/v1/record-id');
  return bytesToHex(await hmac(idKey, storageIdentity(credentials)));
}

// ---------------------------------------------------------------------------------------------
// Export

function exportMacMessage(exportedAt: string, records: readonly EncryptedRecord[]): string {
  return `connect-guard-vault-export:v1:${JSON.stringify([exportedAt, records.map((r) => [r.id, r.iv, r.ciphertext])])}`;
}

async function exportMac(vaultKey: Uint8Array<ArrayBuffer>, exportedAt: string, records: readonly EncryptedRecord[]): Promise<string> {
  const macKey = await hkdf(vaultKey, 'connect-guard/v1/export-mac');
  return bytesToBase64(await hmac(macKey, exportMacMessage(exportedAt, records)));
}

/**
 * Writes the export file: header and records exactly as stored, plus a MAC under the vault key
 * over the record list. Decryptable with the passphrase alone (FORMAT.md).
 */
export async function serializeVaultExport(input: {
  readonly header: VaultHeader;
  readonly records: readonly EncryptedRecord[];
  readonly vaultKey: Uint8Array;
  readonly exportedAt?: Date;
}): Promise<string> {
  const vaultKey = copyKey(input.vaultKey);
  if (!(await verifyVaultKey(input.header, vaultKey))) {
    throw new ConnectGuardError('INVALID_INPUT', 'The vault key does not belong to this vault header.');
  }
  const exportedAt = (input.exportedAt ?? new Date()).toISOString();
  const records = [...input.records].map((r) => ({ id: r.id, iv: r.iv, ciphertext: r.ciphertext })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const file: VaultExport = {
    format: VAULT_EXPORT_FORMAT,
    version: VAULT_FORMAT_VERSION,
    exportedAt,
    header: input.header,
    records,
    mac: await exportMac(vaultKey, exportedAt, records),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** An export after every check passed and every record decrypted. */
export interface OpenedVaultExport {
  readonly exportedAt: string;
  readonly header: VaultHeader;
  /** The export's vault key (not the current vault's). */
  readonly vaultKey: Uint8Array<ArrayBuffer>;
  readonly records: readonly { readonly id: string; readonly value: unknown }[];
}

/**
 * Parses and fully checks an export: JSON, format, version, header, passphrase, the record-list
 * MAC, and decrypts EVERY record before returning, so a caller merges nothing from a bad file.
 */
export async function openVaultExport(text: string, passphrase: string, options: KdfOptions = {}): Promise<OpenedVaultExport> {
  if (typeof text !== 'string' || text.length > MAX_EXPORT_CHARS) {
    throw new ConnectGuardError('INVALID_INPUT', 'This file is not a Connect Guard vault export (too large). Choose the .json file that "Export vault" saved.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      'This file is not a Connect Guard vault export: it is not complete JSON (it may be truncated). Choose the .json file that "Export vault" saved.',
    );
  }
  if (!isRecordObject(value) || value.format !== VAULT_EXPORT_FORMAT) {
    throw new ConnectGuardError('INVALID_INPUT', `This file is not a Connect Guard vault export (format is not "${VAULT_EXPORT_FORMAT}"). Choose the .json file that "Export vault" saved.`);
  }
  checkVersion(value, VAULT_EXPORT_FORMAT, 'export file', 'export');
  const { exportedAt, mac } = value;
  if (typeof exportedAt !== 'string' || exportedAt.length > 64) throw damaged('export', 'exportedAt is not a time');
  if (!isBase64Of(mac, KEY_BYTES, KEY_BYTES)) throw damaged('export', 'mac is not base64 of 32 bytes');
  if (!Array.isArray(value.records)) throw damaged('export', 'records is not a list');
  const header = parseVaultHeader(value.header, 'export');
  const records = value.records.map((record: unknown) => parseEncryptedRecord(record, 'export'));
  if (new Set(records.map((r) => r.id)).size !== records.length) throw damaged('export', 'a record id appears twice');

  const vaultKey = await unlockVaultHeader(header, passphrase, { ...options, where: 'export' });
  const expectedMac = base64ToBytes(await exportMac(vaultKey, exportedAt, records)) ?? new Uint8Array(0);
  if (!equalBytes(expectedMac, base64ToBytes(mac) ?? new Uint8Array(0))) {
    throw damaged('export', 'the record list was changed: records were added, removed or reordered');
  }
  const opened: { id: string; value: unknown }[] = [];
  for (const record of records) opened.push({ id: record.id, value: await decryptRecord(vaultKey, record, 'export') });
  return { exportedAt, header, vaultKey, records: opened };
}
