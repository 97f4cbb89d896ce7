/**
 * The view types both boundaries carry: what the companion reports (a connection, the doctor's
 * checks, preview and transfer progress, a backup's result) and the background passes on to
 * extension pages unchanged. Types only: no runtime code, no imports of either protocol.
 */
import type { ConnectGuardErrorCode } from '../errors.ts';
import type { DiffTotals } from '../diff/summarize-diff.ts';
import type { ToolGuide } from '../handoff/tool-guides.ts';

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

/** The phases a backup or restore goes through. */
export type TransferPhase = 'listing' | 'copying' | 'verifying' | 'restoring';

/**
 * One progress event of a backup or restore, in the companion, the CLI and the extension alike.
 * Totals are known once the listing is done.
 */
export interface TransferProgress<Phase extends string = TransferPhase> {
  readonly phase: Phase;
  /** Objects done in this phase (listed, written/linked/skipped, verified). */
  readonly objects: number;
  readonly totalObjects?: number;
  readonly bytes: number;
  readonly totalBytes?: number;
  /** Objects per second in this phase. */
  readonly rate: number;
  readonly bytesPerSecond: number;
  /** Estimated milliseconds left in this phase. */
  readonly etaMs?: number;
  readonly elapsedMs: number;
}

/** Progress of a backup or restore, as the companion reports it. */
export type TransferProgressView = TransferProgress;

/** In-progress multipart uploads in the bucket (the seed's "no active uploads or transfers"). */
export interface MultipartUploadsView {
  /** False when the server cannot list them: then nothing is claimed. */
  readonly supported: boolean;
  readonly count: number;
  /** The first few keys, for the message. */
  readonly keys: readonly string[];
}

/** A finished backup as the companion wrote and verified it. */
export interface BackupResultView {
  /** The backup folder on this machine. */
  readonly folder: string;
  readonly objects: number;
  readonly bytes: number;
  /** Downloaded by this run; the rest were linked from the previous backup or resumed. */
  readonly transferred: number;
  readonly linked: number;
  readonly resumed: number;
  readonly verified: boolean;
  readonly elapsedMs: number;
  readonly multipartUploads: MultipartUploadsView;
  /** The sync plan saved beside the backup (`plan.ndjson`), for the review after the connect. */
  readonly plan?: string;
}

/**
 * How a backup on this computer stands: `verified` (every file re-read and matched), `complete`
 * (written, not verified), `incomplete` (still running, interrupted, failed or cancelled: it can
 * be resumed, not restored), `failed-verification` (written, but files differ from the bucket).
 */
export type LocalBackupStatus = 'verified' | 'complete' | 'incomplete' | 'failed-verification';

/** One backup folder on this computer, from its `backup.json` (no S3 request). */
export interface LocalBackupView {
  /** The backup folder (absolute). */
  readonly folder: string;
  readonly bucket: string;
  /** The S3 endpoint the backup was taken from, when recorded. */
  readonly endpoint?: string;
  /** Only keys under this prefix were backed up. */
  readonly prefix?: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: LocalBackupStatus;
  readonly objects?: number;
  readonly bytes?: number;
  /** Set when the objects were copied into another bucket (server side) instead of to this computer: `bucket/prefix`. */
  readonly copiedTo?: string;
  /** Why the last run failed, in the companion's words. */
  readonly problem?: string;
  /** A sync plan was saved beside it: the sync result can be reviewed against it. */
  readonly hasPlan?: boolean;
}

/** A folder under the backups folder that is not listed, and why. */
export interface SkippedBackupView {
  readonly folder: string;
  readonly reason: string;
}

/** Every backup under the backups folder, newest first. */
export interface BackupListView {
  /** The backups folder that was read. */
  readonly root: string;
  readonly backups: readonly LocalBackupView[];
  /** Older backups left out of the list. */
  readonly omitted: number;
  readonly skipped: readonly SkippedBackupView[];
  /** Skipped folders not named in `skipped`. */
  readonly skippedMore: number;
}

/** A hand-off of a storage to an external tool, as Connect Guard recorded it. No secret. */
export interface ToolEntryView {
  readonly tool: 'rclone' | 'aws';
  /** The rclone remote or AWS profile. */
  readonly name: string;
  readonly configPath: string;
  readonly storageName: string;
  readonly endpoint: string;
  readonly bucket: string;
  /** The Access Key it uses (public, like a user name). */
  readonly accessKey: string;
  /** ISO 8601. */
  readonly updatedAt: string;
}

/** The hand-offs on this computer, and whether the tool key file exists (a first setup creates it). */
export interface ToolsListView {
  readonly toolKeysPath: string;
  readonly toolKeysExist: boolean;
  readonly tools: readonly ToolEntryView[];
}

/** A hand-off just written, with the commands to show. */
export interface ToolSetupView {
  readonly tool: 'rclone' | 'aws';
  readonly name: string;
  readonly configPath: string;
  readonly toolKeysPath: string;
  readonly toolKeysCreated: boolean;
  readonly replaced: boolean;
  readonly guide: ToolGuide;
}

/** One tool after an update to a new key, and the check that it authenticates. */
export interface ToolUpdateView {
  readonly tool: 'rclone' | 'aws';
  readonly name: string;
  readonly configPath: string;
  readonly bucket: string;
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly message: string;
}
