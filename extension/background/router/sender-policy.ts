/**
 * Who may ask the background for what (Dark Reader's allow-list idea): the checks behind the
 * `from` column of routes.ts. A content script runs inside a page the page's own scripts can
 * influence, so its routes only report a capture, ask whether it was released, hand over a
 * connect form's values, ask for a connect hold and whether it was released, and send the
 * WeSendit listing the background asked its tab for; it never gets a secret and can never
 * unlock. Everything else needs one of Connect Guard's own extension pages.
 */
import { ConnectGuardError } from '../../../shared/errors.ts';

/** The fields of `runtime.MessageSender` the policy reads. */
export interface SenderInfo {
  readonly id?: string;
  readonly url?: string;
  /** Chromium's origin of the sending frame; unlike `url` it is right for about:blank frames too. */
  readonly origin?: string;
  readonly tab?: { readonly id?: number };
  readonly frameId?: number;
}

export interface ExtensionIdentity {
  readonly id: string;
  /** `chrome-extension://<id>/` */
  readonly baseUrl: string;
}

/**
 * Who may send a message (the `from` column of routes.ts):
 * - `content`: a content script in a web page tab on a gate origin, any frame;
 * - `content-top-frame`: the same, but only the tab's top frame;
 * - `page`: one of Connect Guard's own extension pages (popup, gate prompt, preview and hold frames).
 */
export type SenderClass = 'content' | 'content-top-frame' | 'page';

/**
 * Origins the gate runs on without a grant: WeSendit's web app and loopback (demo and tests).
 * Loopback matches any port, like the manifest's `http://127.0.0.1/*` pattern.
 */
export function isBuiltInGateOrigin(url: URL): boolean {
  if (url.protocol === 'https:' && (url.hostname === 'wesendit.com' || url.hostname.endsWith('.wesendit.com'))) return true;
  return (url.protocol === 'http:' || url.protocol === 'https:') && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
}

/** Does a page URL fall under a granted origin (`https://host` or `https://*.host`)? */
export function matchesExtraOrigin(url: URL, origin: string): boolean {
  const match = /^(https?):\/\/(\*\.)?(.+)$/.exec(origin);
  if (!match) return false;
  const [, scheme, wildcard, host] = match;
  if (url.protocol !== `${scheme}:` || url.port !== '' || host === undefined) return false;
  return wildcard ? url.hostname === host || url.hostname.endsWith(`.${host}`) : url.hostname === host;
}

export function isGateOrigin(url: URL, extraOrigins: readonly string[]): boolean {
  return isBuiltInGateOrigin(url) || extraOrigins.some((origin) => matchesExtraOrigin(url, origin));
}

export function isExtensionPageSender(sender: SenderInfo, self: ExtensionIdentity): boolean {
  return sender.id === self.id && typeof sender.url === 'string' && sender.url.startsWith(self.baseUrl);
}

/** The sending frame's origin (preferred) or URL, parsed; `undefined` when neither is usable. */
export function senderPageUrl(sender: SenderInfo): URL | undefined {
  const source = sender.origin !== undefined && sender.origin !== 'null' ? sender.origin : sender.url;
  if (source === undefined) return undefined;
  try {
    return new URL(source);
  } catch {
    return undefined;
  }
}

/**
 * Throws FORBIDDEN_SENDER unless `sender` is of class `from` for the message `type`. Returns the
 * tab and frame of a content script sender, which the gate needs to release the right frame later.
 */
export function assertSenderAllowed(
  from: SenderClass,
  type: string,
  sender: SenderInfo,
  self: ExtensionIdentity,
  extraOrigins: readonly string[],
): { tabId: number; frameId: number } | undefined {
  if (from === 'page') {
    if (!isExtensionPageSender(sender, self)) {
      throw new ConnectGuardError('FORBIDDEN_SENDER', `"${type}" may only be asked from Connect Guard's own pages (popup, gate prompt).`);
    }
    return undefined;
  }
  const tabId = sender.tab?.id;
  const url = senderPageUrl(sender);
  if (sender.id !== self.id || tabId === undefined || tabId < 0 || url === undefined || isExtensionPageSender(sender, self)) {
    throw new ConnectGuardError('FORBIDDEN_SENDER', `"${type}" may only come from the gate running in a web page tab.`);
  }
  if (!isGateOrigin(url, extraOrigins)) {
    throw new ConnectGuardError(
      'FORBIDDEN_SENDER',
      `The gate is not enabled on ${url.origin}. Add the origin in Connect Guard's settings if it is a WeSendit portal.`,
    );
  }
  const frameId = sender.frameId ?? 0;
  if (from === 'content-top-frame' && frameId !== 0) {
    throw new ConnectGuardError('FORBIDDEN_SENDER', `"${type}" may only come from the top frame of the tab that was asked.`);
  }
  return { tabId, frameId };
}
