/**
 * The vault's crypto format, pure and shared by the extension and Node (FORMAT.md is the
 * normative description; keep the two in step): its types, limits and the checks of untrusted
 * JSON. The key wrap lives in vault-header.ts, records and exports in vault-records.ts, the
 * WebCrypto calls in vault-crypto.ts.
 *
 *   passphrase ─Argon2id(header.kdf)→ master ─HKDF→ KEK ─AES-256-GCM→ wraps the random vault key
 *                                            └HKDF→ passphrase check (tells a wrong passphrase
 *                                                   from a damaged header)
 *   vault key ─AES-256-GCM→ each record, fresh IV, AAD "connect-guard-record:v1:" + id
 *             └HKDF→ record-id key (HMAC-SHA256 over the storage identity), key check, export MAC
 *
 * Only WebCrypto (`globalThis.crypto.subtle`, identical in Node 20 and MV3 service workers) and
 * hash-wasm's Argon2id are used, so the same code runs in both.
 */
import { ConnectGuardError } from '../errors.ts';
import { base64ToBytes } from './base64.ts';
import { IV_BYTES, KEY_BYTES, TAG_BYTES, isRecordObject, type SealedBytes } from './vault-crypto.ts';

export const VAULT_FORMAT = 'connect-guard-vault';
export const VAULT_EXPORT_FORMAT = 'connect-guard-vault-export';
export const VAULT_FORMAT_VERSION = 1;

/** The Argon2id cost parameters a vault stores; `salt` and `hashLength` complete them. */
export interface KdfCost {
  /** Memory in KiB (Argon2 "m"). */
  readonly memoryKiB: number;
  /** Passes over memory (Argon2 "t"). */
  readonly iterations: number;
  /** Lanes (Argon2 "p"). */
  readonly parallelism: number;
}

/** Argon2id parameters as stored in the vault header. */
export interface KdfParams extends KdfCost {
  readonly algorithm: 'argon2id';
  /** Standard base64 of 16–64 random bytes. */
  readonly salt: string;
  readonly hashLength: 32;
}

/** Parameters for new vaults and passphrase changes: 64 MiB, 3 passes, 4 lanes. */
export const DEFAULT_KDF: KdfCost = Object.freeze({ memoryKiB: 65536, iterations: 3, parallelism: 4 });

/**
 * The weakest parameters a vault may store. A header below it is refused before the KDF runs:
 * whoever can write the vault's storage could otherwise lower the cost and make the passphrase
 * cheap to guess from the next wrap (downgrade attack).
 */
export const KDF_FLOOR: KdfCost = Object.freeze({ ...DEFAULT_KDF });

/** Larger values are not a stronger vault but a damaged or hostile one (they would hang the unlock). */
export const KDF_CEILING: KdfCost = Object.freeze({ memoryKiB: 4 * 1024 * 1024, iterations: 64, parallelism: 64 });

/** The vault header: everything needed to turn the passphrase into the vault key. */
export interface VaultHeader {
  readonly format: typeof VAULT_FORMAT;
  readonly version: typeof VAULT_FORMAT_VERSION;
  readonly kdf: KdfParams;
  /** base64 of HKDF(master, "connect-guard/v1/passphrase-check"), 32 bytes. */
  readonly passphraseCheck: string;
  /** base64 of HKDF(vault key, "connect-guard/v1/key-check"), 32 bytes; checks a held raw key. */
  readonly keyCheck: string;
  /** The vault key sealed under the KEK; AAD is the header's canonical encoding. */
  readonly wrappedKey: SealedBytes;
  /** ISO 8601 time the vault was created (kept across passphrase changes). */
  readonly createdAt: string;
}

/** One encrypted record as stored and exported. */
export interface EncryptedRecord extends SealedBytes {
  /** Record id: 64 hex chars for storages (see deriveStorageRecordId). */
  readonly id: string;
}

/** The export file (a single JSON text). */
export interface VaultExport {
  readonly format: typeof VAULT_EXPORT_FORMAT;
  readonly version: typeof VAULT_FORMAT_VERSION;
  readonly exportedAt: string;
  readonly header: VaultHeader;
  readonly records: readonly EncryptedRecord[];
  /** base64 HMAC-SHA256 over exportedAt and every record, so removed or reordered records are detected. */
  readonly mac: string;
}

/**
 * Options for the KDF checks. `floor` exists so unit tests can use cheap parameters; production
 * code never passes it, so the real KDF_FLOOR applies.
 */
export interface KdfOptions {
  readonly floor?: KdfCost;
}


/** A record's plaintext is a few hundred bytes; this bound stops a hostile export early. */
export const MAX_RECORD_CIPHERTEXT_CHARS = 1024 * 1024;
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
export const RECORD_ID = /^[a-z0-9][a-z0-9._:-]{0,127}$/;

// ---------------------------------------------------------------------------------------------
// Validation of untrusted JSON (IndexedDB content, export files)

export type Where = 'vault' | 'export';

export function damaged(where: Where, detail: string): ConnectGuardError {
  const fix =
    where === 'vault'
      ? 'The vault data in this browser is damaged. Import your latest vault export to restore it.'
      : 'The export file is damaged or was altered. Nothing was imported; use an untouched copy of the file.';
  return new ConnectGuardError('VAULT_CORRUPT', `${fix} (${detail})`);
}

export function isBase64Of(value: unknown, minBytes: number, maxBytes: number): value is string {
  if (typeof value !== 'string' || value.length > Math.ceil(maxBytes / 3) * 4) return false;
  const bytes = base64ToBytes(value);
  return bytes !== undefined && bytes.length >= minBytes && bytes.length <= maxBytes;
}

export function isSafeCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

export function parseSealed(value: unknown, where: Where, field: string, maxCipherChars: number): SealedBytes {
  if (!isRecordObject(value)) throw damaged(where, `${field} is missing`);
  const { iv, ciphertext } = value;
  if (!isBase64Of(iv, IV_BYTES, IV_BYTES)) throw damaged(where, `${field}.iv is not base64 of ${IV_BYTES} bytes`);
  if (typeof ciphertext !== 'string' || ciphertext.length > maxCipherChars || !isBase64Of(ciphertext, TAG_BYTES, maxCipherChars)) {
    throw damaged(where, `${field}.ciphertext is not valid base64 ciphertext`);
  }
  return { iv, ciphertext };
}

export function checkVersion(value: Record<string, unknown>, expectedFormat: string, what: string, where: Where): void {
  if (value.format !== expectedFormat) throw damaged(where, `${what} format is not "${expectedFormat}"`);
  if (typeof value.version === 'number' && Number.isInteger(value.version) && value.version > VAULT_FORMAT_VERSION) {
    throw new ConnectGuardError(
      'UNSUPPORTED_VERSION',
      `This ${what} was written by a newer Connect Guard (format version ${value.version}). Update Connect Guard to open it.`,
    );
  }
  if (value.version !== VAULT_FORMAT_VERSION) throw damaged(where, `${what} version is not ${VAULT_FORMAT_VERSION}`);
}

/**
 * Checks an untrusted value is a well-formed vault header (shape, base64, lengths, KDF ceiling)
 * and returns a fresh copy holding only the known fields. Throws VAULT_CORRUPT naming the field,
 * or UNSUPPORTED_VERSION. The KDF floor is checked separately (assertKdfAtLeastFloor).
 */
export function parseVaultHeader(value: unknown, where: Where = 'vault'): VaultHeader {
  if (!isRecordObject(value)) throw damaged(where, 'the vault header is missing');
  checkVersion(value, VAULT_FORMAT, 'vault header', where);
  const kdf = value.kdf;
  if (!isRecordObject(kdf) || kdf.algorithm !== 'argon2id') throw damaged(where, 'kdf.algorithm is not "argon2id"');
  const { memoryKiB, iterations, parallelism, salt, hashLength } = kdf;
  if (!isSafeCount(memoryKiB) || !isSafeCount(iterations) || !isSafeCount(parallelism)) {
    throw damaged(where, 'kdf.memoryKiB, kdf.iterations and kdf.parallelism must be positive integers');
  }
  if (memoryKiB > KDF_CEILING.memoryKiB || iterations > KDF_CEILING.iterations || parallelism > KDF_CEILING.parallelism) {
    throw damaged(
      where,
      `KDF parameters above the ceiling (memory ≤ ${KDF_CEILING.memoryKiB} KiB, iterations ≤ ${KDF_CEILING.iterations}, parallelism ≤ ${KDF_CEILING.parallelism})`,
    );
  }
  // Argon2 itself requires m ≥ 8·p.
  if (memoryKiB < 8 * parallelism) throw damaged(where, 'kdf.memoryKiB is smaller than 8 × parallelism');
  if (hashLength !== KEY_BYTES) throw damaged(where, `kdf.hashLength is not ${KEY_BYTES}`);
  if (!isBase64Of(salt, 16, 64)) throw damaged(where, 'kdf.salt is not base64 of 16–64 bytes');
  const { passphraseCheck, keyCheck, createdAt } = value;
  if (!isBase64Of(passphraseCheck, KEY_BYTES, KEY_BYTES)) throw damaged(where, 'passphraseCheck is not base64 of 32 bytes');
  if (!isBase64Of(keyCheck, KEY_BYTES, KEY_BYTES)) throw damaged(where, 'keyCheck is not base64 of 32 bytes');
  if (typeof createdAt !== 'string' || createdAt.length > 64) throw damaged(where, 'createdAt is not a time');
  const wrappedKey = parseSealed(value.wrappedKey, where, 'wrappedKey', 128);
  return {
    format: VAULT_FORMAT,
    version: VAULT_FORMAT_VERSION,
    kdf: { algorithm: 'argon2id', memoryKiB, iterations, parallelism, salt, hashLength: KEY_BYTES },
    passphraseCheck,
    keyCheck,
    wrappedKey,
    createdAt,
  };
}

/** Checks an untrusted value is a well-formed encrypted record; returns a fresh copy. */
export function parseEncryptedRecord(value: unknown, where: Where = 'vault'): EncryptedRecord {
  if (!isRecordObject(value)) throw damaged(where, 'a record is not an object');
  const { id } = value;
  if (typeof id !== 'string' || !RECORD_ID.test(id)) throw damaged(where, 'a record id is malformed');
  const sealed = parseSealed(value, where, `record ${id}`, MAX_RECORD_CIPHERTEXT_CHARS);
  return { id, iv: sealed.iv, ciphertext: sealed.ciphertext };
}

/** Type guard form of parseVaultHeader. */
export function isVaultHeader(value: unknown): value is VaultHeader {
  try {
    parseVaultHeader(value);
    return true;
  } catch {
    return false;
  }
}

/** Type guard form of parseEncryptedRecord. */
export function isEncryptedRecord(value: unknown): value is EncryptedRecord {
  try {
    parseEncryptedRecord(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws KDF_BELOW_FLOOR when any stored cost parameter is below the floor. Called before the
 * KDF runs, so a downgraded header costs nothing and leaks nothing.
 */
export function assertKdfAtLeastFloor(kdf: KdfCost, floor: KdfCost = KDF_FLOOR): void {
  if (kdf.memoryKiB < floor.memoryKiB || kdf.iterations < floor.iterations || kdf.parallelism < floor.parallelism) {
    throw new ConnectGuardError(
      'KDF_BELOW_FLOOR',
      `The vault's key-derivation settings (Argon2id ${kdf.memoryKiB} KiB, ${kdf.iterations} iterations, parallelism ${kdf.parallelism}) ` +
        `are weaker than the minimum (${floor.memoryKiB} KiB, ${floor.iterations} iterations, parallelism ${floor.parallelism}). ` +
        'It was refused without trying the passphrase, because someone may have weakened it on purpose. Restore the vault from an export you trust.',
    );
  }
}

