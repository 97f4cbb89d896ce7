/**
 * The one contract between the extension background and the companion's native-messaging host
 * (`connect-guard host`), spoken over Chrome native messaging.
 *
 * Extension → host:
 * - a request `{ id, type, data, timeoutMs }` (see {@link CompanionRequests} for every type);
 * - `{ id, type: 'cancel' }` to cancel the running request with that id.
 *
 * Host → extension, per request: zero or more `{ id, event: 'progress', data }` and
 * `{ id, event: 'chunk', seq, data }` (seq 0, 1, 2 … in order), then exactly one final
 * `{ id, ok, chunks }` (chunks = how many chunk events preceded it) or `{ id, error }`. A frame
 * the host cannot attribute to a request (unreadable, no id) gets `{ id: null, error }`.
 *
 * Both sides validate everything they receive with the guards below: the other side is another
 * process. Host → extension frames stay well under Chromium's 1 MB limit (large results arrive
 * as chunks of at most {@link MAX_CHUNK_BYTES}); the host refuses request frames over
 * {@link MAX_REQUEST_BYTES} with an error reply.
 *
 * Credentials (a {@link BucketConnection}) travel inside a request's `data` only: the host holds
 * them in memory for that one request and never logs or writes them.
 */
import type { ConnectGuardErrorCode, ErrorData } from '../errors.ts';
import type { InventoryEntry } from '../inventory.ts';
import { DIFF_CLASSES, type ConflictOutcome, type DiffClass, type DiffRow, type PolicyOutcome } from '../diff/diff-inventories.ts';
import type { ClassTotals, DiffTotals, RiskTotals } from '../diff/summarize-diff.ts';
import type { BackupResultView, MultipartUploadsView, TransferProgressView } from './extension-protocol.ts';

/** The native-messaging host name registered with the browser (Chromium's rules: lowercase letters, digits, dots, underscores). */
export const COMPANION_HOST_NAME = 'com.connect_guard.companion';

/**
 * Raised when the message shapes change incompatibly; `ping` reports it so the extension can say
 * "update the companion". 2: open uploads (`inventory.upload` `done`) and folder sources.
 * 3: `bucket.probe`, `backup.run`, `restore.plan` and `restore.apply`.
 * 5: `inventory.upload` takes the tab's listing as packed `lines` (shared/inventory-lines.ts).
 */
export const COMPANION_PROTOCOL_VERSION = 5;

/** Chromium refuses (and closes the port on) host → extension messages over 1 MB. */
export const CHROMIUM_MAX_HOST_MESSAGE_BYTES = 1024 * 1024;

/** Serialized UTF-8 JSON bytes of one chunk's `data`: a quarter of Chromium's limit leaves room for the envelope. */
export const MAX_CHUNK_BYTES = 256 * 1024;

/** Any single host → extension frame the host writes (final replies included) stays under this. */
export const MAX_HOST_MESSAGE_BYTES = 768 * 1024;

/** Chromium allows 64 MiB extension → host; the host refuses frames over this sane bound. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** Bounds of a request's `timeoutMs`: one millisecond to six hours (a million-object listing). */
export const MIN_TIMEOUT_MS = 1;
export const MAX_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/** Longest accepted request id (ids are chosen by the extension, e.g. a counter or a UUID). */
export const MAX_ID_LENGTH = 128;

/** Where and as whom to reach a bucket. Lives in memory for one request only; never logged or written. */
export interface BucketConnection {
  /** The S3 Server Address as the user wrote it (`s3.example.com`, `https://…`). */
  readonly endpoint: string;
  /** Signing region when the endpoint does not name one. */
  readonly region?: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** `ping`'s answer: who is serving. */
export interface PingResult {
  /** The companion's package version. */
  readonly version: string;
  /** {@link COMPANION_PROTOCOL_VERSION} of the host. */
  readonly protocolVersion: number;
  readonly pid: number;
}

/** `doctor`'s request: the connection to check, and WeSendit's "Allowed IP addresses" to name when access is denied. */
export interface DoctorData {
  readonly connection: BucketConnection;
  readonly allowedIps?: string;
}

/** The outcome of one doctor check, in plain words with the fix. */
export interface DoctorCheck {
  /** e.g. "endpoint", "server reachable", "clock", "access key", "secret key", "bucket", "read permission". */
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'warn' | 'skip';
  /** Set on a failed check: the same codes the CLI's doctor and every error reply use. */
  readonly code?: ConnectGuardErrorCode;
  readonly message: string;
}

/** `doctor`'s answer: every check in order; `ok` when none failed. */
export interface DoctorReport {
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
}

/**
 * A batch of WeSendit entries staged in the host's memory under `uploadId`, for a
 * `diff.preview` over the same `connectNative` port (each request frame is at most
 * {@link MAX_REQUEST_BYTES}, so a large listing arrives in several batches). Batches may come in
 * any key order; the host sorts them. Staged entries are dropped when the port closes.
 *
 * An upload whose first batch says `done: false` is *open*: a `diff.preview` over it may start
 * at once and lists the bucket while the batches still arrive; it merges when a batch says
 * `done: true` (the seal; it may carry no entries). An upload that never says `done` is complete
 * when the preview starts.
 */
export interface InventoryUploadData {
  readonly uploadId: string;
  /** The entries as objects; or, for large listings, {@link lines}. Exactly one of the two. */
  readonly entries?: readonly InventoryEntry[];
  /** The entries packed one per line (shared/inventory-lines.ts); each line is checked by the companion. */
  readonly lines?: string;
  /** `false`: more batches follow (the upload stays open); `true`: this is the last one. */
  readonly done?: boolean;
}

export interface InventoryUploadResult {
  /** Entries staged under this upload id so far. */
  readonly staged: number;
}

/** Where the WeSendit side of a preview comes from. */
export type WesenditSource =
  /** Entries staged with `inventory.upload` under this id (the content feature's file-browser listing); the preview consumes them. */
  | { readonly kind: 'upload'; readonly uploadId: string }
  /** Entries sent inline (small listings). */
  | { readonly kind: 'inline'; readonly entries: readonly InventoryEntry[] }
  /** A manifest file (CSV or NDJSON) the user picked, read by the companion. */
  | { readonly kind: 'manifest'; readonly path: string }
  /** A local folder (absolute path), listed and hashed by the companion. */
  | { readonly kind: 'folder'; readonly path: string };

export interface DiffPreviewData {
  readonly connection: BucketConnection;
  /** Only bucket keys under this prefix. */
  readonly prefix?: string;
  readonly wesendit: WesenditSource;
  /** Stream every row as chunks (default true); false sends the totals only. */
  readonly includeRows?: boolean;
}

/**
 * Progress of a streamed request: the bucket listing, then the diff. Phase 'rows' comes once,
 * when the merge is done: it carries the totals, and the rows follow as chunks.
 */
export interface PreviewProgress {
  readonly phase: 'listing' | 'diffing' | 'rows';
  /** Bucket objects listed so far. */
  readonly objects: number;
  /** Bytes of those objects. */
  readonly bytes: number;
  /** Objects per second since the start. */
  readonly rate: number;
  readonly elapsedMs: number;
  /** Phase 'rows' only: the totals of the whole diff. */
  readonly totals?: DiffTotals;
  /** Phase 'rows' only: rows that will follow as chunks (0 when `includeRows` was false). */
  readonly rows?: number;
  /** Phase 'rows' only. */
  readonly bucketObjects?: number;
  /** Phase 'rows' only. */
  readonly wesenditObjects?: number;
}

/** The final answer of `diff.preview`; the rows came before it as chunks. */
export interface DiffPreviewSummary {
  readonly totals: DiffTotals;
  /** Rows streamed as chunks (0 when `includeRows` was false). */
  readonly rows: number;
  readonly bucketObjects: number;
  readonly wesenditObjects: number;
  readonly elapsedMs: number;
}

/** `bucket.probe`'s request: the bucket to look at. */
export interface BucketProbeData {
  readonly connection: BucketConnection;
}

/**
 * `bucket.probe`'s answer: is the bucket empty (a Fresh Start needs no backup), and are uploads
 * in progress (the seed's "no active uploads or transfers").
 */
export interface BucketProbeResult {
  /** Keys on the first listing page (at most 1,000). */
  readonly objects: number;
  /** More keys follow that page. `objects: 0` and `hasMore: false`: the bucket is empty. */
  readonly hasMore: boolean;
  readonly multipartUploads: MultipartUploadsView;
}

/**
 * `backup.run`'s request: an incremental, verified backup of the bucket to this machine, resumed
 * when an unfinished backup of it exists.
 */
export interface BackupRunData {
  readonly connection: BucketConnection;
  /**
   * Folder holding `<bucket>/<UTC timestamp>/` backups (absolute). Default: the environment's
   * `CONNECT_GUARD_BACKUP_ROOT`, else `~/ConnectGuard/backups`.
   */
  readonly root?: string;
  /** This exact backup folder (absolute) instead of a new timestamped one under the root. */
  readonly folder?: string;
}

/** `restore.plan`'s and `restore.apply`'s request. */
export interface RestoreData {
  readonly connection: BucketConnection;
  /** The backup folder; default: the newest verified (or complete) backup of the bucket under the root. */
  readonly folder?: string;
  /** As in {@link BackupRunData.root}. */
  readonly root?: string;
  /** Also overwrite objects changed since the backup (otherwise they are kept and named). */
  readonly force?: boolean;
}

/** One object a restore would put back: deleted since the backup, or changed since it. */
export interface RestoreRowView {
  readonly key: string;
  readonly change: 'deleted' | 'changed';
  /** Bytes of the backed-up copy. */
  readonly size: number;
}

/** `restore.plan`'s final answer; the rows came before it as chunks. */
export interface RestorePlanSummary {
  /** The backup folder the plan compares against. */
  readonly folder: string;
  readonly bucket: string;
  readonly deleted: number;
  readonly changed: number;
  /** Bytes the restore would write. */
  readonly bytes: number;
  /** Changed objects that stay as they are (no `force`). */
  readonly kept: number;
}

/** `restore.apply`'s final answer, after the restored objects were read back and compared. */
export interface RestoreApplyResult {
  readonly folder: string;
  /** Deleted objects put back. */
  readonly restored: number;
  /** Changed objects overwritten with the backed-up copy (`force`). */
  readonly overwritten: number;
  /** Changed objects left as they are. */
  readonly kept: number;
  readonly bytes: number;
  readonly verified: boolean;
  readonly elapsedMs: number;
}

/** A streamed result: `progress` events, `chunk` events whose data are arrays of rows, a `final` value. */
export interface Streamed<P, C, R> {
  readonly progress: P;
  readonly chunk: C;
  readonly final: R;
}

/**
 * Every request the host understands: type → `(data) => result`. A {@link Streamed} result
 * arrives as progress and chunk events and a final value; any other result arrives whole.
 */
export interface CompanionRequests {
  ping: (data: Record<string, never>) => PingResult;
  /** Checks endpoint, clock, keys, bucket and permissions; a failing connection is a report, not an error reply. */
  doctor: (data: DoctorData) => DoctorReport;
  'inventory.upload': (data: InventoryUploadData) => InventoryUploadResult;
  'diff.preview': (data: DiffPreviewData) => Streamed<PreviewProgress, readonly DiffRow[], DiffPreviewSummary>;
  /** First listing page and in-progress uploads: is a backup needed before connecting? */
  'bucket.probe': (data: BucketProbeData) => BucketProbeResult;
  /** Backs the bucket up to this machine and verifies the copy. */
  'backup.run': (data: BackupRunData) => Streamed<TransferProgressView, never, BackupResultView>;
  /** Dry run: what restoring the backup would put back (rows as chunks). */
  'restore.plan': (data: RestoreData) => Streamed<TransferProgressView, readonly RestoreRowView[], RestorePlanSummary>;
  /** Plans again, puts the objects back, and verifies them. */
  'restore.apply': (data: RestoreData) => Streamed<TransferProgressView, never, RestoreApplyResult>;
}

export type CompanionRequestType = keyof CompanionRequests;
export type CompanionRequestData<T extends CompanionRequestType> = Parameters<CompanionRequests[T]>[0];
type Outcome<T extends CompanionRequestType> = ReturnType<CompanionRequests[T]>;
/** The value of the final `ok` reply. */
export type CompanionResult<T extends CompanionRequestType> = Outcome<T> extends Streamed<unknown, unknown, infer R> ? R : Outcome<T>;
/** The `data` of a progress event (`never` for unstreamed requests). */
export type CompanionProgress<T extends CompanionRequestType> = Outcome<T> extends Streamed<infer P, unknown, unknown> ? P : never;
/** The `data` of a chunk event: an array of items (`never` for unstreamed requests). */
export type CompanionChunk<T extends CompanionRequestType> = Outcome<T> extends Streamed<unknown, infer C, unknown> ? C : never;

/** Extension → host: run a request. */
export interface CompanionRequestMessage<T extends CompanionRequestType = CompanionRequestType> {
  /** Chosen by the extension, unique among its running requests. */
  readonly id: string;
  readonly type: T;
  readonly data: CompanionRequestData<T>;
  /** The host answers `TIMEOUT` and stops the work after this many milliseconds. */
  readonly timeoutMs: number;
}

/** Extension → host: stop the running request `id`; it ends with a `CANCELLED` error reply. */
export interface CancelMessage {
  readonly id: string;
  readonly type: 'cancel';
}

export type ExtensionToHostMessage = { [T in CompanionRequestType]: CompanionRequestMessage<T> }[CompanionRequestType] | CancelMessage;

/** Host → extension: progress of request `id`. */
export interface ProgressEvent<P = unknown> {
  readonly id: string;
  readonly event: 'progress';
  readonly data: P;
}

/** Host → extension: the next slice of request `id`'s rows, `seq` counting from 0. */
export interface ChunkEvent<C = unknown> {
  readonly id: string;
  readonly event: 'chunk';
  readonly seq: number;
  readonly data: C;
}

/** Host → extension: request `id` succeeded; `chunks` chunk events came before this. */
export interface OkReply<R = unknown> {
  readonly id: string;
  readonly ok: R;
  readonly chunks: number;
}

/** Host → extension: request `id` failed (or, with `id: null`, a frame that could not be read). */
export interface ErrorReply {
  readonly id: string | null;
  readonly error: ErrorData;
}

export type HostToExtensionMessage = ProgressEvent | ChunkEvent | OkReply | ErrorReply;

// ---------------------------------------------------------------------------------------------
// Runtime guards. Each returns the value typed, or a message naming what is wrong.

/** A guard's verdict: the value, typed, or what is wrong with it. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A parsed extension → host message, or the error reply it deserves (`id` when it was readable). */
export type ParsedRequest = { readonly ok: true; readonly message: ExtensionToHostMessage } | { readonly ok: false; readonly id: string | null; readonly error: ErrorData };

type Guard<T> = (value: unknown, path: string) => string | undefined | { readonly value: T };

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Every error code, so a code from another process can be checked (a missing key fails to compile). */
const ERROR_CODES: Readonly<Record<ConnectGuardErrorCode, true>> = {
  WRONG_ACCESS_KEY: true,
  WRONG_SECRET_KEY: true,
  NO_SUCH_BUCKET: true,
  IP_NOT_ALLOWED: true,
  ACCESS_DENIED: true,
  ENDPOINT_UNREACHABLE: true,
  TLS_ERROR: true,
  CLOCK_SKEW: true,
  INVALID_ENDPOINT: true,
  INVALID_BUCKET_NAME: true,
  INVALID_INPUT: true,
  MISSING_CREDENTIALS: true,
  MULTIPART_LISTING_UNSUPPORTED: true,
  COMPANION_UNAVAILABLE: true,
  PROTOCOL_ERROR: true,
  TIMEOUT: true,
  CANCELLED: true,
  VAULT_LOCKED: true,
  VAULT_MISSING: true,
  VAULT_EXISTS: true,
  WRONG_PASSPHRASE: true,
  WEAK_PASSPHRASE: true,
  KDF_BELOW_FLOOR: true,
  VAULT_CORRUPT: true,
  UNSUPPORTED_VERSION: true,
  VERIFY_FAILED: true,
  NOT_FOUND: true,
  FORBIDDEN_SENDER: true,
  WESENDIT_LISTING_FAILED: true,
  INTERNAL: true,
};

export function isErrorCode(value: unknown): value is ConnectGuardErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function isErrorData(value: unknown): value is ErrorData {
  return isRecord(value) && isErrorCode(value.code) && typeof value.message === 'string';
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function nonEmptyString(value: unknown, path: string): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? undefined : `${path} must be a non-empty string`;
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || typeof value === 'string' ? undefined : `${path} must be a string when given`;
}

function checkInventoryEntry(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object`;
  if (typeof value.key !== 'string' || value.key === '') return `${path}.key must be a non-empty string`;
  if (!isCount(value.size)) return `${path}.size must be a whole number of bytes`;
  for (const field of ['lastModified', 'etag', 'md5'] as const) {
    const problem = optionalString(value[field], `${path}.${field}`);
    if (problem) return problem;
  }
  if (value.multipartEtags !== undefined) {
    if (!isRecord(value.multipartEtags)) return `${path}.multipartEtags must be an object`;
    for (const [partSize, etag] of Object.entries(value.multipartEtags)) {
      if (!/^[1-9][0-9]*$/.test(partSize) || typeof etag !== 'string') return `${path}.multipartEtags must map part sizes to ETags`;
    }
  }
  return undefined;
}

function checkEntries(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array of entries`;
  for (let i = 0; i < value.length; i++) {
    const problem = checkInventoryEntry(value[i], `${path}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** Checks a bucket connection; the problem names fields only, never values (a secret must not echo back). */
function checkConnection(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object with endpoint, bucket, accessKeyId and secretAccessKey`;
  for (const field of ['endpoint', 'bucket', 'accessKeyId', 'secretAccessKey'] as const) {
    const problem = nonEmptyString(value[field], `${path}.${field}`);
    if (problem) return problem;
  }
  return optionalString(value.region, `${path}.region`) ?? optionalString(value.sessionToken, `${path}.sessionToken`);
}

function checkWesenditSource(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object`;
  switch (value.kind) {
    case 'upload':
      return isId(value.uploadId) ? undefined : `${path}.uploadId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`;
    case 'inline':
      return checkEntries(value.entries, `${path}.entries`);
    case 'manifest':
    case 'folder':
      return nonEmptyString(value.path, `${path}.path`);
    default:
      return `${path}.kind must be "upload", "inline", "manifest" or "folder"`;
  }
}

function optionalBoolean(value: unknown, path: string): string | undefined {
  return value === undefined || typeof value === 'boolean' ? undefined : `${path} must be true or false when given`;
}

function checkRestoreData(data: unknown): string | undefined {
  if (!isRecord(data)) return 'data must be an object';
  return checkConnection(data.connection, 'data.connection') ?? optionalString(data.folder, 'data.folder') ?? optionalString(data.root, 'data.root') ?? optionalBoolean(data.force, 'data.force');
}

/** Checks `data` of a request type, returning the problem or undefined. */
const REQUEST_DATA_CHECKS: { readonly [T in CompanionRequestType]: (data: unknown) => string | undefined } = {
  ping: (data) => (isRecord(data) ? undefined : 'data must be an object ({} for ping)'),
  doctor: (data) => (isRecord(data) ? (checkConnection(data.connection, 'data.connection') ?? optionalString(data.allowedIps, 'data.allowedIps')) : 'data must be an object'),
  'inventory.upload': (data) => {
    if (!isRecord(data)) return 'data must be an object';
    if (!isId(data.uploadId)) return `data.uploadId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`;
    if (data.done !== undefined && typeof data.done !== 'boolean') return 'data.done must be true or false when given';
    if (data.lines !== undefined) {
      if (data.entries !== undefined) return 'data.entries and data.lines cannot both be given';
      return typeof data.lines === 'string' ? undefined : 'data.lines must be a string of packed entries';
    }
    return checkEntries(data.entries, 'data.entries');
  },
  'diff.preview': (data) => {
    if (!isRecord(data)) return 'data must be an object';
    const problem = checkConnection(data.connection, 'data.connection') ?? optionalString(data.prefix, 'data.prefix') ?? checkWesenditSource(data.wesendit, 'data.wesendit');
    if (problem) return problem;
    return data.includeRows === undefined || typeof data.includeRows === 'boolean' ? undefined : 'data.includeRows must be true or false';
  },
  'bucket.probe': (data) => (isRecord(data) ? checkConnection(data.connection, 'data.connection') : 'data must be an object'),
  'backup.run': (data) => {
    if (!isRecord(data)) return 'data must be an object';
    return checkConnection(data.connection, 'data.connection') ?? optionalString(data.root, 'data.root') ?? optionalString(data.folder, 'data.folder');
  },
  'restore.plan': checkRestoreData,
  'restore.apply': checkRestoreData,
};

/** The request types this protocol defines. */
export const COMPANION_REQUEST_TYPES: readonly CompanionRequestType[] = ['ping', 'doctor', 'inventory.upload', 'diff.preview', 'bucket.probe', 'backup.run', 'restore.plan', 'restore.apply'];

export function isCompanionRequestType(value: unknown): value is CompanionRequestType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_DATA_CHECKS, value);
}

function protocolError(id: string | null, message: string): ParsedRequest {
  return { ok: false, id, error: { code: 'PROTOCOL_ERROR', message } };
}

/**
 * Validates a decoded extension → host message (host side). Problems name the field and never
 * quote values, so an error reply cannot echo a secret.
 */
export function parseExtensionMessage(value: unknown): ParsedRequest {
  if (!isRecord(value)) return protocolError(null, 'A message must be a JSON object { id, type, data, timeoutMs }.');
  const id = isId(value.id) ? value.id : null;
  if (id === null) return protocolError(null, `A message needs an "id": a non-empty string of at most ${MAX_ID_LENGTH} characters.`);
  if (value.type === 'cancel') return { ok: true, message: { id, type: 'cancel' } };
  if (!isCompanionRequestType(value.type)) {
    const known = [...COMPANION_REQUEST_TYPES, 'cancel'].join(', ');
    return protocolError(id, `Unknown request type${typeof value.type === 'string' ? ` "${value.type.slice(0, 64)}"` : ''}. Known types: ${known}. Update the companion if the extension is newer.`);
  }
  const { timeoutMs } = value;
  if (typeof timeoutMs !== 'number' || !Number.isSafeInteger(timeoutMs) || timeoutMs < MIN_TIMEOUT_MS || timeoutMs > MAX_TIMEOUT_MS) {
    return protocolError(id, `"timeoutMs" must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}.`);
  }
  const problem = REQUEST_DATA_CHECKS[value.type](value.data);
  if (problem) return protocolError(id, `Invalid "${value.type}" request: ${problem}.`);
  return { ok: true, message: narrowRequest(id, value.type, value.data, timeoutMs) };
}

/**
 * Builds the typed request once its data passed the type's check. The check above is the proof;
 * TypeScript cannot link a runtime table entry to a type parameter, so the link is this switch.
 */
function narrowRequest(id: string, type: CompanionRequestType, data: unknown, timeoutMs: number): ExtensionToHostMessage {
  switch (type) {
    case 'ping':
      return { id, type, data: {}, timeoutMs };
    case 'doctor':
      return { id, type, data: data as DoctorData, timeoutMs };
    case 'inventory.upload':
      return { id, type, data: data as InventoryUploadData, timeoutMs };
    case 'diff.preview':
      return { id, type, data: data as DiffPreviewData, timeoutMs };
    case 'bucket.probe':
      return { id, type, data: data as BucketProbeData, timeoutMs };
    case 'backup.run':
      return { id, type, data: data as BackupRunData, timeoutMs };
    case 'restore.plan':
    case 'restore.apply':
      return { id, type, data: data as RestoreData, timeoutMs };
  }
}

/**
 * Validates the envelope of a host → extension message (extension side). The payloads are then
 * checked against the request type with {@link checkResult}, {@link checkProgress} and
 * {@link checkChunk}.
 */
export function parseHostMessage(value: unknown): Checked<HostToExtensionMessage> {
  if (!isRecord(value)) return { ok: false, problem: 'a host message must be a JSON object' };
  if ('error' in value) {
    if (!(value.id === null || isId(value.id))) return { ok: false, problem: 'an error reply needs an id (string or null)' };
    if (!isErrorData(value.error)) return { ok: false, problem: 'an error reply needs error { code, message } with a known code' };
    return { ok: true, value: { id: value.id, error: { code: value.error.code, message: value.error.message } } };
  }
  if (!isId(value.id)) return { ok: false, problem: 'a host message needs an id' };
  const { id } = value;
  if (value.event === 'progress') return 'data' in value ? { ok: true, value: { id, event: 'progress', data: value.data } } : { ok: false, problem: 'a progress event needs data' };
  if (value.event === 'chunk') {
    if (!isCount(value.seq)) return { ok: false, problem: 'a chunk event needs a whole-number seq' };
    if (!Array.isArray(value.data)) return { ok: false, problem: 'a chunk event carries an array' };
    return { ok: true, value: { id, event: 'chunk', seq: value.seq, data: value.data } };
  }
  if ('ok' in value) {
    if (!isCount(value.chunks)) return { ok: false, problem: 'an ok reply needs a whole-number chunks count' };
    return { ok: true, value: { id, ok: value.ok, chunks: value.chunks } };
  }
  return { ok: false, problem: 'a host message is a progress or chunk event, an ok reply or an error reply' };
}

const pass = <T>(value: T): { readonly value: T } => ({ value });

function checkClassTotals(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || !isCount(value.objects) || !isCount(value.bucketBytes) || !isCount(value.wesenditBytes)) return `${path} must have objects, bucketBytes and wesenditBytes`;
  return undefined;
}

function checkRiskTotals(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || !isCount(value.objects) || !isCount(value.bytes) || !isCount(value.undecided)) return `${path} must have objects, bytes and undecided`;
  return undefined;
}

function checkPolicyOutcome(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object`;
  if (!['bucket', 'wesendit', 'tie', 'unknown'].includes(String(value.winner))) return `${path}.winner is not a side`;
  if (typeof value.reason !== 'string' || typeof value.loss !== 'string' || !isCount(value.bytesAtRisk)) return `${path} needs reason, loss and bytesAtRisk`;
  return undefined;
}

function isDiffClass(value: unknown): value is DiffClass {
  return typeof value === 'string' && DIFF_CLASSES.some((name) => name === value);
}

function checkDiffRow(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object`;
  if (typeof value.key !== 'string') return `${path}.key must be a string`;
  if (!isDiffClass(value.class)) return `${path}.class must be one of ${DIFF_CLASSES.join(', ')}`;
  if (typeof value.reason !== 'string') return `${path}.reason must be a string`;
  // JSON drops undefined fields: an absent side arrives missing, not null.
  for (const side of ['bucket', 'wesendit'] as const) {
    if (value[side] !== undefined) {
      const problem = checkInventoryEntry(value[side], `${path}.${side}`);
      if (problem) return problem;
    }
  }
  if (value.outcome !== undefined) {
    if (!isRecord(value.outcome)) return `${path}.outcome must be an object`;
    const problem = checkPolicyOutcome(value.outcome.newerWins, `${path}.outcome.newerWins`) ?? checkPolicyOutcome(value.outcome.wesenditWins, `${path}.outcome.wesenditWins`);
    if (problem) return problem;
  }
  return optionalString(value.lookalikeOf, `${path}.lookalikeOf`);
}

function checkRows(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array of rows`;
  for (let i = 0; i < value.length; i++) {
    const problem = checkDiffRow(value[i], `${path}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

function checkDiffTotals(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object`;
  if (!isRecord(value.classes)) return `${path}.classes must be an object`;
  for (const name of DIFF_CLASSES) {
    const problem = checkClassTotals(value.classes[name], `${path}.classes.${name}`);
    if (problem) return problem;
  }
  if (!isCount(value.objects) || !isCount(value.lookalikes)) return `${path} needs objects and lookalikes counts`;
  if (!isRecord(value.atRisk)) return `${path}.atRisk must be an object`;
  for (const policy of ['newerWins', 'wesenditWins', 'unknownNewerWins', 'unknownWesenditWins'] as const) {
    const problem = checkRiskTotals(value.atRisk[policy], `${path}.atRisk.${policy}`);
    if (problem) return problem;
  }
  if (!isRecord(value.examples)) return `${path}.examples must be an object`;
  for (const kind of ['conflict', 'unknown', 'lookalike'] as const) {
    const problem = checkRows(value.examples[kind], `${path}.examples.${kind}`);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Narrows data that passed one of the checks above. Hand-written checks cannot produce a type
 * predicate for a deep structure; each call site is preceded by the check that proves it.
 */
function checked<T>(check: (value: unknown, path: string) => string | undefined): Guard<T> {
  return (value, path) => check(value, path) ?? pass(value as T);
}

function checkMultipartUploads(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || typeof value.supported !== 'boolean' || !isCount(value.count) || !Array.isArray(value.keys)) return `${path} must be { supported, count, keys }`;
  return value.keys.every((key) => typeof key === 'string') ? undefined : `${path}.keys must be strings`;
}

const TRANSFER_PHASES: readonly TransferProgressView['phase'][] = ['listing', 'copying', 'verifying', 'restoring'];

function checkTransferProgress(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || !TRANSFER_PHASES.some((phase) => phase === value.phase)) return `${path}.phase must be one of ${TRANSFER_PHASES.join(', ')}`;
  if (!isCount(value.objects) || !isCount(value.bytes) || !isFiniteNumber(value.rate) || !isFiniteNumber(value.bytesPerSecond) || !isFiniteNumber(value.elapsedMs)) {
    return `${path} needs objects, bytes, rate, bytesPerSecond and elapsedMs`;
  }
  if (value.totalObjects !== undefined && !isCount(value.totalObjects)) return `${path}.totalObjects must be a whole number when given`;
  if (value.totalBytes !== undefined && !isCount(value.totalBytes)) return `${path}.totalBytes must be a whole number when given`;
  if (value.etaMs !== undefined && !isFiniteNumber(value.etaMs)) return `${path}.etaMs must be a number when given`;
  return undefined;
}

function checkRestoreRows(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array of rows`;
  for (let i = 0; i < value.length; i++) {
    const row: unknown = value[i];
    if (!isRecord(row) || typeof row.key !== 'string' || (row.change !== 'deleted' && row.change !== 'changed') || !isCount(row.size)) {
      return `${path}[${i}] must be { key, change: "deleted" | "changed", size }`;
    }
  }
  return undefined;
}

const RESULT_GUARDS: { readonly [T in CompanionRequestType]: Guard<CompanionResult<T>> } = {
  ping: checked<PingResult>((value, path) =>
    isRecord(value) && typeof value.version === 'string' && isCount(value.protocolVersion) && isCount(value.pid) ? undefined : `${path} must be { version, protocolVersion, pid }`,
  ),
  doctor: checked<DoctorReport>((value, path) => {
    if (!isRecord(value) || typeof value.ok !== 'boolean' || !Array.isArray(value.checks)) return `${path} must be { ok, checks }`;
    for (let i = 0; i < value.checks.length; i++) {
      const check: unknown = value.checks[i];
      if (!isRecord(check) || typeof check.name !== 'string' || typeof check.message !== 'string' || !['pass', 'fail', 'warn', 'skip'].includes(String(check.status))) {
        return `${path}.checks[${i}] must be { name, status, message }`;
      }
      if (check.code !== undefined && !isErrorCode(check.code)) return `${path}.checks[${i}].code is not a known error code`;
    }
    return undefined;
  }),
  'inventory.upload': checked<InventoryUploadResult>((value, path) => (isRecord(value) && isCount(value.staged) ? undefined : `${path} must be { staged }`)),
  'diff.preview': checked<DiffPreviewSummary>((value, path) => {
    if (!isRecord(value)) return `${path} must be an object`;
    if (!isCount(value.rows) || !isCount(value.bucketObjects) || !isCount(value.wesenditObjects) || !isFiniteNumber(value.elapsedMs)) {
      return `${path} needs rows, bucketObjects, wesenditObjects and elapsedMs`;
    }
    return checkDiffTotals(value.totals, `${path}.totals`);
  }),
  'bucket.probe': checked<BucketProbeResult>((value, path) => {
    if (!isRecord(value) || !isCount(value.objects) || typeof value.hasMore !== 'boolean') return `${path} must be { objects, hasMore, multipartUploads }`;
    return checkMultipartUploads(value.multipartUploads, `${path}.multipartUploads`);
  }),
  'backup.run': checked<BackupResultView>((value, path) => {
    if (!isRecord(value) || typeof value.folder !== 'string' || typeof value.verified !== 'boolean' || !isFiniteNumber(value.elapsedMs)) return `${path} needs folder, verified and elapsedMs`;
    for (const field of ['objects', 'bytes', 'transferred', 'linked', 'resumed'] as const) {
      if (!isCount(value[field])) return `${path}.${field} must be a whole number`;
    }
    return checkMultipartUploads(value.multipartUploads, `${path}.multipartUploads`);
  }),
  'restore.plan': checked<RestorePlanSummary>((value, path) => {
    if (!isRecord(value) || typeof value.folder !== 'string' || typeof value.bucket !== 'string') return `${path} needs folder and bucket`;
    for (const field of ['deleted', 'changed', 'bytes', 'kept'] as const) {
      if (!isCount(value[field])) return `${path}.${field} must be a whole number`;
    }
    return undefined;
  }),
  'restore.apply': checked<RestoreApplyResult>((value, path) => {
    if (!isRecord(value) || typeof value.folder !== 'string' || typeof value.verified !== 'boolean' || !isFiniteNumber(value.elapsedMs)) return `${path} needs folder, verified and elapsedMs`;
    for (const field of ['restored', 'overwritten', 'kept', 'bytes'] as const) {
      if (!isCount(value[field])) return `${path}.${field} must be a whole number`;
    }
    return undefined;
  }),
};

const checkPreviewProgress = checked<PreviewProgress>((value, path) => {
  if (!isRecord(value) || (value.phase !== 'listing' && value.phase !== 'diffing' && value.phase !== 'rows')) return `${path}.phase must be "listing", "diffing" or "rows"`;
  if (!isCount(value.objects) || !isCount(value.bytes) || !isFiniteNumber(value.rate) || !isFiniteNumber(value.elapsedMs)) return `${path} needs objects, bytes, rate and elapsedMs`;
  if (value.phase !== 'rows') return undefined;
  if (!isCount(value.rows) || !isCount(value.bucketObjects) || !isCount(value.wesenditObjects)) return `${path} with phase "rows" needs rows, bucketObjects and wesenditObjects`;
  return checkDiffTotals(value.totals, `${path}.totals`);
});

const noStream = (_value: unknown, path: string): string => `${path}: this request type sends no stream events`;

const PROGRESS_GUARDS: { readonly [T in CompanionRequestType]: Guard<CompanionProgress<T>> } = {
  ping: noStream,
  doctor: noStream,
  'inventory.upload': noStream,
  'diff.preview': checkPreviewProgress,
  'bucket.probe': noStream,
  'backup.run': checked<TransferProgressView>(checkTransferProgress),
  'restore.plan': checked<TransferProgressView>(checkTransferProgress),
  'restore.apply': checked<TransferProgressView>(checkTransferProgress),
};

const CHUNK_GUARDS: { readonly [T in CompanionRequestType]: Guard<CompanionChunk<T>> } = {
  ping: noStream,
  doctor: noStream,
  'inventory.upload': noStream,
  'diff.preview': checked<readonly DiffRow[]>(checkRows),
  'bucket.probe': noStream,
  'backup.run': noStream,
  'restore.plan': checked<readonly RestoreRowView[]>(checkRestoreRows),
  'restore.apply': noStream,
};

function run<T>(guard: Guard<T>, value: unknown, path: string): Checked<T> {
  const verdict = guard(value, path);
  if (verdict === undefined) return { ok: false, problem: `${path} is invalid` };
  if (typeof verdict === 'string') return { ok: false, problem: verdict };
  return { ok: true, value: verdict.value };
}

/** Validates the `ok` value of a reply to a request of `type` (extension side). */
export function checkResult<T extends CompanionRequestType>(type: T, value: unknown): Checked<CompanionResult<T>> {
  return run(RESULT_GUARDS[type], value, `"${type}" result`);
}

/** Validates a progress event's data for a request of `type` (extension side). */
export function checkProgress<T extends CompanionRequestType>(type: T, value: unknown): Checked<CompanionProgress<T>> {
  return run(PROGRESS_GUARDS[type], value, `"${type}" progress`);
}

/** Validates a chunk event's data for a request of `type` (extension side). */
export function checkChunk<T extends CompanionRequestType>(type: T, value: unknown): Checked<CompanionChunk<T>> {
  return run(CHUNK_GUARDS[type], value, `"${type}" chunk`);
}

/** Exported for tests and the host's own checks of what it sends. */
export const protocolChecks = { checkDiffRow, checkDiffTotals, checkInventoryEntry, checkConnection, checkTransferProgress, checkMultipartUploads, checkRestoreRows };

export type { BackupResultView, MultipartUploadsView, TransferProgressView };

export type { ClassTotals, ConflictOutcome, DiffRow, DiffTotals, PolicyOutcome, RiskTotals };

/** Where a request stands after a host message: still running, or ended with its result or error. */
export type CollectorState<T extends CompanionRequestType> =
  | { readonly done: false }
  | { readonly done: true; readonly ok: true; readonly value: CompanionResult<T> }
  | { readonly done: true; readonly ok: false; readonly error: ErrorData };

/** Callbacks for a streamed request's events, called with validated data in order. */
export interface CollectorEvents<T extends CompanionRequestType> {
  readonly onProgress?: (data: CompanionProgress<T>) => void;
  readonly onChunk?: (data: CompanionChunk<T>, seq: number) => void;
}

/**
 * Follows one request's host messages on the extension side: validates every payload for the
 * request type, insists on chunks in order with none missing (`seq` 0, 1, 2 … and the final
 * `chunks` count), and turns anything else into a `PROTOCOL_ERROR` end state.
 */
export class CompanionReplyCollector<T extends CompanionRequestType> {
  private chunks = 0;
  private ended: CollectorState<T> | undefined;

  constructor(
    readonly type: T,
    readonly id: string,
    private readonly events: CollectorEvents<T> = {},
  ) {}

  /** Feeds a message already checked by {@link parseHostMessage} and addressed to this request's id. */
  accept(message: HostToExtensionMessage): CollectorState<T> {
    if (this.ended) return this.ended;
    if (message.id !== this.id) return { done: false };
    if ('error' in message) return this.end({ done: true, ok: false, error: message.error });
    if ('ok' in message) {
      if (message.chunks !== this.chunks) return this.fail(`the companion sent ${message.chunks} chunks but ${this.chunks} arrived`);
      const result = checkResult(this.type, message.ok);
      return result.ok ? this.end({ done: true, ok: true, value: result.value }) : this.fail(result.problem);
    }
    if (message.event === 'progress') {
      const progress = checkProgress(this.type, message.data);
      if (!progress.ok) return this.fail(progress.problem);
      this.events.onProgress?.(progress.value);
      return { done: false };
    }
    if (message.seq !== this.chunks) return this.fail(`chunk ${this.chunks} expected, chunk ${message.seq} arrived`);
    const chunk = checkChunk(this.type, message.data);
    if (!chunk.ok) return this.fail(chunk.problem);
    this.chunks += 1;
    this.events.onChunk?.(chunk.value, message.seq);
    return { done: false };
  }

  private fail(problem: string): CollectorState<T> {
    return this.end({ done: true, ok: false, error: { code: 'PROTOCOL_ERROR', message: `Invalid reply to "${this.type}": ${problem}. Update the companion and the extension to matching versions.` } });
  }

  private end(state: CollectorState<T>): CollectorState<T> {
    this.ended = state;
    return state;
  }
}
