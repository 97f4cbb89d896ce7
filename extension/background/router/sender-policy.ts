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
  /** The tab the sending frame is in; `url` is present for tabs on origins Connect Guard may access. */
  readonly tab?: { readonly id?: number; readonly url?: string };
  readonly frameId?: number;
}

export interface ExtensionIdentity {
  readonly id: string;
  /** `chrome-extension://<id>/` (Chromium) or `moz-extension://<per-install uuid>/` (Firefox) */
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
 * Loopback (any port) is a gate origin only in the loopback build the tests and the demo load
 * (`wxt build --mode loopback`, see wxt.config.ts); the release build knows WeSendit's origins only.
 */
export const LOOPBACK_IS_GATE_ORIGIN: boolean = import.meta.env.MODE !== 'production';

/** Origins the gate runs on without a grant: WeSendit's web app, and loopback when `loopback` allows it. */
export function isBuiltInGateOrigin(url: URL, loopback = LOOPBACK_IS_GATE_ORIGIN): boolean {
  if (url.protocol === 'https:' && (url.hostname === 'wesendit.com' || url.hostname.endsWith('.wesendit.com'))) return true;
  return loopback && (url.protocol === 'http:' || url.protocol === 'https:') && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
}

/** Does a page URL fall under a granted origin (`https://host` or `https://*.host`)? */
export function matchesExtraOrigin(url: URL, origin: string): boolean {
  const match = /^(https?):\/\/(\*\.)?(.+)$/.exec(origin);
  if (!match) return false;
  const [, scheme, wildcard, host] = match;
  if (url.protocol !== `${scheme}:` || url.port !== '' || host === undefined) return false;
  return wildcard ? url.hostname === host || url.hostname.endsWith(`.${host}`) : url.hostname === host;
}

export function isGateOrigin(url: URL, extraOrigins: readonly string[], loopback = LOOPBACK_IS_GATE_ORIGIN): boolean {
  return isBuiltInGateOrigin(url, loopback) || extraOrigins.some((origin) => matchesExtraOrigin(url, origin));
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

/** Who sent a message that passed the checks. */
export type SenderVerdict =
  /** A content script: its tab and frame, which the gate needs to release the right frame later. */
  | { readonly kind: 'content'; readonly tabId: number; readonly frameId: number }
  /**
   * One of Connect Guard's pages: the popup or a page in its own tab (`framed: false`), or a
   * frame of the dock inside a WeSendit tab (`framed: true`). A framed page's requests do not
   * count as use of the vault: a frame left open in a tab must not keep the vault unlocked.
   */
  | { readonly kind: 'page'; readonly framed: false }
  /** A dock frame: the WeSendit tab it sits in (its top frame is on a gate origin). */
  | { readonly kind: 'page'; readonly framed: true; readonly tabId: number };

/**
 * The web page an extension page is framed in, when it is framed (a dock frame); `undefined` for
 * the popup and a page in its own tab. `null` when the hosting tab's address is not known to
 * Connect Guard (a site it has no access to).
 */
function framingPage(sender: SenderInfo): URL | null | undefined {
  if (sender.tab === undefined || (sender.frameId ?? 0) === 0) return undefined;
  try {
    return sender.tab.url === undefined ? null : new URL(sender.tab.url);
  } catch {
    return null;
  }
}

/**
 * Throws FORBIDDEN_SENDER unless `sender` is of class `from` for the message `type`. Extension
 * pages framed in a tab answer only inside gate origins (WeSendit): a frame of gate.html on any
 * other site, with an id that leaked, gets nothing.
 */
export function assertSenderAllowed(
  from: SenderClass,
  type: string,
  sender: SenderInfo,
  self: ExtensionIdentity,
  extraOrigins: readonly string[],
): SenderVerdict {
  if (from === 'page') {
    if (!isExtensionPageSender(sender, self)) {
      throw new ConnectGuardError('FORBIDDEN_SENDER', `"${type}" may only be asked from Connect Guard's own pages (popup, gate prompt).`);
    }
    const page = framingPage(sender);
    if (page === undefined) return { kind: 'page', framed: false };
    if (page === null || !isGateOrigin(page, extraOrigins)) {
      throw new ConnectGuardError(
        'FORBIDDEN_SENDER',
        `"${type}" came from a Connect Guard page framed in ${page === null ? 'a site Connect Guard has no access to' : page.origin}; its pages answer only in the popup, in their own tab, or beside WeSendit.`,
      );
    }
    const tabId = sender.tab?.id;
    if (tabId === undefined || tabId < 0) throw new ConnectGuardError('FORBIDDEN_SENDER', `"${type}" came from a Connect Guard frame outside any tab.`);
    return { kind: 'page', framed: true, tabId };
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
  return { kind: 'content', tabId, frameId };
}
