/**
 * The vault's storage in the extension: IndexedDB through `idb`. Only the background uses it.
 * Object stores: `meta` (the header under key "header") and `records` (EncryptedRecord, key
 * path `id`). Everything in it is ciphertext or public KDF parameters.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { parseEncryptedRecord, parseVaultHeader } from '../../shared/vault-format/vault-format.ts';
import type { VaultStore } from '../../shared/vault-format/vault-service.ts';
import type { EncryptedRecord, VaultHeader } from '../../shared/vault-format/vault-format.ts';

interface VaultDatabase extends DBSchema {
  meta: { key: string; value: VaultHeader };
  records: { key: string; value: EncryptedRecord };
}

const DB_VERSION = 1;
const HEADER_KEY = 'header';

/** Opens (creating on first use) the vault database `dbName` and returns a VaultStore over it. */
export function createIdbVaultStore(dbName = 'connect-guard-vault'): VaultStore {
  let opening: Promise<IDBPDatabase<VaultDatabase>> | undefined;

  function database(): Promise<IDBPDatabase<VaultDatabase>> {
    opening ??= openDB<VaultDatabase>(dbName, DB_VERSION, {
      upgrade(db) {
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
        if (!db.objectStoreNames.contains('records')) db.createObjectStore('records', { keyPath: 'id' });
      },
      // Another context upgrading or deleting the database: let it, and reopen on next use.
      blocking() {
        void opening?.then((db) => db.close());
        opening = undefined;
      },
      terminated() {
        opening = undefined;
      },
    }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  }

  return {
    async getHeader() {
      const stored: unknown = await (await database()).get('meta', HEADER_KEY);
      // What is on disk is checked like any other input before the service relies on it.
      return stored === undefined ? undefined : parseVaultHeader(stored);
    },
    async putHeader(header) {
      await (await database()).put('meta', parseVaultHeader(header), HEADER_KEY);
    },
    async getRecord(id) {
      const stored: unknown = await (await database()).get('records', id);
      return stored === undefined ? undefined : parseEncryptedRecord(stored);
    },
    async putRecord(record) {
      await (await database()).put('records', parseEncryptedRecord(record));
    },
    async deleteRecord(id) {
      const tx = (await database()).transaction('records', 'readwrite');
      const existed = (await tx.store.count(id)) > 0;
      if (existed) await tx.store.delete(id);
      await tx.done;
      return existed;
    },
    async listRecords() {
      const stored: unknown[] = await (await database()).getAll('records');
      return stored.map((record) => parseEncryptedRecord(record));
    },
    async replaceAll(header, records) {
      // Validate everything before the transaction starts, so a bad value cannot abort it halfway
      // (IndexedDB would roll back anyway; this keeps the error clear).
      const checkedHeader = parseVaultHeader(header);
      const checkedRecords = records.map((record) => parseEncryptedRecord(record));
      const tx = (await database()).transaction(['meta', 'records'], 'readwrite');
      const meta = tx.objectStore('meta');
      const store = tx.objectStore('records');
      const writes: Promise<unknown>[] = [store.clear(), meta.put(checkedHeader, HEADER_KEY)];
      for (const record of checkedRecords) writes.push(store.put(record));
      await Promise.all([...writes, tx.done]);
    },
  };
}
