/**
 * The background's one route table: every message of shared/protocol/extension-protocol.ts →
 * who may send it → its handler. The router (background-router.ts) checks the envelope, then the
 * sender against the route's `from` (sender-policy.ts), then runs the handler; the sender policy
 * is this table's `from` column, so a new message cannot be added without saying who may send it.
 *
 * The types tie the table to the protocol: a content request must be routed from a content
 * script, a page request from an extension page, and every request type needs a route.
 */
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import type { ContentRequests, PageRequests, PreviewConnectionSource, RequestResult, RequestType, Settings } from '../../../shared/protocol/extension-protocol.ts';
import { parseStorageCredentials } from '../../../shared/vault-format/storage-record.ts';
import { exportHandoff } from '../handoff/export-handoff.ts';
import { gateRotation, gateUpdateTools, setupExternalTool } from '../handoff/external-tools.ts';
import { summarizeConnectForm } from '../preview/connect-form-registry.ts';
import { credentialsFromConnection, resolveConnectionSource } from '../preview/resolve-connection-source.ts';
import {
  readConnectFormValues,
  readConnectionSource,
  readFlag,
  readHandoffRequest,
  readId,
  readListingBatch,
  readOptionalFolder,
  readOptionalKeys,
  readRowQuery,
  readString,
  readToolPassphrase,
  readToolSetupRequest,
  readWesenditSource,
} from './request-guards.ts';
import type { RouterDeps, VaultPort } from './router-deps.ts';
import { senderPageUrl, type SenderClass, type SenderInfo } from './sender-policy.ts';

/** What a handler gets besides the request's data. */
export interface RouteContext {
  readonly deps: RouterDeps;
  readonly sender: SenderInfo;
  /** The sending content script's tab and frame; set for content routes only. */
  readonly frame: { readonly tabId: number; readonly frameId: number } | undefined;
  /** The WeSendit tab a Connect Guard page sits in as a dock frame (from the browser, never from the message). */
  readonly dockTabId?: number;
  readonly settings: Settings;
}

export interface Route<T extends RequestType, From extends SenderClass> {
  /** Who may send this message. */
  readonly from: From;
  /** Runs the request; `data` is an object whose fields the handler checks itself. */
  handle(data: Readonly<Record<string, unknown>>, context: RouteContext): Promise<RequestResult<T>> | RequestResult<T>;
}

type ContentSender = Extract<SenderClass, 'content' | 'content-top-frame'>;

export type RouteTable = { readonly [T in keyof ContentRequests]: Route<T, ContentSender> } & { readonly [T in keyof PageRequests]: Route<T, 'page'> };

function assertUnlocked(vault: VaultPort): void {
  if (!vault.isUnlocked()) {
    throw new ConnectGuardError('VAULT_LOCKED', 'The vault is locked. Unlock it with your vault passphrase first.');
  }
}

/** The tab and frame of a content route's sender (the router sets it for every content route). */
function frameOf(context: RouteContext): { readonly tabId: number; readonly frameId: number } {
  if (context.frame === undefined) throw new ConnectGuardError('FORBIDDEN_SENDER', 'This message may only come from a web page tab.');
  return context.frame;
}

/** A connection source → the bucket connection, resolved in memory (a vault record needs the vault unlocked). */
function resolve(context: RouteContext, source: PreviewConnectionSource): ReturnType<typeof resolveConnectionSource> {
  const { vault, forms } = context.deps;
  return resolveConnectionSource(source, { vault: { isUnlocked: () => vault.isUnlocked(), getStorageCredentials: (id) => vault.getStorageCredentials(id) }, forms });
}

export const ROUTES: RouteTable = {
  // ---- from content scripts in a WeSendit page -------------------------------------------
  'gate.captured': {
    from: 'content',
    async handle(data, context) {
      const { tabId, frameId } = frameOf(context);
      const credentials = parseStorageCredentials(data.credentials);
      // The sender's own frame URL is the origin that counts, not what the message claims.
      const origin = senderPageUrl(context.sender)?.origin ?? 'unknown';
      const record = await context.deps.captures.add({ credentials, origin, tabId, frameId });
      return { captureId: record.captureId };
    },
  },
  'gate.state': {
    from: 'content',
    async handle(data, context) {
      const record = await context.deps.captures.find(readId(data, 'captureId'));
      // Another tab cannot probe captures it did not make.
      return { released: record !== undefined && record.tabId === context.frame?.tabId && record.released };
    },
  },
  'connectForm.captured': {
    from: 'content',
    handle(data, context) {
      const { tabId, frameId } = frameOf(context);
      const origin = senderPageUrl(context.sender)?.origin ?? 'unknown';
      const record = context.deps.forms.add({ values: readConnectFormValues(data), origin, tabId, frameId });
      return { formId: record.formId };
    },
  },
  'review.offer': {
    // A yes or no for the storage page's top frame; the review starts only in the dock's frame.
    from: 'content-top-frame',
    async handle(_data, context) {
      if (context.deps.holds.connectedInTab(frameOf(context).tabId)) return { offer: true };
      const origin = senderPageUrl(context.sender)?.origin;
      return { offer: origin !== undefined && (await context.deps.reviewOffers.offered(origin)) };
    },
  },
  'listing.batch': {
    // The background asks a tab's top frame for its listing; only that frame answers.
    from: 'content-top-frame',
    handle(data, context) {
      const batch = readListingBatch(data);
      const { tabId } = frameOf(context);
      // A listing belongs to the preview or the review that asked for it, by its id.
      return context.deps.audits.hasListing(batch.listingId) ? context.deps.audits.acceptListingBatch(tabId, batch) : context.deps.previews.acceptListingBatch(tabId, batch);
    },
  },
  'connectHold.requested': {
    from: 'content',
    handle(data, context) {
      const { tabId, frameId } = frameOf(context);
      // Only Connect Guard's content script sets this, from the event it saw; absent: not trusted.
      return context.deps.holds.request(readConnectFormValues(data), tabId, frameId, readFlag(data, 'trusted'), senderPageUrl(context.sender)?.origin ?? '');
    },
  },
  'connectHold.state': {
    from: 'content',
    handle(data, context) {
      return context.deps.holds.released(readId(data, 'holdId'), frameOf(context).tabId);
    },
  },

  // ---- from Connect Guard's own pages (popup, gate prompt, preview and hold frames) --------
  'vault.status': { from: 'page', handle: (_data, { deps }) => deps.vault.status() },
  'vault.create': {
    from: 'page',
    async handle(data, { deps }) {
      await deps.vault.create(readString(data, 'passphrase', 1024));
      return deps.vault.status();
    },
  },
  'vault.unlock': {
    from: 'page',
    async handle(data, { deps }) {
      await deps.vault.unlock(readString(data, 'passphrase', 1024));
      return deps.vault.status();
    },
  },
  'vault.lock': {
    from: 'page',
    async handle(_data, { deps }) {
      await deps.vault.lock();
      return deps.vault.status();
    },
  },
  'vault.changePassphrase': {
    from: 'page',
    async handle(data, { deps }) {
      await deps.vault.changePassphrase(readString(data, 'current', 1024), readString(data, 'next', 1024));
      return deps.vault.status();
    },
  },
  'vault.export': {
    from: 'page',
    handle(_data, { deps }) {
      assertUnlocked(deps.vault);
      return deps.vault.exportVault();
    },
  },
  'vault.import': {
    from: 'page',
    handle: (data, { deps }) => deps.vault.importVault(readString(data, 'text', 32 * 1024 * 1024), readString(data, 'passphrase', 1024)),
  },
  'gate.getCapture': {
    from: 'page',
    async handle(data, { deps }) {
      const record = await deps.captures.get(readId(data, 'captureId'));
      return { captureId: record.captureId, credentials: record.credentials, origin: record.origin, released: record.released };
    },
  },
  'gate.save': {
    from: 'page',
    async handle(data, { deps }) {
      const record = await deps.captures.get(readId(data, 'captureId'));
      if (record.released && record.storageId !== undefined) return { storageId: record.storageId, verified: true };
      assertUnlocked(deps.vault);
      const saved = await deps.vault.saveStorage(record.credentials);
      if (saved.verified !== true) {
        throw new ConnectGuardError('VERIFY_FAILED', 'The saved record did not read back identically. The dialog stays held; try "Save to vault" again.');
      }
      await deps.captures.markReleased(record.captureId, saved.id);
      try {
        await deps.notifyReleased(record.tabId, record.frameId, record.captureId);
      } catch {
        // The tab may be gone or reloaded; its gate asks `gate.state` when it comes back.
      }
      return { storageId: saved.id, verified: true };
    },
  },
  'storage.list': {
    from: 'page',
    handle(_data, { deps }) {
      assertUnlocked(deps.vault);
      return deps.vault.listStorages();
    },
  },
  'storage.reveal': {
    from: 'page',
    async handle(data, { deps }) {
      assertUnlocked(deps.vault);
      return { secretKey: await deps.vault.revealSecret(readId(data, 'id')) };
    },
  },
  'storage.copySecret': {
    from: 'page',
    async handle(data, { deps }) {
      assertUnlocked(deps.vault);
      const secret = await deps.vault.revealSecret(readId(data, 'id'));
      return { clearsInSeconds: await deps.copySecret(secret) };
    },
  },
  'storage.delete': {
    from: 'page',
    async handle(data, { deps }) {
      assertUnlocked(deps.vault);
      return { deleted: await deps.vault.deleteStorage(readId(data, 'id')) };
    },
  },
  // The hand-off to a password manager: Connect Guard's own pages only. A content script (and so
  // a hostile WeSendit page) or our page framed on another site gets FORBIDDEN_SENDER before this runs.
  'handoff.export': { from: 'page', handle: (data, { deps }) => exportHandoff(readHandoffRequest(data), deps.vault) },
  // External tools: the vault record goes to the companion in memory, only from Connect Guard's own
  // pages after the user typed the passphrase for external tools there; a content script (and so
  // a hostile WeSendit page) gets FORBIDDEN_SENDER before any of these runs or reads the vault.
  'tools.list': { from: 'page', handle: (_data, { deps }) => deps.companion.request('tools.list', {}, { timeoutMs: 30_000 }) },
  'tools.setup': { from: 'page', handle: (data, { deps }) => setupExternalTool(readToolSetupRequest(data), deps.vault, deps.companion) },
  'gate.rotation': {
    from: 'page',
    async handle(data, { deps }) {
      return gateRotation(await deps.captures.get(readId(data, 'captureId')), deps.vault, deps.companion);
    },
  },
  'gate.updateTools': {
    from: 'page',
    async handle(data, { deps }) {
      const capture = await deps.captures.get(readId(data, 'captureId'));
      return gateUpdateTools(capture, readToolPassphrase(data), deps.vault, deps.companion);
    },
  },
  'settings.get': { from: 'page', handle: (_data, { settings }) => settings },
  'settings.set': { from: 'page', handle: (data, { deps }) => deps.saveSettings(data) },
  'companion.status': {
    from: 'page',
    async handle(_data, { deps }) {
      try {
        const ping = await deps.companion.request('ping', {}, { timeoutMs: 10_000 });
        return { available: true, version: ping.version, protocolVersion: ping.protocolVersion };
      } catch (error) {
        return { available: false, error: toErrorData(error) };
      }
    },
  },
  'connectForm.get': { from: 'page', handle: (data, { deps }) => summarizeConnectForm(deps.forms.get(readId(data, 'formId'))) },
  'connectForm.latest': {
    from: 'page',
    handle(_data, { deps }) {
      const latest = deps.forms.latest();
      return latest === undefined ? null : summarizeConnectForm(latest);
    },
  },
  'storage.saveConnection': {
    from: 'page',
    async handle(data, context) {
      const source = readConnectionSource(data, 'source');
      if (source.kind === 'vault') throw new ConnectGuardError('INVALID_INPUT', 'This connection is already in the vault.');
      const storageName = readString(data, 'storageName', 200).trim();
      if (storageName === '') throw new ConnectGuardError('INVALID_INPUT', 'Give the storage a name to find it by in the vault.');
      assertUnlocked(context.deps.vault);
      const { connection } = await resolve(context, source);
      const saved = await context.deps.vault.saveStorage(credentialsFromConnection(connection, storageName));
      if (saved.verified !== true) throw new ConnectGuardError('VERIFY_FAILED', 'The saved record did not read back identically. Try "Save to vault" again.');
      return { storageId: saved.id, verified: true };
    },
  },
  'doctor.run': {
    from: 'page',
    async handle(data, context) {
      const resolved = await resolve(context, readConnectionSource(data, 'connection'));
      const allowedIps = data.allowedIps === undefined ? resolved.allowedIps : readString(data, 'allowedIps', 4096);
      return context.deps.companion.request('doctor', { connection: resolved.connection, ...(allowedIps !== undefined ? { allowedIps } : {}) }, { timeoutMs: 60_000 });
    },
  },
  'preview.start': {
    from: 'page',
    async handle(data, { deps }) {
      const prefix = data.prefix === undefined ? undefined : readString(data, 'prefix', 1024);
      const state = await deps.previews.start(readConnectionSource(data, 'connection'), readWesenditSource(data, 'wesendit'), prefix);
      // The user saw this bucket and its address in Connect Guard's page and started the preview.
      deps.holds.noteUserConnection(state.bucket);
      return state;
    },
  },
  'preview.state': { from: 'page', handle: (data, { deps }) => deps.previews.state(readId(data, 'previewId')) },
  'preview.latest': { from: 'page', handle: (_data, { deps }) => deps.previews.latest() },
  'preview.cancel': { from: 'page', handle: (data, { deps }) => deps.previews.cancel(readId(data, 'previewId')) },
  'preview.rows': { from: 'page', handle: (data, { deps }) => deps.previews.rows(readRowQuery(data)) },
  'preview.export': {
    from: 'page',
    handle(data, { deps }) {
      const { format, part } = data;
      if (format !== 'csv' && format !== 'ndjson') throw new ConnectGuardError('INVALID_INPUT', '"format" must be "csv" or "ndjson".');
      if (typeof part !== 'number' || !Number.isSafeInteger(part) || part < 0) throw new ConnectGuardError('INVALID_INPUT', '"part" must be a whole number from 0.');
      return deps.previews.exportPart(readId(data, 'previewId'), format, part);
    },
  },
  'connectHold.get': { from: 'page', handle: (data, { deps }) => deps.holds.state(readId(data, 'holdId')) },
  'connectHold.cancel': { from: 'page', handle: (data, { deps }) => deps.holds.cancel(readId(data, 'holdId')) },
  'connectHold.retry': { from: 'page', handle: (data, { deps }) => deps.holds.retry(readId(data, 'holdId')) },
  'connectHold.connectAnyway': { from: 'page', handle: (data, { deps }) => deps.holds.connectAnyway(readId(data, 'holdId')) },
  'connectHold.approve': { from: 'page', handle: (data, { deps }) => deps.holds.approve(readId(data, 'holdId')) },
  'backup.start': {
    from: 'page',
    async handle(data, { deps }) {
      const state = await deps.backups.start(readConnectionSource(data, 'connection'));
      deps.holds.noteUserConnection(state.bucket);
      return state;
    },
  },
  'backup.state': { from: 'page', handle: (data, { deps }) => deps.backups.state(readId(data, 'backupId')) },
  'backup.latest': { from: 'page', handle: (_data, { deps }) => deps.backups.latest() },
  'backup.cancel': { from: 'page', handle: (data, { deps }) => deps.backups.cancel(readId(data, 'backupId')) },
  // Folder names and paths of this computer: Connect Guard's own pages only, never a web page's content script.
  'backup.list': { from: 'page', handle: (_data, { deps }) => deps.companion.request('backup.list', {}, { timeoutMs: 30_000 }) },
  'restore.plan': {
    from: 'page',
    handle: (data, { deps }) => deps.restores.plan(readConnectionSource(data, 'connection'), readOptionalFolder(data, 'folder'), readFlag(data, 'force'), readOptionalKeys(data, 'keys')),
  },
  'restore.state': { from: 'page', handle: (data, { deps }) => deps.restores.state(readId(data, 'restoreId')) },
  'restore.apply': { from: 'page', handle: (data, { deps }) => deps.restores.apply(readId(data, 'restoreId')) },
  // The review lists the bucket with the user's keys: only Connect Guard's own pages start it,
  // after the user clicked "Review sync result" there; never a content script or the page.
  'audit.start': {
    from: 'page',
    handle(data, { deps, dockTabId }) {
      const fromTab = readFlag(data, 'wesenditFromTab');
      if (fromTab && dockTabId === undefined) {
        throw new ConnectGuardError('INVALID_INPUT', 'WeSendit\'s file browser can be read only by the review in the Connect Guard dock on WeSendit\'s storage page. Open the storage\'s files there, or pick a manifest file.');
      }
      const wesendit = fromTab && dockTabId !== undefined ? { tabId: dockTabId } : { manifest: readOptionalFolder(data, 'wesenditManifest') };
      return deps.audits.start(readConnectionSource(data, 'connection'), readOptionalFolder(data, 'folder'), wesendit);
    },
  },
  'audit.state': { from: 'page', handle: (data, { deps }) => deps.audits.state(readId(data, 'auditId')) },
  'audit.checkAgain': { from: 'page', handle: (data, { deps }) => deps.audits.checkAgain(readId(data, 'auditId')) },
};

/** Is `type` a message the background routes? */
export function isRequestType(type: string): type is RequestType {
  return Object.prototype.hasOwnProperty.call(ROUTES, type);
}

/** Who may send `type`: the table's `from` column. */
export function senderClassOf(type: RequestType): SenderClass {
  return ROUTES[type].from;
}

/** Runs `type`'s handler. TypeScript cannot index a mapped table with a type parameter, so this widens once. */
export function runRoute(type: RequestType, data: Readonly<Record<string, unknown>>, context: RouteContext): Promise<unknown> {
  const route: Route<RequestType, SenderClass> = ROUTES[type];
  return Promise.resolve(route.handle(data, context));
}
