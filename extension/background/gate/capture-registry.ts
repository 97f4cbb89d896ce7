/**
 * Credentials dialogs the gate holds, waiting for a verified save. Kept in background memory and
 * mirrored to `storage.session` (memory-only, trusted contexts) so a service-worker restart
 * between capture and save does not strand a held dialog. A capture expires after 30 minutes;
 * once released its Secret Key is dropped, since the vault now holds it.
 */
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';

/** The part of `chrome.storage.session` the registry needs (the fake browser provides it too). */
export interface SessionArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export interface CaptureRecord {
  readonly captureId: string;
  readonly credentials: StorageCredentials;
  readonly origin: string;
  /** Where the held dialog lives, so the release reaches the frame that captured it. */
  readonly tabId: number;
  readonly frameId: number;
  readonly createdAt: number;
  readonly released: boolean;
  readonly storageId?: string;
}

export const CAPTURE_TTL_MS = 30 * 60_000;
const CAPTURES_KEY = 'connectGuard.captures';

function isCaptureRecord(value: unknown): value is CaptureRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record: Record<string, unknown> = { ...value };
  return (
    typeof record.captureId === 'string' &&
    typeof record.credentials === 'object' &&
    record.credentials !== null &&
    typeof record.origin === 'string' &&
    typeof record.tabId === 'number' &&
    typeof record.frameId === 'number' &&
    typeof record.createdAt === 'number' &&
    typeof record.released === 'boolean'
  );
}

export class CaptureRegistry {
  private captures = new Map<string, CaptureRecord>();
  private loaded: Promise<void> | undefined;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly area: SessionArea,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a held dialog; returns its new capture id. */
  async add(input: Omit<CaptureRecord, 'captureId' | 'createdAt' | 'released' | 'storageId'>): Promise<CaptureRecord> {
    await this.load();
    const record: CaptureRecord = { ...input, captureId: crypto.randomUUID(), createdAt: this.now(), released: false };
    this.captures.set(record.captureId, record);
    await this.persist();
    return record;
  }

  /** A live capture, or `undefined` when unknown or expired. */
  async find(captureId: string): Promise<CaptureRecord | undefined> {
    await this.load();
    const record = this.captures.get(captureId);
    if (!record) return undefined;
    if (this.now() - record.createdAt > CAPTURE_TTL_MS) {
      this.captures.delete(captureId);
      await this.persist();
      return undefined;
    }
    return record;
  }

  /** Like `find`, but throws NOT_FOUND with what the user can do. */
  async get(captureId: string): Promise<CaptureRecord> {
    const record = await this.find(captureId);
    if (!record) {
      throw new ConnectGuardError(
        'NOT_FOUND',
        'This credentials capture is unknown or older than 30 minutes. Reload the WeSendit page; if the Secret Key is no longer shown, create new keys in WeSendit.',
      );
    }
    return record;
  }

  /** Marks a capture saved and verified; its Secret Key is no longer kept here. */
  async markReleased(captureId: string, storageId: string): Promise<CaptureRecord> {
    const record = await this.get(captureId);
    const released: CaptureRecord = {
      ...record,
      credentials: { ...record.credentials, secretKey: '' },
      released: true,
      storageId,
    };
    this.captures.set(captureId, released);
    await this.persist();
    return released;
  }

  private load(): Promise<void> {
    this.loaded ??= this.area.get(CAPTURES_KEY).then((stored) => {
      const list = stored[CAPTURES_KEY];
      if (!Array.isArray(list)) return;
      for (const item of list) {
        if (isCaptureRecord(item) && !this.captures.has(item.captureId)) this.captures.set(item.captureId, item);
      }
    });
    return this.loaded;
  }

  private persist(): Promise<void> {
    const now = this.now();
    for (const [id, record] of this.captures) {
      if (now - record.createdAt > CAPTURE_TTL_MS) this.captures.delete(id);
    }
    const snapshot = [...this.captures.values()];
    // Writes are serialised so an older snapshot never lands after a newer one.
    this.writes = this.writes.then(() => this.area.set({ [CAPTURES_KEY]: snapshot }));
    return this.writes;
  }
}
