/**
 * The one contract between the extension background and the companion's native-messaging host
 * (`connect-guard host`), spoken over Chrome native messaging.
 *
 * Long file: every request type's data and result side by side, so one read shows the whole
 * contract; the runtime checks live in companion-data-checks.ts and companion-guards.ts.
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
 * Both sides validate everything they receive with companion-guards.ts: the other side is
 * another process. Host → extension frames stay well under Chromium's 1 MB limit (large results arrive
 * as chunks of at most {@link MAX_CHUNK_BYTES}); a request frame whose length header is over
 * {@link MAX_REQUEST_BYTES} gets an error reply `{ id: null, error }` and the host closes the
 * connection (it cannot tell where the next frame starts); the next request opens a new one.
 *
 * Credentials (a {@link BucketConnection}) travel inside a request's `data` only: the host holds
 * them in memory for that one request and never logs or writes them.
 */
import type { StorageCredentials } from '../credentials.ts';
import type { ErrorData } from '../errors.ts';
import type { InventoryEntry } from '../inventory.ts';
import type { DiffRow } from '../diff/diff-inventories.ts';
import type { BackupListView, BackupResultView, BucketConnection, DiffPreviewSummary, DoctorReport, MultipartUploadsView, PreviewProgress, ToolSetupView, ToolsListView, ToolUpdateView, TransferProgressView } from './views.ts';

/** The native-messaging host name registered with the browser (Chromium's rules: lowercase letters, digits, dots, underscores). */
export const COMPANION_HOST_NAME = 'com.connect_guard.companion';

/**
 * Raised when the message shapes change incompatibly; `ping` reports it so the extension can say
 * "update the companion". 2: open uploads (`inventory.upload` `done`) and folder sources.
 * 3: `bucket.probe`, `backup.run`, `restore.plan` and `restore.apply`.
 * 5: `inventory.upload` takes the tab's listing as packed `lines` (shared/inventory-lines.ts).
 * 6: `backup.list`.
 * 7: a WeSendit entry's size may carry its rounding (`sizeTolerance`; `bytes~tolerance` in packed lines).
 * 8: `tools.list`, `tools.setup` and `tools.update` (external tools: rclone, the AWS CLI).
 * 9: the error code `DISK_FULL` (a backup's disk filled up; what was written is kept for the next run).
 * 10: `audit.run` (the sync review); `restore.plan`/`restore.apply` take `keys`; a backup may carry its `plan`.
 * 11: `audit.run` takes WeSendit's side as a staged upload (the tab's file browser).
 */
export const COMPANION_PROTOCOL_VERSION = 11;

/** Chromium refuses (and closes the port on) host → extension messages over 1 MB. */
export const CHROMIUM_MAX_HOST_MESSAGE_BYTES = 1024 * 1024;

/** Serialized UTF-8 JSON bytes of one chunk's `data`: a quarter of Chromium's limit leaves room for the envelope. */
export const MAX_CHUNK_BYTES = 256 * 1024;

/** Any single host → extension frame the host writes (final replies included) stays under this. */
export const MAX_HOST_MESSAGE_BYTES = 768 * 1024;

/** Chromium allows 64 MiB extension → host; a frame over this bound is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** Bounds of a request's `timeoutMs`: one millisecond to six hours (a million-object listing). */
export const MIN_TIMEOUT_MS = 1;
export const MAX_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/** Longest accepted request id (ids are chosen by the extension, e.g. a counter or a UUID). */
export const MAX_ID_LENGTH = 128;

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
  /**
   * Only these keys: the sync review's selection of unexpected losses and overwrites. A changed
   * key among them is overwritten with the backed-up copy.
   */
  readonly keys?: readonly string[];
}

/**
 * `audit.run`'s request: review the sync result against the plan saved beside a backup of the
 * bucket. The connection is used to list the bucket (or HEAD `onlyKeys`) and read the objects
 * whose listing cannot prove their content.
 */
export interface AuditRunData {
  readonly connection: BucketConnection;
  /** The backup folder holding `plan.ndjson`; default: the newest backup of the bucket that has one. */
  readonly folder?: string;
  /** As in {@link BackupRunData.root}. */
  readonly root?: string;
  /** "Check again": only these keys (those that had not arrived). */
  readonly onlyKeys?: readonly string[];
  /**
   * WeSendit's side now, when known: a manifest (CSV or NDJSON) of the storage's files, read by
   * the companion, or the storage's file browser as the tab showed it, staged with
   * `inventory.upload` under this id over the same connection (the review waits for its seal).
   */
  readonly wesendit?: { readonly kind: 'manifest'; readonly path: string } | { readonly kind: 'upload'; readonly uploadId: string };
}

/** One key of the review that is not as predicted (as-predicted keys are only counted). */
export interface AuditRowView {
  readonly key: string;
  readonly status: 'not-yet-arrived' | 'unexpected';
  /** AuditKind (shared/audit/audit-sync.ts). */
  readonly kind: string;
  /** rclone check --combined's mark: `=`, `-`, `+`, `*`, `!`. */
  readonly mark: string;
  readonly predicted: string;
  readonly actual: string;
  readonly proof: string;
  readonly bytes: number;
  /** Selected for "Restore from the backup": put back (deleted) or overwrite (changed). */
  readonly restore?: 'restore' | 'overwrite';
}

/** Objects and bytes. */
export interface AuditCountView {
  readonly objects: number;
  readonly bytes: number;
}

/** `audit.run`'s final answer; the findings came before it as chunks. */
export interface AuditRunResult {
  readonly folder: string;
  readonly bucket: string;
  /** When the plan was made (ISO 8601). */
  readonly planCreatedAt: string;
  readonly policy: string;
  readonly verdict: 'as-predicted' | 'not-yet-arrived' | 'unexpected';
  readonly objects: number;
  readonly bytes: number;
  readonly asPredicted: AuditCountView;
  readonly notYetArrived: AuditCountView;
  readonly unexpected: AuditCountView;
  /** What a restore of the selection writes. */
  readonly restore: AuditCountView;
  /** Objects read and hashed to prove their content. */
  readonly contentChecked: number;
}

/** `backup.list`'s request: which backups folder to read. */
export interface BackupListData {
  /** As in {@link BackupRunData.root}. */
  readonly root?: string;
}

/** The external tools a hand-off can write (mc gets printed steps only, from the popup's own text). */
export type HandoffToolName = 'rclone' | 'aws';

/**
 * `tools.setup`'s request: hand one vault storage to rclone or the AWS CLI. The storage's seven
 * fields (its Secret Key included) and the passphrase for external tools travel in this request
 * only; the companion writes the secret into the encrypted rclone config or tool key file, never
 * in plain text, and logs neither.
 */
export interface ToolsSetupData {
  readonly tool: HandoffToolName;
  readonly storage: StorageCredentials;
  readonly toolPassphrase: string;
  /** The remote or profile name; default from the storage name. */
  readonly name?: string;
  /** Replace a remote or profile of that name (never done without it). */
  readonly replace?: boolean;
}

/**
 * `tools.list`'s request: every hand-off, or with `storage` only those still using an old key of
 * it (the same endpoint and bucket with another Access Key, or one of `oldAccessKeys`). No secret.
 */
export interface ToolsListData {
  readonly storage?: Pick<StorageCredentials, 'serverAddress' | 'bucketName' | 'accessKey'>;
  readonly oldAccessKeys?: readonly string[];
}

/** `tools.update`'s request: give the tools using an old key of `storage` its current key pair, then run each. */
export interface ToolsUpdateData {
  readonly storage: StorageCredentials;
  readonly oldAccessKeys: readonly string[];
  readonly toolPassphrase: string;
}

/** `tools.update`'s answer: each tool updated and whether it now authenticates. */
export interface ToolsUpdateResult {
  readonly results: readonly ToolUpdateView[];
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
  /** Every backup under the backups folder, newest first, read from the folders alone (no S3 request). */
  'backup.list': (data: BackupListData) => BackupListView;
  /** The external tools Connect Guard set up on this computer (from its list: no secret, no S3 request). */
  'tools.list': (data: ToolsListData) => ToolsListView;
  /** Writes an rclone remote or an AWS profile for a storage (encrypted config / tool key file). */
  'tools.setup': (data: ToolsSetupData) => ToolSetupView;
  /** After a lost or rotated key: updates the tools that use an old key and checks each authenticates. */
  'tools.update': (data: ToolsUpdateData) => ToolsUpdateResult;
  /** Reviews the sync result against the plan beside a backup (findings as chunks). */
  'audit.run': (data: AuditRunData) => Streamed<TransferProgressView, readonly AuditRowView[], AuditRunResult>;
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
