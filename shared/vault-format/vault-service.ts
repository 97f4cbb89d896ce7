/**
 * The vault as the background uses it: create, unlock, save with read-back verification, list,
 * reveal, delete, passphrase change, export and import. Storage is behind `VaultStore` (IndexedDB
 * in the extension, memory in tests); the service holds the raw vault key while unlocked.
 */
import type { StorageCredentials, StorageSummary } from '../credentials.ts';
import { ConnectGuardError } from '../errors.ts';
import type { VaultStatus } from '../protocol/extension-protocol.ts';
import { assertPassphraseAcceptable } from './passphrase-strength.ts';
import {
  isStorageRecordValue,
  mergeStorageRecords,
  newStorageRecord,
  parseStorageCredentials,
  storageRecordsEqual,
  toStorageSummary,
  updateStorageRecord,
  type StorageRecordValue,
} from './storage-record.ts';
import { DEFAULT_KDF, assertKdfAtLeastFloor, type EncryptedRecord, type KdfCost, type VaultHeader } from './vault-format.ts';
import { createVaultHeader, rewrapVaultHeader, unlockVaultHeader, verifyVaultKey } from './vault-header.ts';
import { decryptRecord, deriveStorageRecordId, encryptRecord, openVaultExport, serializeVaultExport } from './vault-records.ts';

/**
 * Where the vault lives. Implementations store values as given and return equal values; the
 * service verifies what it reads back, so a faulty store is detected rather than trusted.
 */
export interface VaultStore {
  /** The header, or `undefined` when no vault exists. */
  getHeader(): Promise<VaultHeader | undefined>;
  putHeader(header: VaultHeader): Promise<void>;
  getRecord(id: string): Promise<EncryptedRecord | undefined>;
  putRecord(record: EncryptedRecord): Promise<void>;
  /** Resolves `true` when a record was deleted, `false` when there was none. */
  deleteRecord(id: string): Promise<boolean>;
  listRecords(): Promise<EncryptedRecord[]>;
  /** Replaces header and all records in ONE atomic step: afterwards either all or nothing changed. */
  replaceAll(header: VaultHeader, records: readonly EncryptedRecord[]): Promise<void>;
}

export interface VaultServiceOptions {
  /** Argon2id cost for new vaults and passphrase changes (default DEFAULT_KDF). */
  readonly kdf?: KdfCost;
  /** Test-only lower KDF floor; production leaves it unset so KDF_FLOOR applies. */
  readonly floor?: KdfCost;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

/** Result of a verified save. */
export interface SaveStorageResult {
  readonly id: string;
  readonly verified: true;
  /** `created`: new record; `updated`: an existing record changed; `unchanged`: already saved exactly so. */
  readonly outcome: 'created' | 'updated' | 'unchanged';
}

/** Result of an import. */
export interface ImportVaultResult {
  /** Storages that were not in the vault. */
  readonly imported: number;
  /** Storages already in the vault that the import changed (newer fields or extra key history). */
  readonly updated: number;
  /** Storages already in the vault exactly as in the file. */
  readonly unchanged: number;
}

function lockedError(): ConnectGuardError {
  return new ConnectGuardError('VAULT_LOCKED', 'The vault is locked. Unlock it with your passphrase first.');
}

function missingError(): ConnectGuardError {
  return new ConnectGuardError('VAULT_MISSING', 'No vault exists in this browser yet. Create one with a passphrase first.');
}

function verifyFailed(detail: string): ConnectGuardError {
  return new ConnectGuardError(
    'VERIFY_FAILED',
    `Reading the record back from the vault did not return what was written (${detail}), so the save is not confirmed. Try again; if it keeps failing, restart the browser.`,
  );
}

export class VaultService {
  readonly #store: VaultStore;
  readonly #kdf: KdfCost;
  readonly #floor: KdfCost | undefined;
  readonly #now: () => Date;
  #vaultKey: Uint8Array<ArrayBuffer> | undefined;
  /** Serialises changes, so two saves of the same storage cannot both read the old record. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(store: VaultStore, options: VaultServiceOptions = {}) {
    this.#store = store;
    this.#kdf = options.kdf ?? DEFAULT_KDF;
    this.#floor = options.floor;
    this.#now = options.now ?? (() => new Date());
  }

  get isUnlocked(): boolean {
    return this.#vaultKey !== undefined;
  }

  #kdfOptions(): { floor?: KdfCost } {
    return this.#floor === undefined ? {} : { floor: this.#floor };
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #requireKey(): Uint8Array<ArrayBuffer> {
    if (this.#vaultKey === undefined) throw lockedError();
    return this.#vaultKey;
  }

  async #requireHeader(): Promise<VaultHeader> {
    const header = await this.#store.getHeader();
    if (header === undefined) throw missingError();
    return header;
  }

  async #decryptStorage(vaultKey: Uint8Array, record: EncryptedRecord): Promise<StorageRecordValue> {
    const value = await decryptRecord(vaultKey, record);
    if (!isStorageRecordValue(value)) {
      throw new ConnectGuardError('VAULT_CORRUPT', `The vault record ${record.id} is not a storage record. Import your latest vault export to restore it.`);
    }
    return value;
  }

  /** Whether a vault exists, whether it is unlocked, how many records it holds. */
  async status(): Promise<VaultStatus> {
    const header = await this.#store.getHeader();
    if (header === undefined) return { exists: false, unlocked: false, storageCount: 0 };
    return { exists: true, unlocked: this.isUnlocked, storageCount: (await this.#store.listRecords()).length };
  }

  /** Creates the vault and leaves it unlocked. VAULT_EXISTS if there is one; WEAK_PASSPHRASE if too weak. */
  create(passphrase: string): Promise<VaultStatus> {
    return this.#exclusive(async () => {
      assertPassphraseAcceptable(passphrase);
      if ((await this.#store.getHeader()) !== undefined) {
        throw new ConnectGuardError('VAULT_EXISTS', 'A vault already exists in this browser. Unlock it with its passphrase instead.');
      }
      const { header, vaultKey } = await createVaultHeader(passphrase, this.#kdf, { ...this.#kdfOptions(), now: this.#now() });
      await this.#store.putHeader(header);
      const stored = await this.#store.getHeader();
      if (stored === undefined || !(await verifyVaultKey(stored, vaultKey))) throw verifyFailed('the new vault header');
      this.#vaultKey = vaultKey;
      return this.status();
    });
  }

  /** Unlocks with the passphrase. WRONG_PASSPHRASE, KDF_BELOW_FLOOR, VAULT_CORRUPT, VAULT_MISSING. */
  async unlock(passphrase: string): Promise<VaultStatus> {
    const header = await this.#requireHeader();
    this.#vaultKey = await unlockVaultHeader(header, passphrase, this.#kdfOptions());
    return this.status();
  }

  /**
   * Unlocks with a raw vault key kept from an earlier unlock (the background keeps it in
   * `chrome.storage.session` across service-worker restarts). The key is checked against the
   * header's key check; a key of another vault is refused with VAULT_LOCKED.
   */
  async unlockWithKey(rawKey: Uint8Array): Promise<VaultStatus> {
    const header = await this.#requireHeader();
    // The same downgrade refusal as a passphrase unlock, so a weakened header is noticed either way.
    assertKdfAtLeastFloor(header.kdf, this.#floor);
    if (!(await verifyVaultKey(header, rawKey))) {
      throw new ConnectGuardError('VAULT_LOCKED', 'The remembered key does not open this vault. Unlock it with your passphrase.');
    }
    this.#vaultKey = Uint8Array.from(rawKey);
    return this.status();
  }

  /** Forgets the vault key (and overwrites the copy held here). */
  lock(): void {
    this.#vaultKey?.fill(0);
    this.#vaultKey = undefined;
  }

  /** A copy of the raw 32-byte vault key. VAULT_LOCKED when locked. */
  getVaultKey(): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(this.#requireKey());
  }

  /**
   * Saves a storage's credentials: encrypt → write → read back from the store → decrypt →
   * compare with what was meant to be written. Only then resolves `verified: true`; any
   * difference is VERIFY_FAILED. Saving the same storage again (same server address and bucket)
   * updates its record; a replaced key pair is kept in `previousKeys`.
   */
  saveStorage(credentials: StorageCredentials): Promise<SaveStorageResult> {
    return this.#exclusive(async () => {
      const vaultKey = this.#requireKey();
      await this.#requireHeader();
      const input = parseStorageCredentials(credentials);
      const id = await deriveStorageRecordId(vaultKey, input);
      const existing = await this.#store.getRecord(id);
      const now = this.#now().toISOString();
      const previous = existing === undefined ? undefined : await this.#decryptStorage(vaultKey, existing);
      const value = previous === undefined ? newStorageRecord(input, now) : updateStorageRecord(previous, input, now);
      const outcome = previous === undefined ? 'created' : value === previous ? 'unchanged' : 'updated';
      if (outcome !== 'unchanged') await this.#store.putRecord(await encryptRecord(vaultKey, id, value));

      const readBack = await this.#store.getRecord(id);
      if (readBack === undefined) throw verifyFailed('the record is missing');
      if (readBack.id !== id) throw verifyFailed('the record has another id');
      let decrypted: unknown;
      try {
        decrypted = await decryptRecord(vaultKey, readBack);
      } catch (error) {
        throw verifyFailed(error instanceof Error ? error.message : 'it does not decrypt');
      }
      if (!isStorageRecordValue(decrypted) || !storageRecordsEqual(decrypted, value) || !storageRecordsEqual(decrypted.credentials, input)) {
        throw verifyFailed('the decrypted record differs');
      }
      return { id, verified: true, outcome };
    });
  }

  /** Every saved storage without secrets, sorted by storage name, then bucket. */
  async listStorages(): Promise<StorageSummary[]> {
    const vaultKey = this.#requireKey();
    const records = await this.#store.listRecords();
    const summaries: StorageSummary[] = [];
    for (const record of records) summaries.push(toStorageSummary(record.id, await this.#decryptStorage(vaultKey, record)));
    return summaries.sort((a, b) => a.storageName.localeCompare(b.storageName) || a.bucketName.localeCompare(b.bucketName) || a.id.localeCompare(b.id));
  }

  /** The full decrypted record of one storage. NOT_FOUND when there is none. */
  async getStorage(id: string): Promise<StorageRecordValue> {
    const vaultKey = this.#requireKey();
    const record = await this.#store.getRecord(id);
    if (record === undefined) throw new ConnectGuardError('NOT_FOUND', 'This storage is not in the vault (it may have been deleted).');
    return this.#decryptStorage(vaultKey, record);
  }

  /** The Secret Key of one storage. */
  async revealSecret(id: string): Promise<string> {
    return (await this.getStorage(id)).credentials.secretKey;
  }

  /** Deletes one storage; `false` when it was not there. Needs the vault unlocked. */
  deleteStorage(id: string): Promise<boolean> {
    return this.#exclusive(async () => {
      this.#requireKey();
      return this.#store.deleteRecord(id);
    });
  }

  /**
   * Re-wraps the vault key under a new passphrase (new salt; KDF cost raised to the default if
   * it was lower). Records are not touched. Leaves the vault unlocked.
   */
  changePassphrase(current: string, next: string): Promise<VaultStatus> {
    return this.#exclusive(async () => {
      assertPassphraseAcceptable(next);
      if (current === next) throw new ConnectGuardError('INVALID_INPUT', 'The new passphrase is the same as the current one. Choose a different one.');
      const header = await this.#requireHeader();
      const { header: rewrapped, vaultKey } = await rewrapVaultHeader(header, current, next, { ...this.#kdfOptions(), kdf: this.#kdf });
      await this.#store.putHeader(rewrapped);
      const stored = await this.#store.getHeader();
      if (stored === undefined || !storageRecordsEqual(stored, rewrapped) || !(await verifyVaultKey(stored, vaultKey))) {
        throw verifyFailed('the new vault header');
      }
      this.#vaultKey = vaultKey;
      return this.status();
    });
  }

  /**
   * The whole vault as one JSON text, decryptable with the passphrase alone (FORMAT.md). Every
   * record is decrypted first, so a damaged vault is reported now rather than found in the file.
   */
  async exportVault(): Promise<{ fileName: string; text: string }> {
    const vaultKey = this.#requireKey();
    const header = await this.#requireHeader();
    assertKdfAtLeastFloor(header.kdf, this.#floor);
    const records = await this.#store.listRecords();
    for (const record of records) await this.#decryptStorage(vaultKey, record);
    const now = this.#now();
    const text = await serializeVaultExport({ header, records, vaultKey, exportedAt: now });
    return { fileName: `connect-guard-vault-${now.toISOString().slice(0, 10)}.json`, text };
  }

  /**
   * Imports an export made with `passphrase` (the passphrase the exported vault had). Everything
   * is checked and decrypted before anything is written; then the storages are merged into this
   * vault, re-encrypted under its key, in one atomic write. On any error the vault is unchanged.
   */
  importVault(text: string, passphrase: string): Promise<ImportVaultResult> {
    return this.#exclusive(async () => {
      const vaultKey = this.#requireKey();
      const header = await this.#requireHeader();
      const opened = await openVaultExport(text, passphrase, this.#kdfOptions());
      const incoming: StorageRecordValue[] = [];
      for (const record of opened.records) {
        if (!isStorageRecordValue(record.value)) {
          throw new ConnectGuardError('VAULT_CORRUPT', `The export file's record ${record.id} is not a storage record. Nothing was imported.`);
        }
        // Ids are derived from the storage identity; a mismatch means the file was built wrongly.
        if ((await deriveStorageRecordId(opened.vaultKey, record.value.credentials)) !== record.id) {
          throw new ConnectGuardError('VAULT_CORRUPT', `The export file's record ${record.id} does not match its storage. Nothing was imported.`);
        }
        incoming.push(record.value);
      }

      const current = await this.#store.listRecords();
      const byId = new Map(current.map((record) => [record.id, record]));
      const written = new Map<string, StorageRecordValue>();
      let imported = 0;
      let updated = 0;
      let unchanged = 0;
      const now = this.#now().toISOString();
      for (const value of incoming) {
        const id = await deriveStorageRecordId(vaultKey, value.credentials);
        const existing = byId.get(id);
        if (existing === undefined) {
          written.set(id, value);
          imported++;
          continue;
        }
        const local = await this.#decryptStorage(vaultKey, existing);
        const merged = mergeStorageRecords(local, value, now);
        if (merged === local) {
          unchanged++;
        } else {
          written.set(id, merged);
          updated++;
        }
      }
      if (written.size === 0) return { imported, updated, unchanged };

      const encrypted = new Map<string, EncryptedRecord>();
      for (const [id, value] of written) encrypted.set(id, await encryptRecord(vaultKey, id, value));
      const next = [...current.filter((record) => !encrypted.has(record.id)), ...encrypted.values()];
      await this.#store.replaceAll(header, next);

      for (const [id, value] of written) {
        const readBack = await this.#store.getRecord(id);
        if (readBack === undefined) throw verifyFailed(`record ${id} is missing`);
        const decrypted = await decryptRecord(vaultKey, readBack);
        if (!storageRecordsEqual(decrypted, value)) throw verifyFailed(`record ${id} differs`);
      }
      return { imported, updated, unchanged };
    });
  }
}
