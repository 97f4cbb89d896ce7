/**
 * Wires the background: the vault service over IndexedDB, the vault key kept in
 * `storage.session` across service-worker restarts, auto-lock, clipboard clearing, the gate's
 * captures, settings and the extra-origin content script, behind one message router.
 *
 * Listeners are added synchronously when this starts (an MV3 worker woken by an event only
 * delivers it to listeners registered in the first turn); each handler first awaits `ready`,
 * which restores a key kept from before a restart.
 */
import { ConnectGuardError } from '../../shared/errors.ts';
import type { Reply, Settings, TabMessages } from '../../shared/protocol/extension-protocol.ts';
import { VaultService, type VaultServiceOptions, type VaultStore } from '../../shared/vault-format/vault-service.ts';
import { createBrowserBackground, type BackgroundBrowser } from '../adapters/background-browser.ts';
import { backgroundClipboard } from '../adapters/clipboard.ts';
import { createBrowserCompanionPort } from '../adapters/companion-port.ts';
import { createIdbPreviewArchive } from '../adapters/idb-preview-archive.ts';
import { createIdbVaultStore } from '../adapters/idb-vault-store.ts';
import { reviewOfferStore } from '../adapters/review-offer-store.ts';
import {
  clearSessionVaultKey,
  findLastVaultUse,
  findSessionVaultKey,
  restrictSessionToTrustedContexts,
  saveLastVaultUse,
  saveSessionVaultKey,
} from '../adapters/session-key.ts';
import { loadSettings, mergeSettings, originToMatchPattern, saveSettings } from '../adapters/settings-store.ts';
import { AutoLock } from './vault/auto-lock.ts';
import { BackupService, type TransferCompanion } from './transfers/backup-service.ts';
import { createBackgroundRouter, type VaultPort } from './router/background-router.ts';
import { CaptureRegistry } from './gate/capture-registry.ts';
import { ClipboardClear, type ClipboardPort, type PendingClear } from './vault/clipboard-clear.ts';
import { ConnectFormRegistry } from './preview/connect-form-registry.ts';
import { ConnectHoldService } from './transfers/connect-hold-service.ts';
import { resolveConnectionSource } from './preview/resolve-connection-source.ts';
import type { PreviewArchive } from './preview/preview-archive.ts';
import type { CompanionClient } from './companion/companion-client.ts';
import { PreviewService } from './preview/preview-service.ts';
import { syncExtraOriginScripts } from './settings/extra-origins.ts';
import { RestoreService } from './transfers/restore-service.ts';
import { AuditService } from './transfers/audit-service.ts';
import { ReviewOffers, type ReviewOfferStore } from './transfers/review-offers.ts';
import type { SenderInfo } from './router/sender-policy.ts';

const PENDING_CLEAR_KEY = 'connectGuard.pendingClipboardClear';

export interface BackgroundOptions {
  /** Default: IndexedDB (`createIdbVaultStore()`). */
  readonly store?: VaultStore;
  /** Default: production KDF cost and floor. Tests lower them to stay fast. */
  readonly vaultOptions?: VaultServiceOptions;
  /** Default: the offscreen document. */
  readonly clipboard?: ClipboardPort;
  /** Default: the native port to the companion (`runtime.connectNative`). */
  readonly companion?: CompanionClient;
  readonly now?: () => number;
  /** Default: the browser's own APIs (adapters/background-browser.ts). */
  readonly browser?: BackgroundBrowser;
  /** Default: IndexedDB (`createIdbPreviewArchive()`). */
  readonly previewArchive?: PreviewArchive;
  /** Default: `storage.local` (adapters/review-offer-store.ts). */
  readonly reviewOfferStore?: ReviewOfferStore;
}

export interface BackgroundRuntime {
  /** Resolves once a key kept from before a restart was restored (or found expired). */
  readonly ready: Promise<void>;
  readonly service: VaultService;
  readonly autoLock: AutoLock;
  readonly clipboard: ClipboardClear;
  readonly previews: PreviewService;
  readonly holds: ConnectHoldService;
  handleMessage(message: unknown, sender: SenderInfo): Promise<Reply<unknown>>;
}

function isPendingClear(value: unknown): value is PendingClear {
  return typeof value === 'object' && value !== null && 'hash' in value && typeof value.hash === 'string' && 'clearAt' in value && typeof value.clearAt === 'number';
}

/** The content feature's answer to `listing.collect`: `{ started }`, bare or as an `{ ok }` reply. */
function listingStarted(reply: unknown): boolean {
  if (typeof reply !== 'object' || reply === null) return false;
  const value: unknown = 'ok' in reply ? reply.ok : reply;
  return typeof value === 'object' && value !== null && 'started' in value && value.started === true;
}

/** A backup or restore of a large bucket over a slow link may take hours. */
const TRANSFER_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/** The companion's backup and restore requests over the native port. */
export function transferCompanion(companion: CompanionClient): TransferCompanion {
  return {
    probe: (connection, { signal }) => companion.request('bucket.probe', { connection }, { signal, timeoutMs: 60_000 }),
    backup: (connection, { signal, onProgress }) => companion.request('backup.run', { connection }, { signal, timeoutMs: TRANSFER_TIMEOUT_MS, ...(onProgress ? { onProgress } : {}) }),
    restorePlan: (data, { signal, onProgress, onRows }) =>
      companion.request('restore.plan', data, { signal, timeoutMs: TRANSFER_TIMEOUT_MS, onChunk: (rows) => onRows(rows), ...(onProgress ? { onProgress } : {}) }),
    restoreApply: (data, { signal, onProgress }) => companion.request('restore.apply', data, { signal, timeoutMs: TRANSFER_TIMEOUT_MS, ...(onProgress ? { onProgress } : {}) }),
    audit: (data, { signal, onProgress, onRows }) =>
      companion.request('audit.run', data, { signal, timeoutMs: TRANSFER_TIMEOUT_MS, onChunk: (rows) => onRows(rows), ...(onProgress ? { onProgress } : {}) }),
  };
}

export function startBackground(options: BackgroundOptions = {}): BackgroundRuntime {
  const now = options.now ?? Date.now;
  const platform = options.browser ?? createBrowserBackground();
  const { scripting } = platform;
  const service = new VaultService(options.store ?? createIdbVaultStore(), options.vaultOptions);
  const captures = new CaptureRegistry(platform.session, now);

  async function lock(): Promise<void> {
    service.lock();
    await clearSessionVaultKey();
  }

  async function rememberKey(): Promise<void> {
    await saveSessionVaultKey(service.getVaultKey());
  }

  const autoLock = new AutoLock({
    now,
    autoLockMinutes: async () => (await loadSettings()).autoLockMinutes,
    isUnlocked: () => service.isUnlocked,
    lock,
    saveLastUse: saveLastVaultUse,
    findLastUse: findLastVaultUse,
    scheduleAlarm: (name, when) => platform.alarms.create(name, when),
    clearAlarm: (name) => platform.alarms.clear(name),
    setIdleDetectionSeconds: (seconds) => platform.setIdleDetectionSeconds(seconds),
  });

  const clipboard = new ClipboardClear({
    clipboard: options.clipboard ?? backgroundClipboard,
    now,
    savePending: async (pending) => {
      if (pending === undefined) await platform.session.remove(PENDING_CLEAR_KEY);
      else await platform.session.set({ [PENDING_CLEAR_KEY]: pending });
    },
    findPending: async () => {
      const stored: Record<string, unknown> = await platform.session.get(PENDING_CLEAR_KEY);
      const value = stored[PENDING_CLEAR_KEY];
      return isPendingClear(value) ? value : undefined;
    },
    scheduleAlarm: (name, when) => platform.alarms.create(name, when),
    clearAlarm: (name) => platform.alarms.clear(name),
    setTimer: (callback, ms) => {
      setTimeout(callback, ms);
    },
  });

  const vault: VaultPort = {
    status: () => service.status(),
    async create(passphrase) {
      await service.create(passphrase);
      await rememberKey();
    },
    async unlock(passphrase) {
      await service.unlock(passphrase);
      await rememberKey();
    },
    lock,
    isUnlocked: () => service.isUnlocked,
    async changePassphrase(current, next) {
      // The vault key stays the same (only its wrapping changes), so the kept key stays valid.
      await service.changePassphrase(current, next);
    },
    exportVault: () => service.exportVault(),
    async importVault(text, passphrase) {
      const { imported, updated } = await service.importVault(text, passphrase);
      return { imported, updated };
    },
    saveStorage: (credentials) => service.saveStorage(credentials),
    listStorages: () => service.listStorages(),
    revealSecret: (id) => service.revealSecret(id),
    getStorageCredentials: async (id) => (await service.getStorage(id)).credentials,
    previousKeys: async (id) => (await service.getStorage(id)).previousKeys.map((pair) => ({ accessKey: pair.accessKey, replacedAt: pair.replacedAt })),
    deleteStorage: (id) => service.deleteStorage(id),
  };

  /** Validates, checks that new origins were granted, stores, then applies the change. */
  async function changeSettings(change: unknown): Promise<Settings> {
    const previous = await loadSettings();
    const wanted = mergeSettings(previous, change);
    const added = wanted.extraOrigins.filter((origin) => !previous.extraOrigins.includes(origin));
    for (const origin of added) {
      // The popup asks Chromium first; without the grant the gate could not run there anyway.
      if (!(await platform.permissions.contains([originToMatchPattern(origin)]))) {
        throw new ConnectGuardError('INVALID_INPUT', `Connect Guard has no access to ${origin}. Add it from Settings in the popup and accept Chromium's prompt.`);
      }
    }
    const next = await saveSettings(wanted);
    await autoLock.configure();
    await syncExtraOriginScripts(scripting, next.extraOrigins);
    const removed = previous.extraOrigins.filter((origin) => !next.extraOrigins.includes(origin));
    if (removed.length > 0) await platform.permissions.remove(removed.map(originToMatchPattern));
    return next;
  }

  /** The user revoked a host permission (e.g. in chrome://extensions): drop the origin too. */
  async function onPermissionsRemoved(origins: readonly string[]): Promise<void> {
    const settings = await loadSettings();
    const kept = settings.extraOrigins.filter((origin) => !origins.includes(originToMatchPattern(origin)));
    if (kept.length === settings.extraOrigins.length) return;
    await saveSettings({ extraOrigins: kept });
    await syncExtraOriginScripts(scripting, kept);
  }

  const companion = options.companion ?? createBrowserCompanionPort();
  const forms = new ConnectFormRegistry(now);
  const resolve = (source: Parameters<typeof resolveConnectionSource>[0]) =>
    resolveConnectionSource(source, { vault: { isUnlocked: () => service.isUnlocked, getStorageCredentials: vault.getStorageCredentials }, forms });
  const transfers = transferCompanion(companion);
  const reviewOffers = new ReviewOffers(options.reviewOfferStore ?? reviewOfferStore, now);
  const holds = new ConnectHoldService({
    companion: transfers,
    now,
    onPlanKept: ({ origin, bucket }) => void reviewOffers.remember(origin, bucket).catch(() => undefined),
    async notifyReleased(tabId, frameId, holdId) {
      const message: { type: keyof TabMessages; data: Parameters<TabMessages['connectHold.released']>[0] } = { type: 'connectHold.released', data: { holdId } };
      await platform.sendToTab(tabId, frameId, message);
    },
  });
  const backups = new BackupService({ companion: transfers, resolve, now });
  const restores = new RestoreService({ companion: transfers, resolve });
  /** Asks a WeSendit tab's top frame for its storage's file list (for a preview or a review). */
  async function collectListing(tabId: number, listingId: string): Promise<{ started: boolean }> {
    const message: { type: keyof TabMessages; data: Parameters<TabMessages['listing.collect']>[0] } = { type: 'listing.collect', data: { listingId } };
    const reply: unknown = await platform.sendToTab(tabId, 0, message);
    return { started: listingStarted(reply) };
  }
  const audits = new AuditService({
    companion: transfers,
    resolve,
    tabListing: { companion, collect: collectListing },
    onAsPredicted: (bucket) => void reviewOffers.reviewed(bucket).catch(() => undefined),
  });
  const previews = new PreviewService({
    companion,
    now,
    resolve,
    archive: options.previewArchive ?? createIdbPreviewArchive(),
    collectListing,
  });

  const router = createBackgroundRouter({
    self: platform.self,
    vault,
    captures,
    forms,
    previews,
    holds,
    backups,
    restores,
    audits,
    reviewOffers,
    companion,
    loadSettings,
    saveSettings: changeSettings,
    async notifyReleased(tabId, frameId, captureId) {
      const message: { type: keyof TabMessages; data: Parameters<TabMessages['gate.released']>[0] } = { type: 'gate.released', data: { captureId } };
      await platform.sendToTab(tabId, frameId, message);
    },
    async copySecret(secret) {
      const seconds = (await loadSettings()).clipboardSeconds;
      await clipboard.copy(secret, seconds);
      return seconds;
    },
    noteVaultUse: () => autoLock.noteUse(),
  });

  async function restore(): Promise<void> {
    await restrictSessionToTrustedContexts();
    const kept = await findSessionVaultKey();
    if (kept !== undefined) {
      if (await autoLock.mayRestore()) {
        try {
          await service.unlockWithKey(kept);
        } catch {
          // A key of another vault (e.g. the vault was replaced): forget it; the user unlocks.
          await lock();
        }
      } else {
        await lock();
      }
    }
    await autoLock.configure();
    // A clear that was due while the worker was stopped.
    await clipboard.clearIfDue();
  }

  const ready = restore();
  const whenReady = (): Promise<void> => ready.catch(() => undefined);

  async function handleMessage(message: unknown, sender: SenderInfo): Promise<Reply<unknown>> {
    await whenReady();
    return router(message, sender);
  }

  platform.listen({
    onMessage(message, sender) {
      // The offscreen document answers its own messages; they never reach the router.
      if (typeof message === 'object' && message !== null && 'target' in message) return undefined;
      return handleMessage(message, sender);
    },
    onTabRemoved(tabId) {
      forms.dropTab(tabId);
      previews.dropTab(tabId);
      audits.dropTab(tabId);
      holds.dropTab(tabId);
    },
    onAlarm(name) {
      void whenReady().then(async () => {
        await autoLock.onAlarm(name);
        await clipboard.onAlarm(name);
      });
    },
    onIdleStateChanged(state) {
      void whenReady().then(() => autoLock.onIdleStateChanged(state));
    },
    onPermissionsRemoved(origins) {
      void whenReady().then(() => onPermissionsRemoved(origins));
    },
    onStartOrInstall() {
      void whenReady().then(async () => syncExtraOriginScripts(scripting, (await loadSettings()).extraOrigins));
    },
  });

  return { ready, service, autoLock, clipboard, previews, holds, handleMessage };
}
