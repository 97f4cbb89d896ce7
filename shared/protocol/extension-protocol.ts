/**
 * The one contract between extension contexts (content scripts, the gate prompt frame, the
 * popup) and the background, which alone owns the vault key, IndexedDB and the native port.
 *
 * Every request is `{ type, data }`; every reply is `{ ok: result } | { error: ErrorData }`.
 *
 * Long file: one table per sender (content scripts, Connect Guard's pages) with every message's
 * data and result, so the router's table and this contract can be read side by side.
 */
import type { StorageCredentials, StorageSummary } from '../credentials.ts';
import type { DiffClass, DiffRow } from '../diff/diff-inventories.ts';
import type { ErrorData } from '../errors.ts';
import type { HandoffFormat, HandoffKdfView } from '../handoff-formats/handoff-entry.ts';
import type { AuditRowView, AuditRunResult, ToolsUpdateResult } from './companion-protocol.ts';
import type { BackupListView, BackupResultView, BucketConnection, DiffPreviewSummary, DoctorReport, MultipartUploadsView, PreviewProgress, ToolEntryView, ToolSetupView, ToolsListView, TransferProgressView } from './views.ts';

export interface VaultStatus {
  /** A vault exists in this profile. */
  readonly exists: boolean;
  readonly unlocked: boolean;
  readonly storageCount: number;
}

export interface Settings {
  /** Lock after this many minutes without use (1–1440). */
  readonly autoLockMinutes: number;
  /** Clear a copied secret from the clipboard after this many seconds (5–600). */
  readonly clipboardSeconds: number;
  /** Origins the user granted beyond WeSendit and loopback, e.g. `https://files.example.com`. */
  readonly extraOrigins: readonly string[];
}

export const DEFAULT_SETTINGS: Settings = { autoLockMinutes: 15, clipboardSeconds: 30, extraOrigins: [] };

/** A credentials dialog the gate found and holds, waiting for a verified save. */
export interface GateCapture {
  readonly captureId: string;
  readonly credentials: StorageCredentials;
  /** Page origin the dialog was found on. */
  readonly origin: string;
  /**
   * Saved and verified; the page's controls were released. A released capture no longer carries
   * the Secret Key (`credentials.secretKey` is empty): the vault holds it.
   */
  readonly released: boolean;
}

/**
 * What the user typed into WeSendit's connect form (provider, endpoint or region, bucket, the
 * bucket's key pair), read by the content feature by the fields' meaning. Every value is the
 * text the form held; the secret goes to the background's memory only.
 */
export interface ConnectFormValues {
  /** As the form names it: "WeSendit", "AWS", "Cloudflare R2", "Other S3" … (empty when the form has no such field). */
  readonly provider: string;
  /** S3 endpoint / server address as typed; empty when the form asks for a region only (AWS). */
  readonly endpoint: string;
  /** Region as typed; empty when absent. */
  readonly region: string;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/** A connect form as extension pages see it: everything but the secret. */
export interface ConnectFormSummary {
  readonly formId: string;
  readonly provider: string;
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKey: string;
  /** The form held a non-empty secret. */
  readonly hasSecret: boolean;
  /** Page origin the form was read on. */
  readonly origin: string;
  /** The tab holding the form (its content feature can list the WeSendit storage's files). */
  readonly tabId: number;
}

/** Where a preview's bucket credentials come from; the background resolves them in memory. */
export type PreviewConnectionSource =
  /** A vault record (needs the vault unlocked): its S3 Server Address, bucket and key pair. */
  | { readonly kind: 'vault'; readonly storageId: string }
  /** A connect form the content feature captured. */
  | { readonly kind: 'form'; readonly formId: string }
  /** Typed into the popup. */
  | { readonly kind: 'direct'; readonly connection: BucketConnection };

/** Where a preview's WeSendit side comes from. */
export type PreviewWesenditSource =
  /** The content feature in this tab lists the WeSendit storage's file browser; `tabId` defaults to the connect form's tab. */
  | { readonly kind: 'tab'; readonly tabId?: number }
  /** A manifest file (CSV or NDJSON) on this machine, read by the companion. */
  | { readonly kind: 'manifest'; readonly path: string }
  /** A local folder, hashed by the companion. */
  | { readonly kind: 'folder'; readonly path: string }
  /** Nothing in WeSendit yet (a new storage). */
  | { readonly kind: 'empty' };

/** The seed's strategy advice: an empty bucket is a Fresh Start; otherwise integrate, backing up first. */
export type ConnectAdvice = 'fresh-start' | 'integrate';

/** 'loading-rows': the summary is known, the rows still arrive; 'done' once all are stored. */
export type PreviewStatus = 'reading-wesendit' | 'listing' | 'loading-rows' | 'done' | 'failed' | 'cancelled';

/** One preview as the popup shows it; rows are fetched page by page with `preview.rows`. */
export interface PreviewState {
  readonly previewId: string;
  readonly status: PreviewStatus;
  /** ISO 8601. */
  readonly startedAt: string;
  /** What is being compared, without secrets. */
  readonly bucket: { readonly endpoint: string; readonly bucket: string; readonly accessKeyId: string };
  /** WeSendit entries read so far (while `reading-wesendit`) or in total. */
  readonly wesenditObjects: number;
  /** The companion's latest progress while listing. */
  readonly progress?: PreviewProgress;
  /** Estimated milliseconds left, when the bucket's size can be guessed. */
  readonly etaMs?: number;
  /** Set when `loading-rows` (the totals, sent ahead of the rows) and when `done`. */
  readonly summary?: DiffPreviewSummary;
  /** Set with `summary`. */
  readonly advice?: ConnectAdvice;
  /** While `loading-rows` and when `done`: rows stored so far, for `preview.rows`. */
  readonly rowsLoaded?: number;
  /** While `loading-rows` and when `done`: rows the companion sends in all. */
  readonly rowsTotal?: number;
  /** Set when `failed`. */
  readonly error?: ErrorData;
  /** When listing failed on the connection: the doctor's checks in plain words. */
  readonly doctor?: DoctorReport;
}

/** Which rows `preview.rows` returns. */
export interface PreviewRowQuery {
  readonly previewId: string;
  readonly offset: number;
  /** At most 1,000. */
  readonly limit: number;
  /** Only these classes (all when absent or empty). */
  readonly classes?: readonly DiffClass[];
  /** Case-insensitive substring of the key. */
  readonly search?: string;
  /** Only bucket files a conflict would overwrite under this policy. */
  readonly atRisk?: 'newer-wins' | 'wesendit-wins';
}

export interface PreviewRowPage {
  /** Rows matching the query in total (the list's virtual length). */
  readonly matching: number;
  readonly offset: number;
  readonly rows: readonly DiffRow[];
}

/** A backup the background runs through the companion ("Back up now", or a connect hold). */
export interface BackupJobState {
  readonly backupId: string;
  readonly status: 'running' | 'done' | 'failed' | 'cancelled';
  readonly bucket: { readonly endpoint: string; readonly bucket: string; readonly accessKeyId: string };
  /** ISO 8601. */
  readonly startedAt: string;
  readonly progress?: TransferProgressView;
  readonly result?: BackupResultView;
  readonly error?: ErrorData;
}

/**
 * A click on WeSendit's connect button, held until the bucket is backed up and verified (or is
 * empty: a Fresh Start needs no backup).
 */
export interface ConnectHoldState {
  readonly holdId: string;
  /**
   * 'needs-approval': nothing was contacted yet — the click was not the user's (a page script's),
   * or the bucket's address is one the user has not seen in Connect Guard: the user must approve
   * in the hold frame ("Back up and connect") before the companion contacts the endpoint.
   */
  readonly status: 'needs-approval' | 'checking' | 'backing-up' | 'needs-confirmation' | 'released' | 'failed' | 'cancelled';
  /** Set with 'needs-approval': why the user must approve. */
  readonly approval?: 'not-your-click' | 'new-address';
  /** Plain words: why the click is held or why it went through. */
  readonly reason: string;
  readonly bucket: { readonly endpoint: string; readonly bucket: string; readonly accessKeyId: string };
  /** The backup this hold waits for. */
  readonly backup?: BackupJobState;
  /** Set when uploads are in progress: the user must confirm with "Connect anyway". */
  readonly multipartUploads?: MultipartUploadsView;
  readonly error?: ErrorData;
}

/** What restoring a backup would do, or did. */
export interface RestoreView {
  readonly restoreId: string;
  readonly status: 'planning' | 'planned' | 'applying' | 'done' | 'failed' | 'cancelled';
  readonly folder: string;
  readonly bucket: string;
  readonly progress?: TransferProgressView;
  /** Objects deleted since the backup (restored by default). */
  readonly deleted: number;
  /** Objects changed since the backup (overwritten only with force). */
  readonly changed: number;
  readonly bytes: number;
  /** The first rows of the plan: key, and why. */
  readonly rows: readonly { readonly key: string; readonly change: 'deleted' | 'changed'; readonly size: number }[];
  readonly applied?: { readonly restored: number; readonly overwritten: number; readonly kept: number; readonly verified: boolean };
  readonly error?: ErrorData;
}

/**
 * The sync review of one backup's plan (`audit.start`), running or done. Only keys that are not
 * as predicted are listed (the first {@link MAX_AUDIT_FINDINGS}); the counts cover every key.
 */
export interface AuditView {
  readonly auditId: string;
  readonly status: 'running' | 'done' | 'failed';
  /** The backup folder whose plan is reviewed (empty until the companion chose it). */
  readonly folder: string;
  readonly bucket: string;
  readonly progress?: TransferProgressView;
  readonly result?: AuditRunResult;
  readonly findings: readonly AuditRowView[];
  /** Keys that had not arrived: what "Check again" looks at. */
  readonly pendingKeys: readonly string[];
  /** Keys lost or overwritten unexpectedly: what "Restore from the backup" selects. */
  readonly restoreKeys: readonly string[];
  /** Set while "Check again" runs or after it: how many keys it re-checked. */
  readonly rechecked?: number;
  /** Where WeSendit's side came from (with the files read from a tab so far); absent: only the plan's prediction of it. */
  readonly wesendit?: { readonly source: 'tab' | 'manifest'; readonly objects: number };
  readonly error?: ErrorData;
}

export const MAX_AUDIT_FINDINGS = 5000;

/** Which saved storages a hand-off file holds. */
export type HandoffScope = { readonly kind: 'all' } | { readonly kind: 'storage'; readonly storageId: string };

/** A password-manager file the background built, read back with the same library and compared, all before it is sent. */
export interface HandoffFile {
  readonly fileName: string;
  readonly mimeType: string;
  /** The whole encrypted file, standard base64. */
  readonly base64: string;
  /** Storages in the file. */
  readonly entries: number;
  /** The key-derivation parameters and cipher read back from the file. */
  readonly kdf: HandoffKdfView;
  readonly verified: true;
}

/** The external tools Connect Guard's companion writes a remote or profile for. */
export type ExternalToolName = 'rclone' | 'aws';
export const EXTERNAL_TOOLS: readonly ExternalToolName[] = ['rclone', 'aws'];

/**
 * "Set up rclone" / "Set up AWS CLI" for one saved storage: the background reads the record from
 * the unlocked vault and hands it to the companion in memory, with the passphrase for external
 * tools the user typed in the popup (it protects the companion's encrypted tool key file).
 */
export interface ToolSetupRequest {
  readonly tool: ExternalToolName;
  readonly storageId: string;
  readonly toolPassphrase: string;
  /** The rclone remote or AWS profile; the companion picks one from the storage name when absent. */
  readonly name?: string;
  /** Replace a remote or profile of that name: only when the user ticked "Replace" after being told it exists. */
  readonly replace?: boolean;
}

/**
 * A storage the gate just saved replaces an older key of the same storage (same name or bucket,
 * another Access Key): WeSendit made a new key, the old one stops working. `tools` are the
 * external tools Connect Guard set up with the old key, as the companion lists them.
 */
export interface GateRotation {
  readonly storageName: string;
  readonly bucketName: string;
  readonly newAccessKey: string;
  readonly oldAccessKeys: readonly string[];
  readonly tools: readonly ToolEntryView[];
  /** The tool key file exists (so "Update external tools" can open it). */
  readonly toolKeysExist: boolean;
  /** The companion could not be asked: the list is unknown, and why. */
  readonly companionError?: ErrorData;
}

/** Requests a content script may send. */
export interface ContentRequests {
  /** The gate found a credentials dialog and holds it; returns the capture id for the prompt frame. */
  'gate.captured': (data: { credentials: StorageCredentials; origin: string }) => { captureId: string };
  /** Is this capture already saved and verified (e.g. after the dialog re-rendered)? */
  'gate.state': (data: { captureId: string }) => { released: boolean };
  /** The connect form's current values (the user asked for a preview beside it); kept in the background's memory only. */
  'connectForm.captured': (data: { form: ConnectFormValues }) => { formId: string };
  /** The next slice of a WeSendit listing the background asked this tab for (`listing.collect`); `done` on the last one, `error` when reading failed. */
  /** A slice of the tab's listing: `count` entries packed as `lines` (shared/inventory-lines.ts). */
  'listing.batch': (data: { listingId: string; lines: string; count: number; done: boolean; error?: ErrorData }) => { accepted: number };
  /** The user clicked WeSendit's connect button; the content feature holds the click and opens the hold frame with this id. */
  /**
   * `trusted`: the click was the user's (a real event, with user activation for a submit), as
   * Connect Guard's content script saw it; a page script's `click()` or `requestSubmit()` is not.
   */
  'connectHold.requested': (data: { form: ConnectFormValues; trusted?: boolean }) => { holdId: string };
  /** May the held click go through now? (after a re-render or reload) */
  'connectHold.state': (data: { holdId: string }) => { released: boolean };
  /**
   * Did the user connect a bucket from this tab, after a verified backup (so its sync result can
   * be reviewed)? Only a yes or no: the review itself starts in the dock's extension frame.
   */
  'review.offer': (data: Record<string, never>) => { offer: boolean };
}

/** Requests extension pages (gate prompt frame, popup) may send. */
export interface PageRequests {
  'vault.status': (data: Record<string, never>) => VaultStatus;
  'vault.create': (data: { passphrase: string }) => VaultStatus;
  'vault.unlock': (data: { passphrase: string }) => VaultStatus;
  'vault.lock': (data: Record<string, never>) => VaultStatus;
  'vault.changePassphrase': (data: { current: string; next: string }) => VaultStatus;
  /** Encrypted export of the whole vault (JSON text, format in README). */
  'vault.export': (data: Record<string, never>) => { fileName: string; text: string };
  /** Import an export; records merge by id. The passphrase is the export's. */
  'vault.import': (data: { text: string; passphrase: string }) => { imported: number; updated: number };
  'gate.getCapture': (data: { captureId: string }) => GateCapture;
  /** Encrypt, write, read back, decrypt, compare; then release the page's controls. */
  'gate.save': (data: { captureId: string }) => { storageId: string; verified: true };
  'storage.list': (data: Record<string, never>) => StorageSummary[];
  'storage.reveal': (data: { id: string }) => { secretKey: string };
  /** Copy the secret to the clipboard; it is cleared after `clipboardSeconds` if still there. */
  'storage.copySecret': (data: { id: string }) => { clearsInSeconds: number };
  'storage.delete': (data: { id: string }) => { deleted: boolean };
  /**
   * Hand saved storages to a password manager: an encrypted KeePass (KDBX 4) or Bitwarden
   * (password-protected JSON) file under a passphrase the user typed for it (twice). Needs the
   * vault unlocked; the secrets are read in the background and leave it only inside the file.
   */
  'handoff.export': (data: { format: HandoffFormat; scope: HandoffScope; passphrase: string; confirmation: string }) => HandoffFile;
  /** The external tools Connect Guard set up on this computer (asks the companion; no secret). */
  'tools.list': (data: Record<string, never>) => ToolsListView;
  /** Writes an rclone remote or AWS profile for a saved storage through the companion; returns what was written and the safe commands. */
  'tools.setup': (data: ToolSetupRequest) => ToolSetupView;
  /** After the gate saved a storage: does it replace an older key, and which external tools still use it? `null` when it replaces none. */
  'gate.rotation': (data: { captureId: string }) => GateRotation | null;
  /** Give those tools the new key pair through the companion; each is run to check it authenticates. */
  'gate.updateTools': (data: { captureId: string; toolPassphrase: string }) => ToolsUpdateResult;
  'settings.get': (data: Record<string, never>) => Settings;
  'settings.set': (data: Partial<Settings>) => Settings;
  /** Is the companion installed and answering? (`ping` over native messaging) */
  'companion.status': (data: Record<string, never>) => { available: boolean; version?: string; protocolVersion?: number; error?: ErrorData };
  'connectForm.get': (data: { formId: string }) => ConnectFormSummary;
  /** The most recent connect form read in any tab, if any. */
  'connectForm.latest': (data: Record<string, never>) => ConnectFormSummary | null;
  /** Save a form's or typed credentials to the vault (needs it unlocked), verified like the gate's save. */
  'storage.saveConnection': (data: { source: PreviewConnectionSource; storageName: string }) => { storageId: string; verified: true };
  /** Check a connection in plain words (wrong key, wrong secret, bucket, IP, endpoint, clock). */
  'doctor.run': (data: { connection: PreviewConnectionSource; allowedIps?: string }) => DoctorReport;
  'preview.start': (data: { connection: PreviewConnectionSource; wesendit: PreviewWesenditSource; prefix?: string }) => PreviewState;
  'preview.state': (data: { previewId: string }) => PreviewState;
  /** The latest preview of this browser session, if any (the popup reopens on it). */
  'preview.latest': (data: Record<string, never>) => PreviewState | null;
  'preview.cancel': (data: { previewId: string }) => PreviewState;
  'preview.rows': (data: PreviewRowQuery) => PreviewRowPage;
  /** One part of the report file (`part` from 0 to `parts - 1`, each at most a few MB) so a million rows never travel in one message. */
  'preview.export': (data: { previewId: string; format: 'csv' | 'ndjson'; part: number }) => { fileName: string; mimeType: string; parts: number; text: string };
  'connectHold.get': (data: { holdId: string }) => ConnectHoldState;
  /** Stop the hold's backup; the click stays held. */
  'connectHold.cancel': (data: { holdId: string }) => ConnectHoldState;
  /** Run the hold's backup again after a failure or cancel. */
  'connectHold.retry': (data: { holdId: string }) => ConnectHoldState;
  /** Let the click through without (or despite) a backup: uploads in progress, a backup that failed or could not be verified (the user chose it, the reason shown). */
  'connectHold.connectAnyway': (data: { holdId: string }) => ConnectHoldState;
  /** The user saw the bucket and its address in the hold frame and approves: check it and back it up. */
  'connectHold.approve': (data: { holdId: string }) => ConnectHoldState;
  /** "Back up now": an incremental, verified backup to this machine. */
  'backup.start': (data: { connection: PreviewConnectionSource }) => BackupJobState;
  'backup.state': (data: { backupId: string }) => BackupJobState;
  'backup.latest': (data: Record<string, never>) => BackupJobState | null;
  'backup.cancel': (data: { backupId: string }) => BackupJobState;
  /** Every backup on this computer, newest first, read by the companion from the backups folder (no S3 request). */
  'backup.list': (data: Record<string, never>) => BackupListView;
  /**
   * Dry run: what restoring the newest backup of the bucket (or `folder`) would put back. With
   * `keys` (the sync review's selection), only those keys, changed ones overwritten.
   */
  'restore.plan': (data: { connection: PreviewConnectionSource; folder?: string; force?: boolean; keys?: readonly string[] }) => RestoreView;
  'restore.state': (data: { restoreId: string }) => RestoreView;
  /** Apply a planned restore, then verify. */
  'restore.apply': (data: { restoreId: string }) => RestoreView;
  /** "Review sync result": the plan beside the backup (`folder`, default the newest with a plan) against the bucket now. */
  /**
   * WeSendit's side: a manifest file, or (`wesenditFromTab`, only from the dock's review frame)
   * the storage's file browser in the tab the frame sits in.
   */
  'audit.start': (data: { connection: PreviewConnectionSource; folder?: string; wesenditManifest?: string; wesenditFromTab?: boolean }) => AuditView;
  'audit.state': (data: { auditId: string }) => AuditView;
  /** "Check again": re-lists only the keys that had not arrived. */
  'audit.checkAgain': (data: { auditId: string }) => AuditView;
}

/** Messages the background sends to a tab's content scripts. */
export interface TabMessages {
  'gate.released': (data: { captureId: string }) => void;
  /** Read the WeSendit storage's full file listing and send it back as `listing.batch` requests under this id. */
  'listing.collect': (data: { listingId: string }) => { started: boolean };
  /** The held connect click may go through now. */
  'connectHold.released': (data: { holdId: string }) => void;
}

export type BackgroundRequests = ContentRequests & PageRequests;
export type RequestType = keyof BackgroundRequests;
export type RequestData<T extends RequestType> = Parameters<BackgroundRequests[T]>[0];
export type RequestResult<T extends RequestType> = ReturnType<BackgroundRequests[T]>;

export interface Request<T extends RequestType = RequestType> {
  readonly type: T;
  readonly data: RequestData<T>;
}

export type Reply<R> = { readonly ok: R } | { readonly error: ErrorData };
