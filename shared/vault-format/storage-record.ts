/**
 * The plaintext of a storage record in the vault: WeSendit's seven credential fields plus the
 * history a careful vault keeps. Pure functions; records are immutable (every change returns a
 * new object).
 */
import { CREDENTIAL_FIELDS, type StorageCredentials, type StorageSummary } from '../credentials.ts';
import { ConnectGuardError } from '../errors.ts';

/** A key pair that a later save or import replaced; kept so no secret is ever silently dropped. */
export interface PreviousKeyPair {
  readonly accessKey: string;
  readonly secretKey: string;
  /** ISO 8601 time the pair stopped being the current one. */
  readonly replacedAt: string;
}

/** Decrypted content of one storage record (format: FORMAT.md, "Storage record"). */
export interface StorageRecordValue {
  readonly kind: 'storage';
  readonly credentials: StorageCredentials;
  /** ISO 8601 time of the first save. */
  readonly createdAt: string;
  /** ISO 8601 time of the latest save that changed anything. */
  readonly updatedAt: string;
  /** Oldest first. */
  readonly previousKeys: readonly PreviousKeyPair[];
}

/** Longest value accepted in one credential field; WeSendit's values are far shorter. */
export const MAX_CREDENTIAL_FIELD_LENGTH = 4096;

// Only the key pair is required: a credentials view that lacks another field (WeSendit's markup
// changes) must still be savable, or the gate would hold the user with a Secret Key unsaved.
const REQUIRED_FIELDS: ReadonlyMap<keyof StorageCredentials, string> = new Map([
  ['accessKey', 'Access Key'],
  ['secretKey', 'Secret Key'],
]);

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** True for an ISO 8601 UTC time as `Date.prototype.toISOString` writes it. */
export function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * Checks credentials that arrive from a page or a message: every field a string of sane length,
 * and the Access Key and Secret Key present. Returns a fresh object holding
 * exactly the seven fields (extra properties are dropped, nothing is trimmed).
 */
export function parseStorageCredentials(value: unknown): StorageCredentials {
  if (!isRecordObject(value)) {
    throw new ConnectGuardError('INVALID_INPUT', 'Storage credentials must be an object with the seven credential fields.');
  }
  const fields = new Map<keyof StorageCredentials, string>();
  for (const field of CREDENTIAL_FIELDS) {
    const fieldValue = value[field] ?? '';
    if (typeof fieldValue !== 'string') {
      throw new ConnectGuardError('INVALID_INPUT', `The credential field "${field}" must be text.`);
    }
    if (fieldValue.length > MAX_CREDENTIAL_FIELD_LENGTH) {
      throw new ConnectGuardError('INVALID_INPUT', `The credential field "${field}" is longer than ${MAX_CREDENTIAL_FIELD_LENGTH} characters; this is not a WeSendit value.`);
    }
    fields.set(field, fieldValue);
  }
  const missing = [...REQUIRED_FIELDS].filter(([field]) => (fields.get(field) ?? '').trim() === '').map(([, label]) => label);
  if (missing.length > 0) {
    throw new ConnectGuardError(
      'MISSING_CREDENTIALS',
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} empty. Copy ${missing.length === 1 ? 'it' : 'them'} from WeSendit's credentials view before saving.`,
    );
  }
  const get = (field: keyof StorageCredentials): string => fields.get(field) ?? '';
  return {
    storageName: get('storageName'),
    permissions: get('permissions'),
    allowedIps: get('allowedIps'),
    serverAddress: get('serverAddress'),
    bucketName: get('bucketName'),
    accessKey: get('accessKey'),
    secretKey: get('secretKey'),
  };
}

/**
 * Normalises an S3 server address for identity: trimmed, lower case, without scheme, default
 * port or trailing slashes. `https://S3.WeSendit.com/` and `s3.wesendit.com` are one server.
 */
export function normaliseServerAddress(address: string): string {
  let text = address.trim().toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(text)?.[1];
  if (scheme !== undefined) text = text.slice(scheme.length + 3);
  const slash = text.indexOf('/');
  let host = slash === -1 ? text : text.slice(0, slash);
  const path = slash === -1 ? '' : text.slice(slash).replace(/\/+$/, '');
  if ((scheme === undefined || scheme === 'https') && host.endsWith(':443')) host = host.slice(0, -4);
  if (scheme === 'http' && host.endsWith(':80')) host = host.slice(0, -3);
  return host + path;
}

/**
 * The identity of a storage: normalised server address + "\n" + bucket name (trimmed). Two saves
 * with the same identity are the same storage, so the second updates the first record. A view
 * without a bucket name is identified by its Access Key instead (`access-key:` cannot start a
 * bucket name, so the two kinds never collide).
 */
export function storageIdentity(credentials: Pick<StorageCredentials, 'serverAddress' | 'bucketName' | 'accessKey'>): string {
  const bucket = credentials.bucketName.trim();
  const name = bucket !== '' ? bucket : `access-key:${credentials.accessKey.trim()}`;
  return `${normaliseServerAddress(credentials.serverAddress)}\n${name}`;
}

function isPreviousKeyPair(value: unknown): value is PreviousKeyPair {
  return (
    isRecordObject(value) &&
    typeof value.accessKey === 'string' &&
    typeof value.secretKey === 'string' &&
    isIsoTime(value.replacedAt)
  );
}

/** Guard for a decrypted record's plaintext (it is still untrusted shape until checked). */
export function isStorageRecordValue(value: unknown): value is StorageRecordValue {
  if (!isRecordObject(value) || value.kind !== 'storage') return false;
  if (!isIsoTime(value.createdAt) || !isIsoTime(value.updatedAt)) return false;
  if (!Array.isArray(value.previousKeys) || !value.previousKeys.every(isPreviousKeyPair)) return false;
  try {
    parseStorageCredentials(value.credentials);
  } catch {
    return false;
  }
  return true;
}

/** A new record for credentials saved for the first time. */
export function newStorageRecord(credentials: StorageCredentials, now: string): StorageRecordValue {
  return { kind: 'storage', credentials: { ...credentials }, createdAt: now, updatedAt: now, previousKeys: [] };
}

function samePair(a: { accessKey: string; secretKey: string }, b: { accessKey: string; secretKey: string }): boolean {
  return a.accessKey === b.accessKey && a.secretKey === b.secretKey;
}

function addPreviousPairs(
  current: Pick<StorageCredentials, 'accessKey' | 'secretKey'>,
  lists: readonly (readonly PreviousKeyPair[])[],
): PreviousKeyPair[] {
  const out: PreviousKeyPair[] = [];
  for (const pair of lists.flat()) {
    if (samePair(pair, current) || out.some((kept) => samePair(kept, pair))) continue;
    out.push({ accessKey: pair.accessKey, secretKey: pair.secretKey, replacedAt: pair.replacedAt });
  }
  return out.sort((a, b) => a.replacedAt.localeCompare(b.replacedAt));
}

/**
 * The record after saving `credentials` again for the same storage: the new fields win; a key
 * pair that differs from the stored one moves to `previousKeys`. Returns `existing` itself when
 * nothing changed, so a caller can skip the write.
 */
export function updateStorageRecord(existing: StorageRecordValue, credentials: StorageCredentials, now: string): StorageRecordValue {
  if (storageRecordsEqual(existing.credentials, credentials)) return existing;
  const replaced = samePair(existing.credentials, credentials)
    ? []
    : [{ accessKey: existing.credentials.accessKey, secretKey: existing.credentials.secretKey, replacedAt: now }];
  return {
    kind: 'storage',
    credentials: { ...credentials },
    createdAt: existing.createdAt,
    updatedAt: now,
    previousKeys: addPreviousPairs(credentials, [existing.previousKeys, replaced]),
  };
}

/**
 * Merges a record from an import into the local one for the same storage: the newer `updatedAt`
 * wins (the local record on a tie); the other side's key pair, if different, and both histories
 * are kept in `previousKeys`. Returns `local` itself when the merge changes nothing.
 */
export function mergeStorageRecords(local: StorageRecordValue, incoming: StorageRecordValue, now: string): StorageRecordValue {
  const incomingWins = incoming.updatedAt > local.updatedAt;
  const winner = incomingWins ? incoming : local;
  const loser = incomingWins ? local : incoming;
  const loserPair = samePair(loser.credentials, winner.credentials)
    ? []
    : [{ accessKey: loser.credentials.accessKey, secretKey: loser.credentials.secretKey, replacedAt: now }];
  const previousKeys = addPreviousPairs(winner.credentials, [local.previousKeys, incoming.previousKeys, loserPair]);
  const merged: StorageRecordValue = {
    kind: 'storage',
    credentials: { ...winner.credentials },
    createdAt: local.createdAt < incoming.createdAt ? local.createdAt : incoming.createdAt,
    updatedAt: winner.updatedAt,
    previousKeys,
  };
  return storageRecordsEqual(merged, local) ? local : merged;
}

/** What the popup may show about a storage: everything but the secrets. */
export function toStorageSummary(id: string, value: StorageRecordValue): StorageSummary {
  const { credentials } = value;
  return {
    id,
    storageName: credentials.storageName,
    permissions: credentials.permissions,
    allowedIps: credentials.allowedIps,
    serverAddress: credentials.serverAddress,
    bucketName: credentials.bucketName,
    accessKey: credentials.accessKey,
    createdAt: value.createdAt,
    updatedAt: value.updatedAt,
  };
}

/** Structural equality of JSON-like values (objects compared by keys, arrays by order). */
export function storageRecordsEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => storageRecordsEqual(item, b[i]));
  }
  if (!isRecordObject(a) || !isRecordObject(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && storageRecordsEqual(a[key], b[key]));
}
