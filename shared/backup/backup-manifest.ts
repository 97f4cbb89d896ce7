/**
 * The files that describe a backup folder:
 *
 * ```
 * <backup folder>/
 *   backup.json       BackupHeader: bucket, where, when, status, totals, verification
 *   manifest.ndjson   one BackupManifestEntry per line, in S3 key order (written when complete)
 *   journal.ndjson    the same entries in completion order, appended as objects land (resume)
 *   verified.ndjson   the entries whose files were re-read and matched (resumes a verification)
 *   objects/…         the objects, at the paths of `encodeKeyPath`
 * ```
 * Every entry stores its key, so a restore never depends on decoding paths.
 */
import { ConnectGuardError } from '../errors.ts';

export const BACKUP_FORMAT = 'connect-guard-backup';
export const BACKUP_VERSION = 1;
export const HEADER_FILE = 'backup.json';
export const MANIFEST_FILE = 'manifest.ndjson';
export const JOURNAL_FILE = 'journal.ndjson';
export const VERIFIED_FILE = 'verified.ndjson';
export const OBJECTS_FOLDER = 'objects';

/**
 * `in-progress` → `complete` (every object written, manifest written) → `verified` (every file
 * re-read and matched). `failed` and `cancelled` backups can be resumed.
 */
export type BackupStatus = 'in-progress' | 'complete' | 'verified' | 'failed' | 'cancelled';

/** Where the objects went: files in this folder, or a server-side copy into another bucket. */
export type BackupTarget = { readonly kind: 'folder' } | { readonly kind: 'bucket'; readonly bucket: string; readonly prefix: string };

/** In-progress multipart uploads seen when the backup started (their objects are not in it). */
export type BackupMultipartUploads =
  | { readonly supported: true; readonly count: number; readonly keys: readonly string[] }
  | { readonly supported: false; readonly reason: string };

/** `backup.json`. */
export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  readonly bucket: string;
  /** The S3 endpoint URL (no credentials). */
  readonly endpoint?: string;
  readonly prefix?: string;
  readonly target: BackupTarget;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: BackupStatus;
  readonly objects?: number;
  readonly bytes?: number;
  /** Objects downloaded (or copied server-side) by this run. */
  readonly transferred?: number;
  /** Objects hard-linked (or copied) from the previous backup because ETag and size matched. */
  readonly linked?: number;
  /** Objects found finished in the journal of an interrupted run. */
  readonly resumed?: number;
  /** Folder name of the backup unchanged objects were linked from. */
  readonly previousBackup?: string;
  readonly multipartUploads?: BackupMultipartUploads;
  readonly verification?: { readonly verifiedAt: string; readonly objects: number; readonly failures: number };
  /** Why the last run failed. */
  readonly error?: string;
}

/** One object of a backup: a line of `manifest.ndjson` / `journal.ndjson`. */
export interface BackupManifestEntry {
  readonly key: string;
  readonly size: number;
  /** S3 ETag without quotes, as the object had when it was read. */
  readonly etag?: string;
  readonly lastModified?: string;
  /** Hex SHA-256 of the bytes written (folder backups). */
  readonly sha256?: string;
  /** Hex MD5 of the bytes written (folder backups): lets a restore send Content-MD5. */
  readonly md5?: string;
  /** Relative to the backup folder, `/`-separated: `objects/…` (folder backups). */
  readonly path?: string;
  /** The key of the copy in the target bucket (bucket backups). */
  readonly copyKey?: string;
  readonly contentType?: string;
  /**
   * Server-side encryption whose ETag is not an MD5 of the bytes (AWS: SSE-KMS, DSSE-KMS,
   * SSE-C), as the server named it when the object was read. Such objects are checked by the
   * SHA-256 of what was downloaded, never by their ETag.
   */
  readonly encryption?: ObjectEncryption;
  readonly metadata?: Readonly<Record<string, string>>;
}

function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  const result: { [P in K]?: V } = {};
  if (value !== undefined) result[name] = value;
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`"${name}" must be text`);
  return value;
}

/** A single-part ETag is the MD5 of the bytes; a multipart one (`…-N`) is not. */
export function isSinglePartEtag(etag: string | undefined): etag is string {
  return etag !== undefined && /^[0-9a-f]{32}$/i.test(etag);
}

/** Encryption that makes an ETag something other than the MD5 of the bytes. */
export type ObjectEncryption = 'aws:kms' | 'aws:kms:dsse' | 'sse-c';

/**
 * The encryption an object's response headers name, when it is one whose ETag is not an MD5:
 * `x-amz-server-side-encryption: aws:kms` (or `aws:kms:dsse`), or a customer key (SSE-C).
 * SSE-S3 (`AES256`) keeps MD5 ETags.
 */
export function encryptionOf(serverSideEncryption: string | undefined, customerAlgorithm: string | undefined): ObjectEncryption | undefined {
  if (customerAlgorithm) return 'sse-c';
  if (serverSideEncryption === 'aws:kms' || serverSideEncryption === 'aws:kms:dsse') return serverSideEncryption;
  return undefined;
}

const ENCRYPTIONS: readonly ObjectEncryption[] = ['aws:kms', 'aws:kms:dsse', 'sse-c'];

function objectEncryption(text: string | undefined): ObjectEncryption | undefined {
  if (text === undefined) return undefined;
  const found = ENCRYPTIONS.find((candidate) => candidate === text);
  if (!found) throw new Error(`"encryption" must be one of ${ENCRYPTIONS.join(', ')}`);
  return found;
}

/** The MD5 an entry's ETag proves, when it proves one: single-part, and not encrypted with KMS or a customer key. */
export function etagMd5(entry: { readonly etag?: string; readonly encryption?: ObjectEncryption }): string | undefined {
  return entry.encryption === undefined && isSinglePartEtag(entry.etag) ? entry.etag.toLowerCase() : undefined;
}

export function formatManifestLine(entry: BackupManifestEntry): string {
  return JSON.stringify(entry) + '\n';
}

/**
 * Parses one manifest or journal line.
 *
 * @throws ConnectGuardError `INVALID_INPUT` naming the file and line.
 */
export function parseManifestLine(line: string, where: string): BackupManifestEntry {
  try {
    const value: unknown = JSON.parse(line);
    if (!isRecord(value)) throw new Error('not an object');
    const { key, size } = value;
    if (typeof key !== 'string' || key === '') throw new Error('"key" is missing');
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new Error('"size" must be a whole number');
    const path = optionalString(value, 'path');
    if (path !== undefined && (!path.startsWith(`${OBJECTS_FOLDER}/`) || path.split('/').some((part) => part === '..' || part === '.' || part === ''))) {
      throw new Error('"path" must stay inside the objects folder');
    }
    const metadataValue = value.metadata;
    let metadata: Record<string, string> | undefined;
    if (metadataValue !== undefined) {
      if (!isRecord(metadataValue)) throw new Error('"metadata" must be an object');
      metadata = {};
      for (const [name, text] of Object.entries(metadataValue)) {
        if (typeof text !== 'string') throw new Error('"metadata" values must be text');
        metadata[name] = text;
      }
    }
    const fields = {
      etag: optionalString(value, 'etag'),
      lastModified: optionalString(value, 'lastModified'),
      sha256: optionalString(value, 'sha256'),
      md5: optionalString(value, 'md5'),
      path,
      copyKey: optionalString(value, 'copyKey'),
      contentType: optionalString(value, 'contentType'),
      encryption: objectEncryption(optionalString(value, 'encryption')),
      metadata,
    };
    const entry: { -readonly [K in keyof BackupManifestEntry]: BackupManifestEntry[K] } = { key, size };
    for (const [name, field] of Object.entries(fields)) if (field !== undefined) Object.assign(entry, { [name]: field });
    return entry;
  } catch (error) {
    throw new ConnectGuardError('INVALID_INPUT', `${where} is not a valid backup manifest line (${error instanceof Error ? error.message : String(error)}). The backup folder may be damaged.`);
  }
}

/**
 * Parses `backup.json`.
 *
 * @throws ConnectGuardError `INVALID_INPUT` when the text is not a Connect Guard backup header.
 */
export function parseBackupHeader(json: string, where: string): BackupHeader {
  const fail = (why: string): ConnectGuardError =>
    new ConnectGuardError('INVALID_INPUT', `${where} is not a Connect Guard backup (${why}). Pass the folder "connect-guard backup" printed, e.g. ~/ConnectGuard/backups/BUCKET/TIMESTAMP.`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw fail('not JSON');
  }
  if (!isRecord(value) || value.format !== BACKUP_FORMAT) throw fail('unknown format');
  if (value.version !== BACKUP_VERSION) throw new ConnectGuardError('UNSUPPORTED_VERSION', `${where} is backup format version ${String(value.version)}; this Connect Guard reads version ${BACKUP_VERSION}. Update Connect Guard.`);
  const statuses: readonly BackupStatus[] = ['in-progress', 'complete', 'verified', 'failed', 'cancelled'];
  if (typeof value.bucket !== 'string' || typeof value.startedAt !== 'string') throw fail('bucket or start time missing');
  const status = statuses.find((candidate) => candidate === value.status);
  if (!status) throw fail('unknown status');
  const target = value.target;
  if (!isRecord(target) || (target.kind !== 'folder' && !(target.kind === 'bucket' && typeof target.bucket === 'string' && typeof target.prefix === 'string'))) throw fail('unknown target');
  const number = (name: string): number | undefined => (typeof value[name] === 'number' ? Number(value[name]) : undefined);
  const text = (name: string): string | undefined => (typeof value[name] === 'string' ? String(value[name]) : undefined);
  const uploads = value.multipartUploads;
  const verification = value.verification;
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    bucket: value.bucket,
    startedAt: value.startedAt,
    status,
    target: target.kind === 'folder' ? { kind: 'folder' } : { kind: 'bucket', bucket: String(target.bucket), prefix: String(target.prefix) },
    ...optional('endpoint', text('endpoint')),
    ...optional('prefix', text('prefix')),
    ...optional('finishedAt', text('finishedAt')),
    ...optional('objects', number('objects')),
    ...optional('bytes', number('bytes')),
    ...optional('transferred', number('transferred')),
    ...optional('linked', number('linked')),
    ...optional('resumed', number('resumed')),
    ...optional('previousBackup', text('previousBackup')),
    ...optional('error', text('error')),
    ...(isRecord(uploads) && uploads.supported === true && typeof uploads.count === 'number' && Array.isArray(uploads.keys)
      ? { multipartUploads: { supported: true, count: uploads.count, keys: uploads.keys.map(String) } }
      : isRecord(uploads) && uploads.supported === false
        ? { multipartUploads: { supported: false, reason: String(uploads.reason) } }
        : {}),
    ...(isRecord(verification) && typeof verification.verifiedAt === 'string'
      ? { verification: { verifiedAt: verification.verifiedAt, objects: Number(verification.objects), failures: Number(verification.failures) } }
      : {}),
  };
  return header;
}
