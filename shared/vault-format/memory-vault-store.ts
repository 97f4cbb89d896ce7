/**
 * A VaultStore in memory: for unit tests of code built on VaultService (the extension uses the
 * IndexedDB store). Values are copied in and out like a real store's structured clone, so a
 * caller cannot change stored data by mutating an object it passed or received.
 */
import type { VaultStore } from './vault-service.ts';
import type { EncryptedRecord, VaultHeader } from './vault-format.ts';

export function createMemoryVaultStore(): VaultStore {
  let header: VaultHeader | undefined;
  const records = new Map<string, EncryptedRecord>();
  return {
    async getHeader() {
      return header === undefined ? undefined : structuredClone(header);
    },
    async putHeader(next) {
      header = structuredClone(next);
    },
    async getRecord(id) {
      const record = records.get(id);
      return record === undefined ? undefined : structuredClone(record);
    },
    async putRecord(record) {
      records.set(record.id, structuredClone(record));
    },
    async deleteRecord(id) {
      return records.delete(id);
    },
    async listRecords() {
      return [...records.values()].map((record) => structuredClone(record));
    },
    async replaceAll(nextHeader, nextRecords) {
      const copies = nextRecords.map((record) => structuredClone(record));
      header = structuredClone(nextHeader);
      records.clear();
      for (const record of copies) records.set(record.id, record);
    },
  };
}
