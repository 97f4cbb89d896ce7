/**
 * Field-level checks of what crosses the native-messaging boundary: entries, connections, diff
 * rows and totals, transfer progress. Each returns the problem in words (naming fields, never
 * quoting values, so an error reply cannot echo a secret) or `undefined` when the value is fine.
 * Used by companion-guards.ts on both sides of the boundary.
 */
import { DIFF_CLASSES, type DiffClass } from '../diff/diff-inventories.ts';
import { MAX_ID_LENGTH } from './companion-protocol.ts';
import type { LocalBackupStatus, TransferProgressView } from './views.ts';

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function nonEmptyString(value: unknown, path: string): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? undefined : `${path} must be a non-empty string`;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || typeof value === 'string' ? undefined : `${path} must be a string when given`;
}

export function checkInventoryEntry(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object`;
  if (typeof value.key !== 'string' || value.key === '') return `${path}.key must be a non-empty string`;
  if (!isCount(value.size)) return `${path}.size must be a whole number of bytes`;
  if (value.sizeTolerance !== undefined && !isCount(value.sizeTolerance)) return `${path}.sizeTolerance must be a whole number of bytes when given`;
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

export function checkEntries(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array of entries`;
  for (let i = 0; i < value.length; i++) {
    const problem = checkInventoryEntry(value[i], `${path}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** Checks a bucket connection; the problem names fields only, never values (a secret must not echo back). */
export function checkConnection(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object with endpoint, bucket, accessKeyId and secretAccessKey`;
  for (const field of ['endpoint', 'bucket', 'accessKeyId', 'secretAccessKey'] as const) {
    const problem = nonEmptyString(value[field], `${path}.${field}`);
    if (problem) return problem;
  }
  return optionalString(value.region, `${path}.region`) ?? optionalString(value.sessionToken, `${path}.sessionToken`);
}

export function checkWesenditSource(value: unknown, path: string): string | undefined {
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

export function checkRestoreData(data: unknown): string | undefined {
  if (!isRecord(data)) return 'data must be an object';
  return (
    checkConnection(data.connection, 'data.connection') ??
    optionalString(data.folder, 'data.folder') ??
    optionalString(data.root, 'data.root') ??
    optionalBoolean(data.force, 'data.force') ??
    optionalKeys(data.keys, 'data.keys')
  );
}

/** Longest key list a request may carry ("check again", a restore selection). */
export const MAX_REQUEST_KEYS = 100_000;

function optionalKeys(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_REQUEST_KEYS || !value.every((key) => typeof key === 'string' && key !== '')) {
    return `${path} must be a list of at most ${MAX_REQUEST_KEYS} keys`;
  }
  return undefined;
}

export function checkAuditRunData(data: unknown): string | undefined {
  if (!isRecord(data)) return 'data must be an object';
  const problem = checkConnection(data.connection, 'data.connection') ?? optionalString(data.folder, 'data.folder') ?? optionalString(data.root, 'data.root') ?? optionalKeys(data.onlyKeys, 'data.onlyKeys');
  if (problem) return problem;
  const wesendit = data.wesendit;
  if (wesendit === undefined) return undefined;
  const manifest = isRecord(wesendit) && wesendit.kind === 'manifest' && typeof wesendit.path === 'string' && wesendit.path !== '';
  const upload = isRecord(wesendit) && wesendit.kind === 'upload' && typeof wesendit.uploadId === 'string' && wesendit.uploadId !== '';
  if (!manifest && !upload) return 'data.wesendit must be { kind: "manifest", path } or { kind: "upload", uploadId }';
  return undefined;
}

const AUDIT_MARKS = ['=', '-', '+', '*', '!'];

export function checkAuditRows(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array of rows`;
  for (let i = 0; i < value.length; i++) {
    const row: unknown = value[i];
    if (
      !isRecord(row) ||
      typeof row.key !== 'string' ||
      (row.status !== 'not-yet-arrived' && row.status !== 'unexpected') ||
      typeof row.kind !== 'string' ||
      !AUDIT_MARKS.includes(String(row.mark)) ||
      typeof row.predicted !== 'string' ||
      typeof row.actual !== 'string' ||
      typeof row.proof !== 'string' ||
      !isCount(row.bytes) ||
      (row.restore !== undefined && row.restore !== 'restore' && row.restore !== 'overwrite')
    ) {
      return `${path}[${i}] must be { key, status, kind, mark, predicted, actual, proof, bytes, restore? }`;
    }
  }
  return undefined;
}

function checkCountView(value: unknown, path: string): string | undefined {
  return isRecord(value) && isCount(value.objects) && isCount(value.bytes) ? undefined : `${path} must be { objects, bytes }`;
}

export function checkAuditResult(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || typeof value.folder !== 'string' || typeof value.bucket !== 'string' || typeof value.planCreatedAt !== 'string' || typeof value.policy !== 'string') {
    return `${path} needs folder, bucket, planCreatedAt and policy`;
  }
  if (value.verdict !== 'as-predicted' && value.verdict !== 'not-yet-arrived' && value.verdict !== 'unexpected') return `${path}.verdict is not a review verdict`;
  if (!isCount(value.objects) || !isCount(value.bytes) || !isCount(value.contentChecked)) return `${path} needs objects, bytes and contentChecked`;
  for (const field of ['asPredicted', 'notYetArrived', 'unexpected', 'restore'] as const) {
    const problem = checkCountView(value[field], `${path}.${field}`);
    if (problem) return problem;
  }
  return undefined;
}

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

export function checkDiffRow(value: unknown, path: string): string | undefined {
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

export function checkRows(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array of rows`;
  for (let i = 0; i < value.length; i++) {
    const problem = checkDiffRow(value[i], `${path}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

export function checkDiffTotals(value: unknown, path: string): string | undefined {
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

export function checkMultipartUploads(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || typeof value.supported !== 'boolean' || !isCount(value.count) || !Array.isArray(value.keys)) return `${path} must be { supported, count, keys }`;
  return value.keys.every((key) => typeof key === 'string') ? undefined : `${path}.keys must be strings`;
}

export const TRANSFER_PHASES: readonly TransferProgressView['phase'][] = ['listing', 'copying', 'verifying', 'restoring'];

export function checkTransferProgress(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || !TRANSFER_PHASES.some((phase) => phase === value.phase)) return `${path}.phase must be one of ${TRANSFER_PHASES.join(', ')}`;
  if (!isCount(value.objects) || !isCount(value.bytes) || !isFiniteNumber(value.rate) || !isFiniteNumber(value.bytesPerSecond) || !isFiniteNumber(value.elapsedMs)) {
    return `${path} needs objects, bytes, rate, bytesPerSecond and elapsedMs`;
  }
  if (value.totalObjects !== undefined && !isCount(value.totalObjects)) return `${path}.totalObjects must be a whole number when given`;
  if (value.totalBytes !== undefined && !isCount(value.totalBytes)) return `${path}.totalBytes must be a whole number when given`;
  if (value.etaMs !== undefined && !isFiniteNumber(value.etaMs)) return `${path}.etaMs must be a number when given`;
  return undefined;
}

export function checkRestoreRows(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array of rows`;
  for (let i = 0; i < value.length; i++) {
    const row: unknown = value[i];
    if (!isRecord(row) || typeof row.key !== 'string' || (row.change !== 'deleted' && row.change !== 'changed') || !isCount(row.size)) {
      return `${path}[${i}] must be { key, change: "deleted" | "changed", size }`;
    }
  }
  return undefined;
}

export const LOCAL_BACKUP_STATUSES: readonly LocalBackupStatus[] = ['verified', 'complete', 'incomplete', 'failed-verification'];

function checkLocalBackup(value: unknown, path: string): string | undefined {
  if (!isRecord(value)) return `${path} must be an object`;
  for (const field of ['folder', 'bucket', 'startedAt'] as const) {
    const problem = nonEmptyString(value[field], `${path}.${field}`);
    if (problem) return problem;
  }
  if (!LOCAL_BACKUP_STATUSES.some((status) => status === value.status)) return `${path}.status must be one of ${LOCAL_BACKUP_STATUSES.join(', ')}`;
  for (const field of ['endpoint', 'prefix', 'finishedAt', 'copiedTo', 'problem'] as const) {
    const problem = optionalString(value[field], `${path}.${field}`);
    if (problem) return problem;
  }
  for (const field of ['objects', 'bytes'] as const) {
    if (value[field] !== undefined && !isCount(value[field])) return `${path}.${field} must be a whole number when given`;
  }
  return optionalBoolean(value.hasPlan, `${path}.hasPlan`);
}

/** `backup.list`'s answer: the backups folder, its backups, and the folders skipped with their reasons. */
export function checkBackupList(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || typeof value.root !== 'string' || !Array.isArray(value.backups) || !Array.isArray(value.skipped)) return `${path} must be { root, backups, omitted, skipped, skippedMore }`;
  if (!isCount(value.omitted) || !isCount(value.skippedMore)) return `${path}.omitted and ${path}.skippedMore must be whole numbers`;
  for (let i = 0; i < value.backups.length; i++) {
    const problem = checkLocalBackup(value.backups[i], `${path}.backups[${i}]`);
    if (problem) return problem;
  }
  for (let i = 0; i < value.skipped.length; i++) {
    const note: unknown = value.skipped[i];
    if (!isRecord(note) || typeof note.folder !== 'string' || typeof note.reason !== 'string') return `${path}.skipped[${i}] must be { folder, reason }`;
  }
  return undefined;
}

// ---- external tools -----------------------------------------------------------------------

/** Longest credential field, passphrase or name accepted in a tools request. */
const MAX_TOOL_TEXT = 4096;
const TOOL_NAMES = ['rclone', 'aws'] as const;
const STORAGE_FIELDS = ['storageName', 'permissions', 'allowedIps', 'serverAddress', 'bucketName', 'accessKey', 'secretKey'] as const;

function boundedString(value: unknown, path: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length > MAX_TOOL_TEXT) return `${path} must be a string of at most ${MAX_TOOL_TEXT} characters`;
  return required && value.trim() === '' ? `${path} must not be empty` : undefined;
}

/** A vault storage's seven fields; the bucket, server and key pair must not be empty. Names fields, never values. */
export function checkToolStorage(value: unknown, path: string, needsSecret: boolean): string | undefined {
  if (!isRecord(value)) return `${path} must be an object with the storage's credential fields`;
  for (const field of STORAGE_FIELDS) {
    const required = field === 'serverAddress' || field === 'bucketName' || field === 'accessKey' || (field === 'secretKey' && needsSecret);
    const present = needsSecret || required || value[field] !== undefined;
    const problem = present ? boundedString(value[field], `${path}.${field}`, required) : undefined;
    if (problem) return problem;
  }
  return undefined;
}

function checkToolPassphrase(value: unknown, path: string): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 1024 ? undefined : `${path} must be the passphrase for external tools (1 to 1024 characters)`;
}

function checkAccessKeyList(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value) || value.length > 100) return `${path} must be a list of at most 100 Access Keys`;
  return value.every((key) => typeof key === 'string' && key.length <= MAX_TOOL_TEXT) ? undefined : `${path} must hold Access Keys as strings`;
}

export function checkToolsSetupData(data: unknown): string | undefined {
  if (!isRecord(data)) return 'data must be an object';
  if (!TOOL_NAMES.some((tool) => tool === data.tool)) return `data.tool must be one of ${TOOL_NAMES.join(', ')}`;
  return (
    checkToolStorage(data.storage, 'data.storage', true) ??
    checkToolPassphrase(data.toolPassphrase, 'data.toolPassphrase') ??
    boundedString(data.name, 'data.name', false) ??
    optionalBoolean(data.replace, 'data.replace')
  );
}

export function checkToolsListData(data: unknown): string | undefined {
  if (!isRecord(data)) return 'data must be an object ({} for every tool)';
  if (data.storage !== undefined) {
    const problem = checkToolStorage(data.storage, 'data.storage', false);
    if (problem) return problem;
  }
  return data.oldAccessKeys === undefined ? undefined : checkAccessKeyList(data.oldAccessKeys, 'data.oldAccessKeys');
}

export function checkToolsUpdateData(data: unknown): string | undefined {
  if (!isRecord(data)) return 'data must be an object';
  return checkToolStorage(data.storage, 'data.storage', true) ?? checkAccessKeyList(data.oldAccessKeys, 'data.oldAccessKeys') ?? checkToolPassphrase(data.toolPassphrase, 'data.toolPassphrase');
}

function checkToolEntry(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || !TOOL_NAMES.some((tool) => tool === value.tool)) return `${path}.tool must be one of ${TOOL_NAMES.join(', ')}`;
  for (const field of ['name', 'configPath', 'storageName', 'endpoint', 'bucket', 'accessKey', 'updatedAt'] as const) {
    if (typeof value[field] !== 'string') return `${path}.${field} must be a string`;
  }
  return undefined;
}

export function checkToolsList(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || typeof value.toolKeysPath !== 'string' || typeof value.toolKeysExist !== 'boolean' || !Array.isArray(value.tools)) return `${path} must be { toolKeysPath, toolKeysExist, tools }`;
  for (let i = 0; i < value.tools.length; i++) {
    const problem = checkToolEntry(value.tools[i], `${path}.tools[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

export function checkToolSetup(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || !TOOL_NAMES.some((tool) => tool === value.tool)) return `${path}.tool must be one of ${TOOL_NAMES.join(', ')}`;
  for (const field of ['name', 'configPath', 'toolKeysPath'] as const) if (typeof value[field] !== 'string') return `${path}.${field} must be a string`;
  for (const field of ['toolKeysCreated', 'replaced'] as const) if (typeof value[field] !== 'boolean') return `${path}.${field} must be true or false`;
  const guide = value.guide;
  if (!isRecord(guide) || typeof guide.name !== 'string' || typeof guide.bucket !== 'string' || !Array.isArray(guide.steps) || !Array.isArray(guide.notes)) return `${path}.guide must be { tool, name, bucket, steps, notes }`;
  if (!guide.steps.every((step) => isRecord(step) && typeof step.title === 'string' && typeof step.command === 'string')) return `${path}.guide.steps must be { title, command }`;
  return guide.notes.every((note) => typeof note === 'string') ? undefined : `${path}.guide.notes must be strings`;
}

export function checkToolsUpdate(value: unknown, path: string): string | undefined {
  if (!isRecord(value) || !Array.isArray(value.results)) return `${path} must be { results }`;
  for (let i = 0; i < value.results.length; i++) {
    const result: unknown = value.results[i];
    if (!isRecord(result) || !TOOL_NAMES.some((tool) => tool === result.tool) || !['ok', 'failed', 'skipped'].includes(String(result.status))) return `${path}.results[${i}] must be { tool, name, configPath, bucket, status, message }`;
    for (const field of ['name', 'configPath', 'bucket', 'message'] as const) if (typeof result[field] !== 'string') return `${path}.results[${i}].${field} must be a string`;
  }
  return undefined;
}
