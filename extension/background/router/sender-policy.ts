/**
 * Who may ask the background for what (Dark Reader's allow-list idea). A content script runs
 * inside a page the page's own scripts can influence, so it may only report a capture, ask
 * whether it was released, hand over a connect form's values, ask for a connect hold and whether
 * it was released, and send the WeSendit listing the background asked its tab for; it never gets a secret and can never unlock. Everything else needs an
 * extension page: the gate prompt frame, the popup or the offscreen document.
 */
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { ContentRequests, PageRequests, RequestType } from '../../../shared/protocol/extension-protocol.ts';

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

const CONTENT_TYPES: ReadonlySet<string> = new Set<keyof ContentRequests>([
  'gate.captured',
  'gate.state',
  'connectForm.captured',
  'listing.batch',
  'connectHold.requested',
  'connectHold.state',
]);
const PAGE_TYPES: ReadonlySet<string> = new Set<keyof PageRequests>([
  'vault.status',
  'vault.create',
  'vault.unlock',
  'vault.lock',
  'vault.changePassphrase',
  'vault.export',
  'vault.import',
  'gate.getCapture',
  'gate.save',
  'storage.list',
  'storage.reveal',
  'storage.copySecret',
  'storage.delete',
  'settings.get',
  'settings.set',
  'companion.status',
  'connectForm.get',
  'connectForm.latest',
  'storage.saveConnection',
  'doctor.run',
  'preview.start',
  'preview.state',
  'preview.latest',
  'preview.cancel',
  'preview.rows',
  'preview.export',
  'connectHold.get',
  'connectHold.cancel',
  'connectHold.retry',
  'connectHold.connectAnyway',
  'backup.start',
  'backup.state',
  'backup.latest',
  'backup.cancel',
  'restore.plan',
  'restore.state',
  'restore.apply',
]);

export function isContentRequestType(type: string): type is keyof ContentRequests {
  return CONTENT_TYPES.has(type);
}

export function isPageRequestType(type: string): type is keyof PageRequests {
  return PAGE_TYPES.has(type);
}

export function isRequestType(type: string): type is RequestType {
  return isContentRequestType(type) || isPageRequestType(type);
}

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
 * Throws FORBIDDEN_SENDER unless `sender` may send `type`. Returns the tab and frame of a content
 * script sender, which the gate needs to release the right frame later.
 */
export function assertSenderAllowed(
  type: RequestType,
  sender: SenderInfo,
  self: ExtensionIdentity,
  extraOrigins: readonly string[],
): { tabId: number; frameId: number } | undefined {
  if (isPageRequestType(type)) {
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
  return { tabId, frameId: sender.frameId ?? 0 };
}
