import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../shared/errors.ts';
import { createVaultHeader } from '../../shared/vault-format/vault-header.ts';
import { encryptRecord } from '../../shared/vault-format/vault-records.ts';
import type { KdfCost, VaultHeader } from '../../shared/vault-format/vault-format.ts';
import { VaultService } from '../../shared/vault-format/vault-service.ts';
import { createIdbVaultStore } from './idb-vault-store.ts';

const TEST_KDF: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const PASSPHRASE = 'correct horse battery staple';
let dbCounter = 0;
const freshName = (): string => `connect-guard-vault-test-${++dbCounter}`;

const credentials = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '',
  serverAddress: 'https://s3.wesendit.com',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'FAKEACCESSKEY0000001',
  secretKey: 'fake-secret-key-for-tests-only-0001',
};

async function header(): Promise<{ header: VaultHeader; vaultKey: Uint8Array }> {
  return createVaultHeader(PASSPHRASE, TEST_KDF, { floor: TEST_KDF });
}

describe('createIdbVaultStore', () => {
  it('starts empty', async () => {
    const store = createIdbVaultStore(freshName());
    expect(await store.getHeader()).toBeUndefined();
    expect(await store.listRecords()).toEqual([]);
    expect(await store.getRecord('a'.repeat(64))).toBeUndefined();
  });

  it('stores header and records and returns equal values', async () => {
    const store = createIdbVaultStore(freshName());
    const { header: h, vaultKey } = await header();
    const record = await encryptRecord(vaultKey, 'a'.repeat(64), { kind: 'storage' });
    await store.putHeader(h);
    await store.putRecord(record);
    expect(await store.getHeader()).toEqual(h);
    expect(await store.getRecord(record.id)).toEqual(record);
    expect(await store.listRecords()).toEqual([record]);
    expect(await store.deleteRecord(record.id)).toBe(true);
    expect(await store.deleteRecord(record.id)).toBe(false);
    expect(await store.listRecords()).toEqual([]);
  });

  it('persists across store instances: a vault saved through one opens through another', async () => {
    const name = freshName();
    const first = new VaultService(createIdbVaultStore(name), { kdf: TEST_KDF, floor: TEST_KDF });
    await first.create(PASSPHRASE);
    const { id } = await first.saveStorage(credentials);
    first.lock();

    const second = new VaultService(createIdbVaultStore(name), { kdf: TEST_KDF, floor: TEST_KDF });
    expect(await second.status()).toEqual({ exists: true, unlocked: false, storageCount: 1 });
    await second.unlock(PASSPHRASE);
    expect(await second.revealSecret(id)).toBe(credentials.secretKey);
  });

  it('keeps no plaintext secret in the database', async () => {
    const name = freshName();
    const service = new VaultService(createIdbVaultStore(name), { kdf: TEST_KDF, floor: TEST_KDF });
    await service.create(PASSPHRASE);
    await service.saveStorage(credentials);
    const db = await openDB(name);
    const everything = JSON.stringify([await db.getAll('meta'), await db.getAll('records')]);
    db.close();
    expect(everything).not.toContain(credentials.secretKey);
    expect(everything).not.toContain(credentials.accessKey);
    expect(everything).not.toContain(PASSPHRASE);
  });

  it('replaceAll swaps header and every record at once', async () => {
    const store = createIdbVaultStore(freshName());
    const a = await header();
    const b = await header();
    await store.putHeader(a.header);
    await store.putRecord(await encryptRecord(a.vaultKey, 'a'.repeat(64), 1));
    await store.putRecord(await encryptRecord(a.vaultKey, 'b'.repeat(64), 2));
    const next = [await encryptRecord(b.vaultKey, 'c'.repeat(64), 3)];
    await store.replaceAll(b.header, next);
    expect(await store.getHeader()).toEqual(b.header);
    expect(await store.listRecords()).toEqual(next);
  });

  it('replaceAll with a malformed record changes nothing', async () => {
    const store = createIdbVaultStore(freshName());
    const a = await header();
    const record = await encryptRecord(a.vaultKey, 'a'.repeat(64), 1);
    await store.putHeader(a.header);
    await store.putRecord(record);
    const bad = { id: 'b'.repeat(64), iv: 'not base64', ciphertext: '' };
    await expect(store.replaceAll(a.header, [record, bad])).rejects.toThrow(ConnectGuardError);
    expect(await store.listRecords()).toEqual([record]);
  });

  it('reports damaged data on disk as VAULT_CORRUPT instead of passing it on', async () => {
    const name = freshName();
    const store = createIdbVaultStore(name);
    expect(await store.getHeader()).toBeUndefined(); // creates the database
    const db = await openDB(name);
    await db.put('meta', { format: 'connect-guard-vault', version: 1, kdf: 'garbage' }, 'header');
    await db.put('records', { id: 'c'.repeat(64), iv: 42 });
    db.close();
    await expect(store.getHeader()).rejects.toMatchObject({ code: 'VAULT_CORRUPT' });
    await expect(store.getRecord('c'.repeat(64))).rejects.toMatchObject({ code: 'VAULT_CORRUPT' });
    await expect(store.listRecords()).rejects.toMatchObject({ code: 'VAULT_CORRUPT' });
  });
});
