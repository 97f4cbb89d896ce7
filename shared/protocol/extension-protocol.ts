/**
 * The one contract between extension contexts (content scripts, the gate prompt frame, the
 * popup) and the background, which alone owns the vault key, IndexedDB and the native port.
 *
 * Every request is `{ type, data }`; every reply is `{ ok: result } | { error: ErrorData }`.
 */
import type { StorageCredentials, StorageSummary } from '../credentials.ts';
import type { ErrorData } from '../errors.ts';

export interface VaultStatus {
  /** A vault exists in this profile. */
  readonly exists: boolean;
  readonly unlocked: boolean;
  readonly storageCount: number;
}

export interface Settings {
  /** Lock after this many minutes without use (1–1440). */
  readonly autoLockMinutes: number;
  /** Clear a copied secret from the clipboard after this many seconds (5–600). */
  readonly clipboardSeconds: number;
  /** Origins the user granted beyond WeSendit and loopback, e.g. `https://files.example.com`. */
  readonly extraOrigins: readonly string[];
}

export const DEFAULT_SETTINGS: Settings = { autoLockMinutes: 15, clipboardSeconds: 30, extraOrigins: [] };

/** A credentials dialog the gate found and holds, waiting for a verified save. */
export interface GateCapture {
  readonly captureId: string;
  readonly credentials: StorageCredentials;
  /** Page origin the dialog was found on. */
  readonly origin: string;
  /**
   * Saved and verified; the page's controls were released. A released capture no longer carries
   * the Secret Key (`credentials.secretKey` is empty): the vault holds it.
   */
  readonly released: boolean;
}

/** Requests a content script may send. */
export interface ContentRequests {
  /** The gate found a credentials dialog and holds it; returns the capture id for the prompt frame. */
  'gate.captured': (data: { credentials: StorageCredentials; origin: string }) => { captureId: string };
  /** Is this capture already saved and verified (e.g. after the dialog re-rendered)? */
  'gate.state': (data: { captureId: string }) => { released: boolean };
}

/** Requests extension pages (gate prompt frame, popup) may send. */
export interface PageRequests {
  'vault.status': (data: Record<string, never>) => VaultStatus;
  'vault.create': (data: { passphrase: string }) => VaultStatus;
  'vault.unlock': (data: { passphrase: string }) => VaultStatus;
  'vault.lock': (data: Record<string, never>) => VaultStatus;
  'vault.changePassphrase': (data: { current: string; next: string }) => VaultStatus;
  /** Encrypted export of the whole vault (JSON text, format in README). */
  'vault.export': (data: Record<string, never>) => { fileName: string; text: string };
  /** Import an export; records merge by id. The passphrase is the export's. */
  'vault.import': (data: { text: string; passphrase: string }) => { imported: number; updated: number };
  'gate.getCapture': (data: { captureId: string }) => GateCapture;
  /** Encrypt, write, read back, decrypt, compare; then release the page's controls. */
  'gate.save': (data: { captureId: string }) => { storageId: string; verified: true };
  'storage.list': (data: Record<string, never>) => StorageSummary[];
  'storage.reveal': (data: { id: string }) => { secretKey: string };
  /** Copy the secret to the clipboard; it is cleared after `clipboardSeconds` if still there. */
  'storage.copySecret': (data: { id: string }) => { clearsInSeconds: number };
  'storage.delete': (data: { id: string }) => { deleted: boolean };
  'settings.get': (data: Record<string, never>) => Settings;
  'settings.set': (data: Partial<Settings>) => Settings;
}

/** Messages the background sends to a tab's content scripts. */
export interface TabMessages {
  'gate.released': (data: { captureId: string }) => void;
}

export type BackgroundRequests = ContentRequests & PageRequests;
export type RequestType = keyof BackgroundRequests;
export type RequestData<T extends RequestType> = Parameters<BackgroundRequests[T]>[0];
export type RequestResult<T extends RequestType> = ReturnType<BackgroundRequests[T]>;

export interface Request<T extends RequestType = RequestType> {
  readonly type: T;
  readonly data: RequestData<T>;
}

export type Reply<R> = { readonly ok: R } | { readonly error: ErrorData };
