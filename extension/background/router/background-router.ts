/**
 * The background's one message router over shared/protocol/extension-protocol.ts: it checks the
 * envelope, then the sender against the route's `from` (routes.ts, sender-policy.ts), runs the
 * route's handler (which checks each field) and replies `{ ok } | { error }`. The background
 * alone holds the vault key; no content route returns a secret.
 */
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import type { Reply, RequestType } from '../../../shared/protocol/extension-protocol.ts';
import { isPlainObject } from './request-guards.ts';
import type { RouterDeps } from './router-deps.ts';
import { isRequestType, runRoute, senderClassOf } from './routes.ts';
import { assertSenderAllowed, type ExtensionIdentity, type SenderInfo, type SenderVerdict } from './sender-policy.ts';

export type { RouterDeps, VaultPort } from './router-deps.ts';

export interface ParsedRequest {
  readonly type: RequestType;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Checks the `{ type, data }` envelope; the data's fields are checked by each route's handler. */
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

/** Throws FORBIDDEN_SENDER unless `sender` may send `type` (the route table's `from`). */
export function assertRequestSender(type: RequestType, sender: SenderInfo, self: ExtensionIdentity, extraOrigins: readonly string[]): SenderVerdict {
  return assertSenderAllowed(senderClassOf(type), type, sender, self, extraOrigins);
}

export function createBackgroundRouter(deps: RouterDeps): (message: unknown, sender: SenderInfo) => Promise<Reply<unknown>> {
  async function run(message: unknown, sender: SenderInfo): Promise<unknown> {
    const { type, data } = parseRequestEnvelope(message);
    const settings = await deps.loadSettings();
    const verdict = assertRequestSender(type, sender, deps.self, settings.extraOrigins);
    const frame = verdict.kind === 'content' ? { tabId: verdict.tabId, frameId: verdict.frameId } : undefined;
    const dockTabId = verdict.kind === 'page' && verdict.framed ? verdict.tabId : undefined;
    const result = await runRoute(type, data, { deps, sender, frame, dockTabId, settings });
    // Only the popup and Connect Guard's own tabs count as use: neither a web page nor a frame
    // left open in one can keep the vault unlocked.
    if (verdict.kind === 'page' && !verdict.framed) await deps.noteVaultUse();
    return result;
  }

  return async (message, sender) => {
    try {
      return { ok: await run(message, sender) };
    } catch (error) {
      return { error: toErrorData(error) };
    }
  };
}
