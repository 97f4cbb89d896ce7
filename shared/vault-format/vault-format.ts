/**
 * The vault's crypto format, pure and shared by the extension and Node (FORMAT.md is the
 * normative description; keep the two in step).
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
import { argon2id } from 'hash-wasm';
import type { StorageCredentials } from '../credentials.ts';
import { ConnectGuardError } from '../errors.ts';
import { base64ToBytes, bytesToBase64, bytesToHex } from './base64.ts';
import { storageIdentity } from './storage-record.ts';

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

/** AES-256-GCM output: 12-byte IV and ciphertext with its 16-byte tag, both standard base64. */
export interface SealedBytes {
  readonly iv: string;
  readonly ciphertext: string;
}

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

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A record's plaintext is a few hundred bytes; this bound stops a hostile export early. */
const MAX_RECORD_CIPHERTEXT_CHARS = 1024 * 1024;
const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
const RECORD_ID = /^[a-z0-9][a-z0-9._:-]{0,127}$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compares without an early exit, so timing says nothing about where two checks differ. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function copyKey(vaultKey: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!(vaultKey instanceof Uint8Array) || vaultKey.length !== KEY_BYTES) {
    throw new ConnectGuardError('INVALID_INPUT', `A vault key is exactly ${KEY_BYTES} bytes.`);
  }
  return Uint8Array.from(vaultKey);
}

/** HKDF-SHA256 with an empty salt; `info` separates every key the format derives. */
async function hkdf(ikm: Uint8Array<ArrayBuffer>, info: string): Promise<Uint8Array<ArrayBuffer>> {
  const base = await subtle().importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8(info) }, base, KEY_BYTES * 8);
  return new Uint8Array(bits);
}

async function aesKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return subtle().importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

async function hmac(rawKey: Uint8Array<ArrayBuffer>, message: string): Promise<Uint8Array<ArrayBuffer>> {
  const key = await subtle().importKey('raw', rawKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', key, utf8(message)));
}

async function seal(key: CryptoKey, plaintext: Uint8Array<ArrayBuffer>, aad: string): Promise<SealedBytes> {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: utf8(aad), tagLength: 128 }, key, plaintext);
  return { iv: bytesToBase64(iv), ciphertext: bytesToBase64(new Uint8Array(ciphertext)) };
}

/** Returns the plaintext, or `undefined` when the tag does not verify (wrong key or altered data). */
async function open(key: CryptoKey, sealed: SealedBytes, aad: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const iv = base64ToBytes(sealed.iv);
  const ciphertext = base64ToBytes(sealed.ciphertext);
  if (iv === undefined || ciphertext === undefined) return undefined;
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv, additionalData: utf8(aad), tagLength: 128 }, key, ciphertext));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Validation of untrusted JSON (IndexedDB content, export files)

type Where = 'vault' | 'export';

function damaged(where: Where, detail: string): ConnectGuardError {
  const fix =
    where === 'vault'
      ? 'The vault data in this browser is damaged. Import your latest vault export to restore it.'
      : 'The export file is damaged or was altered. Nothing was imported; use an untouched copy of the file.';
  return new ConnectGuardError('VAULT_CORRUPT', `${fix} (${detail})`);
}

function isBase64Of(value: unknown, minBytes: number, maxBytes: number): value is string {
  if (typeof value !== 'string' || value.length > Math.ceil(maxBytes / 3) * 4) return false;
  const bytes = base64ToBytes(value);
  return bytes !== undefined && bytes.length >= minBytes && bytes.length <= maxBytes;
}

function isSafeCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function parseSealed(value: unknown, where: Where, field: string, maxCipherChars: number): SealedBytes {
  if (!isRecordObject(value)) throw damaged(where, `${field} is missing`);
  const { iv, ciphertext } = value;
  if (!isBase64Of(iv, IV_BYTES, IV_BYTES)) throw damaged(where, `${field}.iv is not base64 of ${IV_BYTES} bytes`);
  if (typeof ciphertext !== 'string' || ciphertext.length > maxCipherChars || !isBase64Of(ciphertext, TAG_BYTES, maxCipherChars)) {
    throw damaged(where, `${field}.ciphertext is not valid base64 ciphertext`);
  }
  return { iv, ciphertext };
}

function checkVersion(value: Record<string, unknown>, expectedFormat: string, what: string, where: Where): void {
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

// ---------------------------------------------------------------------------------------------
// Header: passphrase → vault key

/**
 * The associated data of the key wrap: every header field except the wrapped key, in a fixed
 * order, so changing any of them makes the unwrap fail.
 */
export function headerAssociatedData(header: Omit<VaultHeader, 'wrappedKey'>): string {
  const { kdf } = header;
  return `connect-guard-vault-header:v1:${JSON.stringify([
    header.format,
    header.version,
    kdf.algorithm,
    kdf.memoryKiB,
    kdf.iterations,
    kdf.parallelism,
    kdf.salt,
    kdf.hashLength,
    header.passphraseCheck,
    header.keyCheck,
    header.createdAt,
  ])}`;
}

interface PassphraseSecrets {
  readonly kek: CryptoKey;
  readonly passphraseCheck: Uint8Array<ArrayBuffer>;
}

async function derivePassphraseSecrets(passphrase: string, kdf: KdfParams): Promise<PassphraseSecrets> {
  const salt = base64ToBytes(kdf.salt);
  if (salt === undefined) throw damaged('vault', 'kdf.salt is not base64');
  // NFC, so a passphrase typed with composed or decomposed accents (macOS vs. others) is the same.
  const master = await argon2id({
    password: utf8(passphrase.normalize('NFC')),
    salt,
    memorySize: kdf.memoryKiB,
    iterations: kdf.iterations,
    parallelism: kdf.parallelism,
    hashLength: kdf.hashLength,
    outputType: 'binary',
  });
  const masterBytes = Uint8Array.from(master);
  const [kekBytes, passphraseCheck] = await Promise.all([
    hkdf(masterBytes, 'connect-guard/v1/kek'),
    hkdf(masterBytes, 'connect-guard/v1/passphrase-check'),
  ]);
  const kek = await aesKey(kekBytes);
  masterBytes.fill(0);
  kekBytes.fill(0);
  return { kek, passphraseCheck };
}

function checkCost(kdf: KdfCost, options: KdfOptions): void {
  if (!isSafeCount(kdf.memoryKiB) || !isSafeCount(kdf.iterations) || !isSafeCount(kdf.parallelism)) {
    throw new ConnectGuardError('INVALID_INPUT', 'Argon2id memory, iterations and parallelism must be positive integers.');
  }
  if (kdf.memoryKiB > KDF_CEILING.memoryKiB || kdf.iterations > KDF_CEILING.iterations || kdf.parallelism > KDF_CEILING.parallelism) {
    throw new ConnectGuardError('INVALID_INPUT', 'Argon2id parameters above the ceiling would make the vault impossible to unlock in time.');
  }
  assertKdfAtLeastFloor(kdf, options.floor);
}

function checkPassphraseArgument(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new ConnectGuardError('INVALID_INPUT', 'Enter the vault passphrase.');
  }
}

async function wrapVaultKey(
  vaultKey: Uint8Array<ArrayBuffer>,
  passphrase: string,
  kdf: KdfCost,
  createdAt: string,
): Promise<VaultHeader> {
  const params: KdfParams = {
    algorithm: 'argon2id',
    memoryKiB: kdf.memoryKiB,
    iterations: kdf.iterations,
    parallelism: kdf.parallelism,
    salt: bytesToBase64(randomBytes(SALT_BYTES)),
    hashLength: KEY_BYTES,
  };
  const secrets = await derivePassphraseSecrets(passphrase, params);
  const keyCheck = await hkdf(vaultKey, 'connect-guard/v1/key-check');
  const unsealed = {
    format: VAULT_FORMAT,
    version: VAULT_FORMAT_VERSION,
    kdf: params,
    passphraseCheck: bytesToBase64(secrets.passphraseCheck),
    keyCheck: bytesToBase64(keyCheck),
    createdAt,
  } as const;
  const wrappedKey = await seal(secrets.kek, vaultKey, headerAssociatedData(unsealed));
  const { format, version, passphraseCheck } = unsealed;
  return { format, version, kdf: params, passphraseCheck, keyCheck: unsealed.keyCheck, wrappedKey, createdAt };
}

/**
 * Creates a new vault: a random 256-bit vault key wrapped under the passphrase. The caller keeps
 * `vaultKey` (raw 32 bytes) in memory while unlocked and stores `header`.
 */
export async function createVaultHeader(
  passphrase: string,
  kdf: KdfCost = DEFAULT_KDF,
  options: KdfOptions & { readonly now?: Date } = {},
): Promise<{ header: VaultHeader; vaultKey: Uint8Array<ArrayBuffer> }> {
  checkPassphraseArgument(passphrase);
  checkCost(kdf, options);
  const vaultKey = randomBytes(KEY_BYTES);
  const header = await wrapVaultKey(vaultKey, passphrase, kdf, (options.now ?? new Date()).toISOString());
  return { header, vaultKey };
}

/**
 * Turns the passphrase into the vault key. Order: validate the header → refuse a KDF below the
 * floor (before any KDF work) → Argon2id → passphrase check (WRONG_PASSPHRASE) → unwrap with
 * the header as AAD (VAULT_CORRUPT) → key check (VAULT_CORRUPT).
 */
export async function unlockVaultHeader(header: unknown, passphrase: string, options: KdfOptions & { readonly where?: Where } = {}): Promise<Uint8Array<ArrayBuffer>> {
  const where = options.where ?? 'vault';
  const parsed = parseVaultHeader(header, where);
  assertKdfAtLeastFloor(parsed.kdf, options.floor);
  checkPassphraseArgument(passphrase);
  const secrets = await derivePassphraseSecrets(passphrase, parsed.kdf);
  const storedCheck = base64ToBytes(parsed.passphraseCheck) ?? new Uint8Array(0);
  if (!equalBytes(secrets.passphraseCheck, storedCheck)) {
    throw new ConnectGuardError(
      'WRONG_PASSPHRASE',
      where === 'vault'
        ? 'The passphrase is wrong. Nothing was changed.'
        : 'The passphrase is wrong for this export file (it is the passphrase the vault had when it was exported). Nothing was changed.',
    );
  }
  const vaultKey = await open(secrets.kek, parsed.wrappedKey, headerAssociatedData(parsed));
  if (vaultKey === undefined || vaultKey.length !== KEY_BYTES) {
    throw damaged(where, 'the header was altered: the wrapped vault key does not verify');
  }
  if (!(await verifyVaultKey(parsed, vaultKey))) throw damaged(where, 'the key check does not match the vault key');
  return vaultKey;
}

/**
 * True when `vaultKey` is the key this header wraps (compares HKDF key checks; no passphrase
 * needed). Lets the background restore a key kept in session storage after a restart.
 */
export async function verifyVaultKey(header: VaultHeader, vaultKey: Uint8Array): Promise<boolean> {
  if (!(vaultKey instanceof Uint8Array) || vaultKey.length !== KEY_BYTES) return false;
  const stored = base64ToBytes(header.keyCheck);
  if (stored === undefined) return false;
  return equalBytes(await hkdf(copyKey(vaultKey), 'connect-guard/v1/key-check'), stored);
}

/**
 * Passphrase change: unwraps with `current`, wraps the same vault key under `next` with a new
 * salt. Records stay untouched. The new KDF cost is the stronger of the stored one and `kdf`
 * (default DEFAULT_KDF), so a change also raises an old vault to today's default.
 */
export async function rewrapVaultHeader(
  header: unknown,
  current: string,
  next: string,
  options: KdfOptions & { readonly kdf?: KdfCost } = {},
): Promise<{ header: VaultHeader; vaultKey: Uint8Array<ArrayBuffer> }> {
  const parsed = parseVaultHeader(header);
  const vaultKey = await unlockVaultHeader(parsed, current, options);
  checkPassphraseArgument(next);
  const wanted = options.kdf ?? DEFAULT_KDF;
  const kdf: KdfCost = {
    memoryKiB: Math.max(parsed.kdf.memoryKiB, wanted.memoryKiB),
    iterations: Math.max(parsed.kdf.iterations, wanted.iterations),
    parallelism: Math.max(parsed.kdf.parallelism, wanted.parallelism),
  };
  checkCost(kdf, options);
  return { header: await wrapVaultKey(vaultKey, next, kdf, parsed.createdAt), vaultKey };
}

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
  const plaintext = await open(await aesKey(copyKey(vaultKey)), parsed, recordAssociatedData(parsed.id));
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
