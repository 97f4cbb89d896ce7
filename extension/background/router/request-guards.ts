/**
 * Runtime checks of what arrives over `runtime.onMessage`: any extension context (and, through a
 * content script, a hostile page) can put anything in a message, so every request's data is
 * checked before the background acts on it.
 */
import { countInventoryLines } from '../../../shared/inventory-lines.ts';
import { DIFF_CLASSES, type DiffClass } from '../../../shared/diff/diff-inventories.ts';
import { ConnectGuardError, isErrorData, type ErrorData } from '../../../shared/errors.ts';
import { HANDOFF_FORMATS, type HandoffFormat } from '../../../shared/handoff-formats/handoff-entry.ts';
import { EXTERNAL_TOOLS, type ConnectFormValues, type HandoffScope, type PreviewConnectionSource, type PreviewRowQuery, type PreviewWesenditSource, type ToolSetupRequest } from '../../../shared/protocol/extension-protocol.ts';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field of at most `maxLength` characters. */
export function readString(data: Readonly<Record<string, unknown>>, field: string, maxLength = 4096): string {
  const value = data[field];
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new ConnectGuardError('INVALID_INPUT', `"${field}" must be text of at most ${maxLength} characters.`);
  }
  return value;
}

/** A non-empty id (capture ids are UUIDs, storage ids base64url HMACs). */
export function readId(data: Readonly<Record<string, unknown>>, field: string): string {
  const value = readString(data, field, 200);
  if (!/^[A-Za-z0-9_=+/-]+$/.test(value)) throw new ConnectGuardError('INVALID_INPUT', `"${field}" is not a valid id.`);
  return value;
}

const MAX_FIELD = 4096;

function field(record: Readonly<Record<string, unknown>>, name: string, path: string, maxLength = MAX_FIELD): string {
  const value = record[name];
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new ConnectGuardError('INVALID_INPUT', `"${path}.${name}" must be text of at most ${maxLength} characters.`);
  }
  return value;
}

function optionalField(record: Readonly<Record<string, unknown>>, name: string, path: string, maxLength = MAX_FIELD): string | undefined {
  return record[name] === undefined ? undefined : field(record, name, path, maxLength);
}

function objectAt(data: Readonly<Record<string, unknown>>, name: string): Readonly<Record<string, unknown>> {
  const value = data[name];
  if (!isPlainObject(value)) throw new ConnectGuardError('INVALID_INPUT', `"${name}" must be an object.`);
  return value;
}

/** The values of a WeSendit connect form, as the content feature read them. */
export function readConnectFormValues(data: Readonly<Record<string, unknown>>): ConnectFormValues {
  const form = objectAt(data, 'form');
  return {
    provider: field(form, 'provider', 'form', 200),
    endpoint: field(form, 'endpoint', 'form', 2048),
    region: field(form, 'region', 'form', 200),
    bucket: field(form, 'bucket', 'form', 255),
    accessKey: field(form, 'accessKey', 'form', 1024),
    secretKey: field(form, 'secretKey', 'form', 4096),
  };
}

/** Entries per `listing.batch` (a tab sends its listing in slices). */
export const MAX_LISTING_BATCH = 50_000;
/** Characters of packed lines per `listing.batch` (keys of up to 1,024 characters fit 50,000 times). */
export const MAX_LISTING_BATCH_CHARS = 32 * 1024 * 1024;

/**
 * A slice of the tab's listing: its packed lines are passed on as they are (the companion checks
 * each line); here only their shape and their count.
 */
export function readListingBatch(data: Readonly<Record<string, unknown>>): { listingId: string; lines: string; count: number; done: boolean; error?: ErrorData } {
  const listingId = readId(data, 'listingId');
  if (typeof data.done !== 'boolean') throw new ConnectGuardError('INVALID_INPUT', '"done" must be true or false.');
  const { lines, count } = data;
  if (typeof lines !== 'string' || lines.length > MAX_LISTING_BATCH_CHARS) {
    throw new ConnectGuardError('INVALID_INPUT', `"lines" must be the packed entries, at most ${MAX_LISTING_BATCH_CHARS} characters; send a longer listing in several batches.`);
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_LISTING_BATCH) {
    throw new ConnectGuardError('INVALID_INPUT', `"count" must be the number of entries, at most ${MAX_LISTING_BATCH} per batch.`);
  }
  if (countInventoryLines(lines) !== count) throw new ConnectGuardError('INVALID_INPUT', `"lines" holds ${countInventoryLines(lines)} entries, not the ${count} that "count" says.`);
  if (data.error !== undefined && !isErrorData(data.error)) throw new ConnectGuardError('INVALID_INPUT', '"error" must be { code, message } with a known code.');
  return { listingId, lines, count, done: data.done, ...(data.error !== undefined && isErrorData(data.error) ? { error: { code: data.error.code, message: data.error.message.slice(0, 2000) } } : {}) };
}

export function readConnectionSource(data: Readonly<Record<string, unknown>>, name: string): PreviewConnectionSource {
  const source = objectAt(data, name);
  switch (source.kind) {
    case 'vault':
      return { kind: 'vault', storageId: readId(source, 'storageId') };
    case 'form':
      return { kind: 'form', formId: readId(source, 'formId') };
    case 'direct': {
      const connection = objectAt(source, 'connection');
      const path = `${name}.connection`;
      const region = optionalField(connection, 'region', path, 200);
      const sessionToken = optionalField(connection, 'sessionToken', path, 8192);
      return {
        kind: 'direct',
        connection: {
          endpoint: field(connection, 'endpoint', path, 2048),
          bucket: field(connection, 'bucket', path, 255),
          accessKeyId: field(connection, 'accessKeyId', path, 1024),
          secretAccessKey: field(connection, 'secretAccessKey', path, 4096),
          ...(region !== undefined ? { region } : {}),
          ...(sessionToken !== undefined ? { sessionToken } : {}),
        },
      };
    }
    default:
      throw new ConnectGuardError('INVALID_INPUT', `"${name}.kind" must be "vault", "form" or "direct".`);
  }
}

export function readWesenditSource(data: Readonly<Record<string, unknown>>, name: string): PreviewWesenditSource {
  const source = objectAt(data, name);
  switch (source.kind) {
    case 'tab': {
      const { tabId } = source;
      if (tabId === undefined) return { kind: 'tab' };
      if (typeof tabId !== 'number' || !Number.isSafeInteger(tabId) || tabId < 0) throw new ConnectGuardError('INVALID_INPUT', `"${name}.tabId" must be a tab id.`);
      return { kind: 'tab', tabId };
    }
    case 'manifest':
    case 'folder': {
      const path = field(source, 'path', name, 4096);
      if (path.trim() === '') throw new ConnectGuardError('INVALID_INPUT', `"${name}.path" must name a ${source.kind === 'folder' ? 'folder' : 'manifest file'} on this computer.`);
      return { kind: source.kind, path };
    }
    case 'empty':
      return { kind: 'empty' };
    default:
      throw new ConnectGuardError('INVALID_INPUT', `"${name}.kind" must be "tab", "manifest", "folder" or "empty".`);
  }
}

function isDiffClass(value: unknown): value is DiffClass {
  return typeof value === 'string' && DIFF_CLASSES.some((name) => name === value);
}

export function readRowQuery(data: Readonly<Record<string, unknown>>): PreviewRowQuery {
  const previewId = readId(data, 'previewId');
  const { offset, limit, classes, atRisk } = data;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new ConnectGuardError('INVALID_INPUT', '"offset" must be a whole number from 0.');
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0 || limit > 1000) throw new ConnectGuardError('INVALID_INPUT', '"limit" must be a whole number from 0 to 1000.');
  let chosen: DiffClass[] | undefined;
  if (classes !== undefined) {
    if (!Array.isArray(classes) || !classes.every(isDiffClass)) throw new ConnectGuardError('INVALID_INPUT', `"classes" must list classes among ${DIFF_CLASSES.join(', ')}.`);
    chosen = classes.filter(isDiffClass);
  }
  if (atRisk !== undefined && atRisk !== 'newer-wins' && atRisk !== 'wesendit-wins') throw new ConnectGuardError('INVALID_INPUT', '"atRisk" must be "newer-wins" or "wesendit-wins".');
  const search = optionalField(data, 'search', 'query', 1024);
  return { previewId, offset, limit, ...(chosen ? { classes: chosen } : {}), ...(search !== undefined ? { search } : {}), ...(atRisk !== undefined ? { atRisk } : {}) };
}

/** An optional backup folder on this computer (`folder` of a restore). */
export function readOptionalFolder(data: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = data[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 4096) {
    throw new ConnectGuardError('INVALID_INPUT', `"${name}" must name a backup folder on this computer (or be left out for the newest backup).`);
  }
  return value;
}

/** An optional list of object keys (a restore selection), at most 100,000. */
export function readOptionalKeys(data: Readonly<Record<string, unknown>>, name: string): readonly string[] | undefined {
  const value = data[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 100_000 || !value.every((key): key is string => typeof key === 'string' && key !== '' && key.length <= 4096)) {
    throw new ConnectGuardError('INVALID_INPUT', `"${name}" must be a list of object keys.`);
  }
  return value;
}

/** An optional yes/no field (false when absent). */
export function readFlag(data: Readonly<Record<string, unknown>>, name: string): boolean {
  const value = data[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ConnectGuardError('INVALID_INPUT', `"${name}" must be true or false.`);
  return value;
}

/** A `handoff.export` request: the format, which storages, and the file's passphrase typed twice. */
export function readHandoffRequest(data: Readonly<Record<string, unknown>>): { format: HandoffFormat; scope: HandoffScope; passphrase: string; confirmation: string } {
  const format = HANDOFF_FORMATS.find((known) => known === data.format);
  if (format === undefined) throw new ConnectGuardError('INVALID_INPUT', `"format" must be one of ${HANDOFF_FORMATS.join(', ')}.`);
  const scope = objectAt(data, 'scope');
  let parsed: HandoffScope;
  if (scope.kind === 'all') parsed = { kind: 'all' };
  else if (scope.kind === 'storage') parsed = { kind: 'storage', storageId: readId(scope, 'storageId') };
  else throw new ConnectGuardError('INVALID_INPUT', '"scope.kind" must be "all" or "storage".');
  return { format, scope: parsed, passphrase: readString(data, 'passphrase', 1024), confirmation: readString(data, 'confirmation', 1024) };
}

/** A `tools.setup` request: which tool, which saved storage, the passphrase for external tools, an optional name, and "Replace". */
export function readToolSetupRequest(data: Readonly<Record<string, unknown>>): ToolSetupRequest {
  const tool = EXTERNAL_TOOLS.find((known) => known === data.tool);
  if (tool === undefined) throw new ConnectGuardError('INVALID_INPUT', `"tool" must be one of ${EXTERNAL_TOOLS.join(', ')} (mc gets printed steps only).`);
  const name = data.name === undefined ? '' : readString(data, 'name', 64).trim();
  return {
    tool,
    storageId: readId(data, 'storageId'),
    toolPassphrase: readToolPassphrase(data),
    ...(name !== '' ? { name } : {}),
    ...(readFlag(data, 'replace') ? { replace: true } : {}),
  };
}

/** The passphrase for external tools (it opens the companion's tool key file). */
export function readToolPassphrase(data: Readonly<Record<string, unknown>>): string {
  const passphrase = readString(data, 'toolPassphrase', 1024);
  if (passphrase === '') throw new ConnectGuardError('INVALID_INPUT', 'Type the passphrase for external tools.');
  return passphrase;
}
