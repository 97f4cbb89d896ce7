/**
 * Typed messaging to the background, the one owner of the vault and the native port.
 * Replies are `{ ok } | { error }`; an error reply is rethrown here as a ConnectGuardError.
 */
import { browser } from 'wxt/browser';
import { ConnectGuardError, fromErrorData } from '../../shared/errors.ts';
import type {
  Reply,
  Request,
  RequestData,
  RequestResult,
  RequestType,
} from '../../shared/protocol/extension-protocol.ts';

export async function sendToBackground<T extends RequestType>(
  type: T,
  data: RequestData<T>,
): Promise<RequestResult<T>> {
  const request: Request<T> = { type, data };
  const reply: unknown = await browser.runtime.sendMessage(request);
  if (!isReply(reply)) {
    throw new ConnectGuardError('PROTOCOL_ERROR', `No valid reply from the extension background to "${type}". Reload the extension.`);
  }
  if ('error' in reply) throw fromErrorData(reply.error);
  // The background answers each type with that type's result (one shared contract).
  return reply.ok as RequestResult<T>;
}

function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if ('ok' in value) return true;
  if (!('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}
