/**
 * What Connect Guard hands to a password manager: one entry per saved storage, the seven fields
 * of WeSendit's credentials view mapped the same way for every format (title = Storage name,
 * username = Access Key, password = Secret Key, URL = S3 Server Address, and three custom fields),
 * and the key-derivation cost every hand-off file is written with.
 *
 * There is deliberately no plaintext format (CSV, unencrypted JSON, 1Password's .1pux): WeSendit's
 * help lists "unencrypted text files" among the places a Secret Key must not go.
 */
import type { StorageCredentials } from '../credentials.ts';
import { KDF_FLOOR, type KdfCost } from '../vault-format/vault-format.ts';

/** The password managers Connect Guard writes an encrypted file for. */
export type HandoffFormat = 'keepass' | 'bitwarden';

export const HANDOFF_FORMATS: readonly HandoffFormat[] = ['keepass', 'bitwarden'];

/** The custom fields every entry carries, named as WeSendit's credentials view names them. */
export const HANDOFF_FIELD_NAMES = {
  bucketName: 'S3 API Bucket Name',
  permissions: 'Permissions',
  allowedIps: 'Allowed IP addresses',
} as const;

/**
 * Argon2id cost of every hand-off file: the vault's own floor (64 MiB, 3 passes, 4 lanes), so a
 * file is never cheaper to attack than the vault it came from. kdbxweb's defaults (Argon2d,
 * 1 MiB, 2 passes) and Bitwarden's importer minimums (16 MiB, 2 passes, 1 lane) are far lower.
 */
export const HANDOFF_KDF: KdfCost = Object.freeze({ ...KDF_FLOOR });

/** The parameters a written file really holds (read back from it), for the UI and the report. */
export interface HandoffKdfView {
  /** Every file Connect Guard writes uses Argon2id; a Bitwarden file from elsewhere may use PBKDF2. */
  readonly algorithm: 'Argon2id' | 'PBKDF2-SHA256';
  /** 0 for PBKDF2. */
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** The file's cipher in words: "AES-256 (KDBX 4)", "AES-256-CBC + HMAC-SHA256". */
  readonly cipher: string;
}

/** The cipher each format is written with. */
export const HANDOFF_CIPHERS: Readonly<Record<HandoffFormat, string>> = {
  keepass: 'AES-256 (KDBX 4)',
  bitwarden: 'AES-256-CBC + HMAC-SHA256',
};

/** What the UI shows before the file is written. */
export function plannedHandoffKdf(format: HandoffFormat): HandoffKdfView {
  return { algorithm: 'Argon2id', memoryKiB: HANDOFF_KDF.memoryKiB, iterations: HANDOFF_KDF.iterations, parallelism: HANDOFF_KDF.parallelism, cipher: HANDOFF_CIPHERS[format] };
}

/** "Argon2id, 64 MiB, 3 passes, parallelism 4; AES-256 (KDBX 4)". */
export function describeHandoffKdf(kdf: HandoffKdfView): string {
  if (kdf.algorithm === 'PBKDF2-SHA256') return `PBKDF2-SHA256, ${kdf.iterations} iterations; ${kdf.cipher}`;
  const memory = kdf.memoryKiB % 1024 === 0 ? `${kdf.memoryKiB / 1024} MiB` : `${kdf.memoryKiB} KiB`;
  return `${kdf.algorithm}, ${memory}, ${kdf.iterations} passes, parallelism ${kdf.parallelism}; ${kdf.cipher}`;
}

/** One storage as a password-manager entry. Every value is the vault's text, unchanged. */
export interface HandoffEntry {
  /** Storage name, or the bucket name when WeSendit showed no name. */
  readonly title: string;
  /** Access Key. */
  readonly username: string;
  /** Secret Key. */
  readonly password: string;
  /** S3 Server Address. */
  readonly url: string;
  readonly bucketName: string;
  readonly permissions: string;
  readonly allowedIps: string;
}

export function handoffEntryOf(credentials: StorageCredentials): HandoffEntry {
  return {
    title: credentials.storageName.trim() === '' ? credentials.bucketName : credentials.storageName,
    username: credentials.accessKey,
    password: credentials.secretKey,
    url: credentials.serverAddress,
    bucketName: credentials.bucketName,
    permissions: credentials.permissions,
    allowedIps: credentials.allowedIps,
  };
}

/** The entry fields in a fixed order, for comparing what was written with what was read back. */
const ENTRY_KEYS: readonly (keyof HandoffEntry)[] = ['title', 'username', 'password', 'url', 'bucketName', 'permissions', 'allowedIps'];

/** True when both lists hold the same entries in the same order, every field equal. */
export function sameHandoffEntries(a: readonly HandoffEntry[], b: readonly HandoffEntry[]): boolean {
  return a.length === b.length && a.every((entry, index) => ENTRY_KEYS.every((key) => entry[key] === b[index]?.[key]));
}

const EXTENSIONS: Readonly<Record<HandoffFormat, string>> = { keepass: 'kdbx', bitwarden: 'json' };

/**
 * `connect-guard-keepass-nas-backup-2026-03-01.kdbx`: the storage's name when there is one entry,
 * `storages` for several; only letters, digits and dashes so every file system takes it.
 */
export function handoffFileName(format: HandoffFormat, entries: readonly HandoffEntry[], now: Date): string {
  const only = entries.length === 1 ? entries[0] : undefined;
  const slug =
    (only?.title ?? 'storages')
      .normalize('NFKD')
      // Drop the combining marks NFKD split off: "Büro" → "Buro".
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'storage';
  const stamp = now.toISOString().slice(0, 10);
  const kind = format === 'keepass' ? 'keepass' : 'bitwarden-encrypted';
  return `connect-guard-${kind}-${slug}-${stamp}.${EXTENSIONS[format]}`;
}
