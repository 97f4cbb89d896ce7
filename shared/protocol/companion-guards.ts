/**
 * Runtime validation of the native-messaging boundary (companion-protocol.ts): the host checks
 * every request it reads with {@link parseExtensionMessage}; the extension checks every host
 * message with {@link parseHostMessage} and its payload with {@link checkResult},
 * {@link checkProgress} and {@link checkChunk}. The other side is another process: nothing it
 * sends is trusted before it passed here.
 */
import { isErrorCode, isErrorData, type ErrorData } from '../errors.ts';
import type { DiffRow } from '../diff/diff-inventories.ts';
import {
  checkAuditResult,
  checkAuditRows,
  checkAuditRunData,
  checkBackupList,
  checkConnection,
  checkDiffRow,
  checkDiffTotals,
  checkEntries,
  checkInventoryEntry,
  checkMultipartUploads,
  checkRestoreData,
  checkRestoreRows,
  checkRows,
  checkToolSetup,
  checkToolsList,
  checkToolsListData,
  checkToolsSetupData,
  checkToolsUpdate,
  checkToolsUpdateData,
  checkTransferProgress,
  checkWesenditSource,
  isCount,
  isFiniteNumber,
  isId,
  isRecord,
  optionalString,
} from './companion-data-checks.ts';
import {
  MAX_ID_LENGTH,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  type AuditRowView,
  type AuditRunData,
  type AuditRunResult,
  type BackupListData,
  type BackupRunData,
  type BucketProbeData,
  type BucketProbeResult,
  type CompanionChunk,
  type CompanionProgress,
  type CompanionRequestType,
  type CompanionResult,
  type DiffPreviewData,
  type DoctorData,
  type ExtensionToHostMessage,
  type HostToExtensionMessage,
  type InventoryUploadData,
  type InventoryUploadResult,
  type PingResult,
  type RestoreApplyResult,
  type RestoreData,
  type RestorePlanSummary,
  type RestoreRowView,
  type ToolsListData,
  type ToolsSetupData,
  type ToolsUpdateData,
  type ToolsUpdateResult,
} from './companion-protocol.ts';
import type { BackupListView, BackupResultView, DiffPreviewSummary, DoctorReport, PreviewProgress, ToolSetupView, ToolsListView, TransferProgressView } from './views.ts';

/** A guard's verdict: the value, typed, or what is wrong with it. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A parsed extension → host message, or the error reply it deserves (`id` when it was readable). */
export type ParsedRequest = { readonly ok: true; readonly message: ExtensionToHostMessage } | { readonly ok: false; readonly id: string | null; readonly error: ErrorData };

type Guard<T> = (value: unknown, path: string) => string | undefined | { readonly value: T };

const pass = <T>(value: T): { readonly value: T } => ({ value });

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
  'backup.list': (data) => (isRecord(data) ? optionalString(data.root, 'data.root') : 'data must be an object ({} for the default backups folder)'),
  'tools.list': checkToolsListData,
  'tools.setup': checkToolsSetupData,
  'tools.update': checkToolsUpdateData,
  'audit.run': checkAuditRunData,
};

/** The request types this protocol defines. */
export const COMPANION_REQUEST_TYPES: readonly CompanionRequestType[] = ['ping', 'doctor', 'inventory.upload', 'diff.preview', 'bucket.probe', 'backup.run', 'restore.plan', 'restore.apply', 'backup.list', 'tools.list', 'tools.setup', 'tools.update', 'audit.run'];

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
    case 'backup.list':
      return { id, type, data: data as BackupListData, timeoutMs };
    case 'tools.list':
      return { id, type, data: data as ToolsListData, timeoutMs };
    case 'tools.setup':
      return { id, type, data: data as ToolsSetupData, timeoutMs };
    case 'tools.update':
      return { id, type, data: data as ToolsUpdateData, timeoutMs };
    case 'audit.run':
      return { id, type, data: data as AuditRunData, timeoutMs };
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

/**
 * Narrows data that passed one of the checks above. Hand-written checks cannot produce a type
 * predicate for a deep structure; each call site is preceded by the check that proves it.
 */
function checked<T>(check: (value: unknown, path: string) => string | undefined): Guard<T> {
  return (value, path) => check(value, path) ?? pass(value as T);
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
  'backup.list': checked<BackupListView>(checkBackupList),
  'tools.list': checked<ToolsListView>(checkToolsList),
  'tools.setup': checked<ToolSetupView>(checkToolSetup),
  'tools.update': checked<ToolsUpdateResult>(checkToolsUpdate),
  'audit.run': checked<AuditRunResult>(checkAuditResult),
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
  'backup.list': noStream,
  'tools.list': noStream,
  'tools.setup': noStream,
  'tools.update': noStream,
  'audit.run': checked<TransferProgressView>(checkTransferProgress),
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
  'backup.list': noStream,
  'tools.list': noStream,
  'tools.setup': noStream,
  'tools.update': noStream,
  'audit.run': checked<readonly AuditRowView[]>(checkAuditRows),
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
