/**
 * Runtime checks of what arrives over `runtime.onMessage`: any extension context (and, through a
 * content script, a hostile page) can put anything in a message, so every request's data is
 * checked before the background acts on it.
 */
import { ConnectGuardError } from '../../shared/errors.ts';
import type { RequestType } from '../../shared/protocol/extension-protocol.ts';
import { isRequestType } from './sender-policy.ts';

export interface ParsedRequest {
  readonly type: RequestType;
  readonly data: Readonly<Record<string, unknown>>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the `{ type, data }` envelope; the data's fields are checked per type by the readers below. */
export function parseRequestEnvelope(message: unknown): ParsedRequest {
  if (!isPlainObject(message) || typeof message.type !== 'string') {
    throw new ConnectGuardError('PROTOCOL_ERROR', 'A request must be an object { type, data }.');
  }
  const { type } = message;
  if (!isRequestType(type)) throw new ConnectGuardError('PROTOCOL_ERROR', `Unknown request type "${type}".`);
  const data = message.data ?? {};
  if (!isPlainObject(data)) throw new ConnectGuardError('PROTOCOL_ERROR', `The data of "${type}" must be an object.`);
  return { type, data };
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
