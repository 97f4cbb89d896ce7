/**
 * What the background's routes need: the vault, the registries of captures and connect forms,
 * the preview, hold, backup and restore services, the native port, settings, and the few browser
 * actions (release a frame, copy a secret) that start-background.ts wires to the browser.
 */
import type { StorageCredentials, StorageSummary } from '../../../shared/credentials.ts';
import type { Settings, VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import type { CaptureRegistry } from '../gate/capture-registry.ts';
import type { PreviousAccessKey } from '../handoff/external-tools.ts';
import type { ConnectFormRegistry } from '../preview/connect-form-registry.ts';
import type { CompanionClient } from '../companion/companion-client.ts';
import type { PreviewService } from '../preview/preview-service.ts';
import type { BackupService } from '../transfers/backup-service.ts';
import type { ConnectHoldService } from '../transfers/connect-hold-service.ts';
import type { RestoreService } from '../transfers/restore-service.ts';
import type { AuditService } from '../transfers/audit-service.ts';
import type { ReviewOffers } from '../transfers/review-offers.ts';
import type { ExtensionIdentity } from './sender-policy.ts';

/** What the routes need from the vault (VaultService provides it; see start-background.ts). */
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
  /** Access Keys a later save replaced in this record (oldest first), and when; no secret. */
  previousKeys(id: string): Promise<readonly PreviousAccessKey[]>;
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
  readonly audits: AuditService;
  /** Where the dock offers "Review sync result" after a connect. */
  readonly reviewOffers: ReviewOffers;
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
