/**
 * The Bitwarden hand-off: a password-protected encrypted JSON export in Bitwarden's own format,
 * the file "Tools → Import data → Bitwarden (json)" takes (asking for the file's password).
 *
 * Outer document (Bitwarden clients' BaseVaultExportService.buildPasswordExport and the SDK's
 * encrypted_json.rs): `encrypted: true, passwordProtected: true, salt` (base64 of 16 random
 * bytes), `kdfType`, `kdfIterations`, `kdfMemory` (MiB) and `kdfParallelism` for Argon2id,
 * `encKeyValidation_DO_NOT_EDIT` (a random UUID, encrypted: the importer's password check) and
 * `data`: the plain export JSON (`encrypted: false, folders, items`), encrypted. Crypto in
 * bitwarden-crypto.ts.
 *
 * Each storage is a login item (type 1): name = Storage name, login.username = Access Key,
 * login.password = Secret Key, login.uris[0] = S3 Server Address, and three text fields.
 */
import { ConnectGuardError } from '../errors.ts';
import { bytesToBase64 } from '../vault-format/base64.ts';
import { decoder, isRecordObject, randomBytes } from '../vault-format/vault-crypto.ts';
import {
  decryptEncStringParts,
  deriveBitwardenExportKey,
  encryptBitwardenString,
  parseEncString,
  type BitwardenKdf,
  type BitwardenKeyPair,
} from './bitwarden-crypto.ts';
import { HANDOFF_CIPHERS, HANDOFF_FIELD_NAMES, HANDOFF_KDF, type HandoffEntry, type HandoffKdfView } from './handoff-entry.ts';

/**
 * What Bitwarden's importer accepts for an Argon2id file (bitwarden/clients,
 * libs/importer/src/importers/bitwarden/password-protected-kdf-config.ts, with the upper bounds
 * of libs/key-management/src/models/kdf-config.ts): iterations 2–10, memory 16–1024 MiB,
 * parallelism 1–16; PBKDF2 5,000–2,000,000 iterations. Outside these it refuses the file.
 */
export const BITWARDEN_IMPORT_BOUNDS = {
  argon2id: { iterations: { min: 2, max: 10 }, memoryMiB: { min: 16, max: 1024 }, parallelism: { min: 1, max: 16 } },
  pbkdf2: { iterations: { min: 5_000, max: 2_000_000 } },
} as const;

/** Argon2id at the hand-off cost (the vault's floor: 64 MiB, 3 passes, 4 lanes), in Bitwarden's units. */
export const BITWARDEN_HANDOFF_KDF: BitwardenKdf = Object.freeze({
  kdfType: 1,
  iterations: HANDOFF_KDF.iterations,
  memoryMiB: HANDOFF_KDF.memoryKiB / 1024,
  parallelism: HANDOFF_KDF.parallelism,
});

const within = (value: number, range: { readonly min: number; readonly max: number }): boolean => Number.isInteger(value) && value >= range.min && value <= range.max;

/** True when Bitwarden's importer would accept these KDF parameters. */
export function bitwardenAcceptsKdf(kdf: BitwardenKdf): boolean {
  if (kdf.kdfType === 0) return within(kdf.iterations, BITWARDEN_IMPORT_BOUNDS.pbkdf2.iterations);
  const bounds = BITWARDEN_IMPORT_BOUNDS.argon2id;
  return within(kdf.iterations, bounds.iterations) && within(kdf.memoryMiB, bounds.memoryMiB) && within(kdf.parallelism, bounds.parallelism);
}

/** The plain export (`data` before encryption). */
interface PlainExport {
  readonly encrypted: false;
  readonly folders: readonly never[];
  readonly items: readonly PlainItem[];
}

interface PlainField {
  readonly name: string;
  readonly value: string;
  /** 0 text, 1 hidden. */
  readonly type: 0 | 1;
  readonly linkedId: null;
}

interface PlainItem {
  readonly id: string;
  readonly folderId: null;
  readonly organizationId: null;
  readonly collectionIds: null;
  readonly name: string;
  readonly notes: string;
  /** 1 = login. */
  readonly type: 1;
  readonly login: {
    readonly username: string;
    readonly password: string;
    readonly uris: readonly { readonly uri: string; readonly match: null }[];
    readonly totp: null;
    readonly fido2Credentials: readonly never[];
  };
  readonly favorite: false;
  readonly reprompt: 0;
  readonly fields: readonly PlainField[];
  readonly passwordHistory: null;
  readonly revisionDate: string;
  readonly creationDate: string;
  readonly deletedDate: null;
}

function plainItem(entry: HandoffEntry, now: string): PlainItem {
  return {
    id: globalThis.crypto.randomUUID(),
    folderId: null,
    organizationId: null,
    collectionIds: null,
    name: entry.title,
    notes: 'S3 access to a WeSendit storage, handed over by Connect Guard. The Secret Key is the password.',
    type: 1,
    login: { username: entry.username, password: entry.password, uris: [{ uri: entry.url, match: null }], totp: null, fido2Credentials: [] },
    favorite: false,
    reprompt: 0,
    fields: [
      { name: HANDOFF_FIELD_NAMES.bucketName, value: entry.bucketName, type: 0, linkedId: null },
      { name: HANDOFF_FIELD_NAMES.permissions, value: entry.permissions, type: 0, linkedId: null },
      { name: HANDOFF_FIELD_NAMES.allowedIps, value: entry.allowedIps, type: 0, linkedId: null },
    ],
    passwordHistory: null,
    revisionDate: now,
    creationDate: now,
    deletedDate: null,
  };
}

export interface WriteBitwardenOptions {
  /** BITWARDEN_HANDOFF_KDF unless a test lowers it. */
  readonly kdf?: BitwardenKdf;
  readonly now?: Date;
}

/** Writes the password-protected export of `entries` (pretty JSON, as Bitwarden writes it). */
export async function writeBitwardenFile(entries: readonly HandoffEntry[], password: string, options: WriteBitwardenOptions = {}): Promise<string> {
  if (typeof password !== 'string' || password.trim() === '') throw new ConnectGuardError('INVALID_INPUT', 'Enter the passphrase for the Bitwarden file.');
  const kdf = options.kdf ?? BITWARDEN_HANDOFF_KDF;
  if (!bitwardenAcceptsKdf(kdf)) throw new ConnectGuardError('INVALID_INPUT', 'These KDF parameters are outside what Bitwarden imports.');
  const now = (options.now ?? new Date()).toISOString();
  const plain: PlainExport = { encrypted: false, folders: [], items: entries.map((entry) => plainItem(entry, now)) };
  const salt = bytesToBase64(randomBytes(16));
  const key = await deriveBitwardenExportKey(password, salt, kdf);
  const document = {
    encrypted: true,
    passwordProtected: true,
    salt,
    kdfType: kdf.kdfType,
    kdfIterations: kdf.iterations,
    ...(kdf.kdfType === 1 ? { kdfMemory: kdf.memoryMiB, kdfParallelism: kdf.parallelism } : {}),
    encKeyValidation_DO_NOT_EDIT: await encryptBitwardenString(globalThis.crypto.randomUUID(), key),
    data: await encryptBitwardenString(JSON.stringify(plain, null, 2), key),
  };
  return JSON.stringify(document, null, 2);
}

export interface BitwardenFileContents {
  readonly entries: HandoffEntry[];
  readonly kdf: HandoffKdfView;
}

const corrupt = (why: string): ConnectGuardError => new ConnectGuardError('VAULT_CORRUPT', `This is not a readable Bitwarden password-protected export: ${why}.`);

function readKdf(doc: Record<string, unknown>): BitwardenKdf {
  const { kdfType, kdfIterations, kdfMemory, kdfParallelism } = doc;
  if (typeof kdfIterations !== 'number') throw corrupt('kdfIterations is missing');
  let kdf: BitwardenKdf;
  if (kdfType === 0) kdf = { kdfType: 0, iterations: kdfIterations };
  else if (kdfType === 1 && typeof kdfMemory === 'number' && typeof kdfParallelism === 'number') kdf = { kdfType: 1, iterations: kdfIterations, memoryMiB: kdfMemory, parallelism: kdfParallelism };
  else throw corrupt('kdfType is not 0 (PBKDF2) or 1 (Argon2id with memory and parallelism)');
  // As Bitwarden's importer: the parameters are the file's, so bounded before anything runs.
  if (!bitwardenAcceptsKdf(kdf)) throw corrupt('its KDF parameters are outside what Bitwarden accepts');
  return kdf;
}

async function decryptText(value: unknown, key: BitwardenKeyPair, field: string): Promise<string | undefined> {
  const parts = parseEncString(value);
  if (parts === undefined) throw corrupt(`${field} is not a type-2 EncString`);
  const bytes = await decryptEncStringParts(parts, key);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function entryOf(item: unknown): HandoffEntry {
  if (!isRecordObject(item) || !isRecordObject(item.login)) throw corrupt('an item is not a login');
  const fields = Array.isArray(item.fields) ? item.fields.filter(isRecordObject) : [];
  const field = (name: string): string => str(fields.find((candidate) => candidate.name === name)?.value);
  const uris = Array.isArray(item.login.uris) ? item.login.uris.filter(isRecordObject) : [];
  return {
    title: str(item.name),
    username: str(item.login.username),
    password: str(item.login.password),
    url: str(uris[0]?.uri),
    bucketName: field(HANDOFF_FIELD_NAMES.bucketName),
    permissions: field(HANDOFF_FIELD_NAMES.permissions),
    allowedIps: field(HANDOFF_FIELD_NAMES.allowedIps),
  };
}

/**
 * Opens a password-protected export the way Bitwarden's importer does: KDF bounds, then the key
 * check (`encKeyValidation_DO_NOT_EDIT`: WRONG_PASSPHRASE when it does not decrypt), then `data`.
 */
export async function readBitwardenFile(text: string, password: string): Promise<BitwardenFileContents> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw corrupt('not JSON');
  }
  if (!isRecordObject(doc) || doc.encrypted !== true || doc.passwordProtected !== true || typeof doc.salt !== 'string' || doc.salt === '') {
    throw corrupt('not marked encrypted and password-protected, or no salt');
  }
  const kdf = readKdf(doc);
  const key = await deriveBitwardenExportKey(password, doc.salt, kdf);
  if ((await decryptText(doc.encKeyValidation_DO_NOT_EDIT, key, 'encKeyValidation_DO_NOT_EDIT')) === undefined) {
    throw new ConnectGuardError('WRONG_PASSPHRASE', 'This passphrase does not open the Bitwarden file.');
  }
  const data = await decryptText(doc.data, key, 'data');
  if (data === undefined) throw corrupt('data does not decrypt with the key that opened the key check');
  let plain: unknown;
  try {
    plain = JSON.parse(data);
  } catch {
    throw corrupt('data is not JSON');
  }
  if (!isRecordObject(plain) || plain.encrypted !== false || !Array.isArray(plain.items)) throw corrupt('data is not a plain export');
  const view: HandoffKdfView =
    kdf.kdfType === 1
      ? { algorithm: 'Argon2id', memoryKiB: kdf.memoryMiB * 1024, iterations: kdf.iterations, parallelism: kdf.parallelism, cipher: HANDOFF_CIPHERS.bitwarden }
      : { algorithm: 'PBKDF2-SHA256', memoryKiB: 0, iterations: kdf.iterations, parallelism: 1, cipher: HANDOFF_CIPHERS.bitwarden };
  return { entries: plain.items.map(entryOf), kdf: view };
}
