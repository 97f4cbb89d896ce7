/**
 * The background's one message router over shared/protocol/extension-protocol.ts: it checks the
 * envelope, the sender (sender-policy.ts) and each field, runs the request and replies
 * `{ ok } | { error }`. The background alone holds the vault key; nothing here returns a secret
 * to a content script.
 */
import type { StorageCredentials, StorageSummary } from '../../../shared/credentials.ts';
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import type { GateCapture, Reply, RequestType, Settings, VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { parseStorageCredentials } from '../../../shared/vault-format/storage-record.ts';
import type { BackupService } from '../transfers/backup-service.ts';
import type { CaptureRegistry } from '../gate/capture-registry.ts';
import type { ConnectHoldService } from '../transfers/connect-hold-service.ts';
import { summarizeConnectForm, type ConnectFormRegistry } from '../preview/connect-form-registry.ts';
import { credentialsFromConnection, resolveConnectionSource } from '../preview/resolve-connection-source.ts';
import type { CompanionClient, PreviewService } from '../preview/preview-service.ts';
import type { RestoreService } from '../transfers/restore-service.ts';
import {
  parseRequestEnvelope,
  readConnectFormValues,
  readConnectionSource,
  readFlag,
  readId,
  readListingBatch,
  readOptionalFolder,
  readRowQuery,
  readString,
  readWesenditSource,
} from './request-guards.ts';
import { assertSenderAllowed, senderPageUrl, type ExtensionIdentity, type SenderInfo } from './sender-policy.ts';

/** What the router needs from the vault (VaultService provides it; see start-background.ts). */
export interface VaultPort {
  status(): Promise<VaultStatus>;
  create(passphrase: string): Promise<void>;
  unlock(passphrase: string): Promise<void>;
  lock(): Promise<void>;
  isUnlocked(): boolean;
  changePassphrase(current: string, next: string): Promise<void>;
  exportVault(): Promise<{ fileName: string; text: string }>;
  importVault(text: string, passphrase: string): Promise<{ imported: number; updated: number }>;
  /** Encrypt → write → read back → decrypt → compare; resolves only when all matched. */
  saveStorage(credentials: StorageCredentials): Promise<{ id: string; verified: boolean }>;
  listStorages(): Promise<StorageSummary[]>;
  revealSecret(id: string): Promise<string>;
  /** The decrypted credentials of one record, for a preview or a doctor run (stay in memory). */
  getStorageCredentials(id: string): Promise<StorageCredentials>;
  deleteStorage(id: string): Promise<boolean>;
}

export interface RouterDeps {
  readonly self: ExtensionIdentity;
  readonly vault: VaultPort;
  readonly captures: CaptureRegistry;
  /** Connect forms read by the content feature (memory only). */
  readonly forms: ConnectFormRegistry;
  readonly previews: PreviewService;
  /** Connect clicks held until the bucket is empty or backed up. */
  readonly holds: ConnectHoldService;
  /** "Back up now". */
  readonly backups: BackupService;
  /** "Restore last backup". */
  readonly restores: RestoreService;
  /** The native port to the companion. */
  readonly companion: CompanionClient;
  loadSettings(): Promise<Settings>;
  /** Validates, stores and applies (auto-lock interval, content-script registration). */
  saveSettings(change: unknown): Promise<Settings>;
  /** Tells the frame that captured a dialog that it may let the user go on. */
  notifyReleased(tabId: number, frameId: number, captureId: string): Promise<void>;
  /** Copies a secret and schedules the clipboard clear; returns the seconds until then. */
  copySecret(secret: string): Promise<number>;
  /** Called on every request from an extension page: the user is using the vault. */
  noteVaultUse(): Promise<void>;
}

function assertUnlocked(vault: VaultPort): void {
  if (!vault.isUnlocked()) {
    throw new ConnectGuardError('VAULT_LOCKED', 'The vault is locked. Unlock it with your vault passphrase first.');
  }
}

function publicCapture(record: { captureId: string; credentials: StorageCredentials; origin: string; released: boolean }): GateCapture {
  return { captureId: record.captureId, credentials: record.credentials, origin: record.origin, released: record.released };
}

export function createBackgroundRouter(deps: RouterDeps): (message: unknown, sender: SenderInfo) => Promise<Reply<unknown>> {
  const { vault, captures, forms, previews, companion, holds, backups, restores } = deps;
  const vaultReader = { isUnlocked: () => vault.isUnlocked(), getStorageCredentials: (id: string) => vault.getStorageCredentials(id) };
  const resolve = (source: Parameters<typeof resolveConnectionSource>[0]) => resolveConnectionSource(source, { vault: vaultReader, forms });

  async function run(message: unknown, sender: SenderInfo): Promise<unknown> {
    const { type, data } = parseRequestEnvelope(message);
    const settings = await deps.loadSettings();
    const frame = assertSenderAllowed(type, sender, deps.self, settings.extraOrigins);
    const result = await dispatch(type, data, sender, frame, settings);
    // Only the user's own pages count as use; a page cannot keep the vault unlocked.
    if (frame === undefined) await deps.noteVaultUse();
    return result;
  }

  async function dispatch(
    type: RequestType,
    data: Readonly<Record<string, unknown>>,
    sender: SenderInfo,
    frame: { tabId: number; frameId: number } | undefined,
    settings: Settings,
  ): Promise<unknown> {
    switch (type) {
      case 'gate.captured': {
        if (frame === undefined) throw new ConnectGuardError('FORBIDDEN_SENDER', 'No tab sent this capture.');
        const credentials = parseStorageCredentials(data.credentials);
        // The sender's own frame URL is the origin that counts, not what the message claims.
        const origin = senderPageUrl(sender)?.origin ?? 'unknown';
        const record = await captures.add({ credentials, origin, tabId: frame.tabId, frameId: frame.frameId });
        return { captureId: record.captureId };
      }
      case 'gate.state': {
        const record = await captures.find(readId(data, 'captureId'));
        // Another tab cannot probe captures it did not make.
        return { released: record !== undefined && record.tabId === frame?.tabId && record.released };
      }
      case 'gate.getCapture':
        return publicCapture(await captures.get(readId(data, 'captureId')));
      case 'gate.save': {
        const record = await captures.get(readId(data, 'captureId'));
        if (record.released && record.storageId !== undefined) return { storageId: record.storageId, verified: true };
        assertUnlocked(vault);
        const saved = await vault.saveStorage(record.credentials);
        if (saved.verified !== true) {
          throw new ConnectGuardError('VERIFY_FAILED', 'The saved record did not read back identically. The dialog stays held; try "Save to vault" again.');
        }
        await captures.markReleased(record.captureId, saved.id);
        try {
          await deps.notifyReleased(record.tabId, record.frameId, record.captureId);
        } catch {
          // The tab may be gone or reloaded; its gate asks `gate.state` when it comes back.
        }
        return { storageId: saved.id, verified: true };
      }
      case 'vault.status':
        return vault.status();
      case 'vault.create':
        await vault.create(readString(data, 'passphrase', 1024));
        return vault.status();
      case 'vault.unlock':
        await vault.unlock(readString(data, 'passphrase', 1024));
        return vault.status();
      case 'vault.lock':
        await vault.lock();
        return vault.status();
      case 'vault.changePassphrase':
        await vault.changePassphrase(readString(data, 'current', 1024), readString(data, 'next', 1024));
        return vault.status();
      case 'vault.export':
        assertUnlocked(vault);
        return vault.exportVault();
      case 'vault.import':
        return vault.importVault(readString(data, 'text', 32 * 1024 * 1024), readString(data, 'passphrase', 1024));
      case 'storage.list':
        assertUnlocked(vault);
        return vault.listStorages();
      case 'storage.reveal':
        assertUnlocked(vault);
        return { secretKey: await vault.revealSecret(readId(data, 'id')) };
      case 'storage.copySecret': {
        assertUnlocked(vault);
        const secret = await vault.revealSecret(readId(data, 'id'));
        return { clearsInSeconds: await deps.copySecret(secret) };
      }
      case 'storage.delete':
        assertUnlocked(vault);
        return { deleted: await vault.deleteStorage(readId(data, 'id')) };
      case 'settings.get':
        return settings;
      case 'settings.set':
        return deps.saveSettings(data);
      case 'connectForm.captured': {
        if (frame === undefined) throw new ConnectGuardError('FORBIDDEN_SENDER', 'No tab sent this connect form.');
        const origin = senderPageUrl(sender)?.origin ?? 'unknown';
        const record = forms.add({ values: readConnectFormValues(data), origin, tabId: frame.tabId, frameId: frame.frameId });
        return { formId: record.formId };
      }
      case 'listing.batch': {
        // The background asks a tab's top frame for its listing; only that frame answers.
        if (frame === undefined || frame.frameId !== 0) throw new ConnectGuardError('FORBIDDEN_SENDER', 'Only the top frame of the tab that was asked may send a WeSendit listing.');
        return previews.acceptListingBatch(frame.tabId, readListingBatch(data));
      }
      case 'connectForm.get':
        return summarizeConnectForm(forms.get(readId(data, 'formId')));
      case 'connectForm.latest': {
        const latest = forms.latest();
        return latest === undefined ? null : summarizeConnectForm(latest);
      }
      case 'storage.saveConnection': {
        const source = readConnectionSource(data, 'source');
        if (source.kind === 'vault') throw new ConnectGuardError('INVALID_INPUT', 'This connection is already in the vault.');
        const storageName = readString(data, 'storageName', 200).trim();
        if (storageName === '') throw new ConnectGuardError('INVALID_INPUT', 'Give the storage a name to find it by in the vault.');
        assertUnlocked(vault);
        const { connection } = await resolve(source);
        const saved = await vault.saveStorage(credentialsFromConnection(connection, storageName));
        if (saved.verified !== true) throw new ConnectGuardError('VERIFY_FAILED', 'The saved record did not read back identically. Try "Save to vault" again.');
        return { storageId: saved.id, verified: true };
      }
      case 'doctor.run': {
        const resolved = await resolve(readConnectionSource(data, 'connection'));
        const allowedIps = data.allowedIps === undefined ? resolved.allowedIps : readString(data, 'allowedIps', 4096);
        return companion.request('doctor', { connection: resolved.connection, ...(allowedIps !== undefined ? { allowedIps } : {}) }, { timeoutMs: 60_000 });
      }
      case 'companion.status':
        try {
          const ping = await companion.request('ping', {}, { timeoutMs: 10_000 });
          return { available: true, version: ping.version, protocolVersion: ping.protocolVersion };
        } catch (error) {
          return { available: false, error: toErrorData(error) };
        }
      case 'preview.start': {
        const prefix = data.prefix === undefined ? undefined : readString(data, 'prefix', 1024);
        return previews.start(readConnectionSource(data, 'connection'), readWesenditSource(data, 'wesendit'), prefix);
      }
      case 'preview.state':
        return previews.state(readId(data, 'previewId'));
      case 'preview.latest':
        return previews.latest();
      case 'preview.cancel':
        return previews.cancel(readId(data, 'previewId'));
      case 'preview.rows':
        return previews.rows(readRowQuery(data));
      case 'preview.export': {
        const { format, part } = data;
        if (format !== 'csv' && format !== 'ndjson') throw new ConnectGuardError('INVALID_INPUT', '"format" must be "csv" or "ndjson".');
        if (typeof part !== 'number' || !Number.isSafeInteger(part) || part < 0) throw new ConnectGuardError('INVALID_INPUT', '"part" must be a whole number from 0.');
        return previews.exportPart(readId(data, 'previewId'), format, part);
      }
      case 'connectHold.requested':
        if (frame === undefined) throw new ConnectGuardError('FORBIDDEN_SENDER', 'No tab sent this connect click.');
        return holds.request(readConnectFormValues(data), frame.tabId, frame.frameId);
      case 'connectHold.state':
        if (frame === undefined) throw new ConnectGuardError('FORBIDDEN_SENDER', 'No tab asked about this connect click.');
        return holds.released(readId(data, 'holdId'), frame.tabId);
      case 'connectHold.get':
        return holds.state(readId(data, 'holdId'));
      case 'connectHold.cancel':
        return holds.cancel(readId(data, 'holdId'));
      case 'connectHold.retry':
        return holds.retry(readId(data, 'holdId'));
      case 'connectHold.connectAnyway':
        return holds.connectAnyway(readId(data, 'holdId'));
      case 'backup.start':
        return backups.start(readConnectionSource(data, 'connection'));
      case 'backup.state':
        return backups.state(readId(data, 'backupId'));
      case 'backup.latest':
        return backups.latest();
      case 'backup.cancel':
        return backups.cancel(readId(data, 'backupId'));
      case 'restore.plan':
        return restores.plan(readConnectionSource(data, 'connection'), readOptionalFolder(data, 'folder'), readFlag(data, 'force'));
      case 'restore.state':
        return restores.state(readId(data, 'restoreId'));
      case 'restore.apply':
        return restores.apply(readId(data, 'restoreId'));
    }
  }

  return async (message, sender) => {
    try {
      return { ok: await run(message, sender) };
    } catch (error) {
      return { error: toErrorData(error) };
    }
  };
}
