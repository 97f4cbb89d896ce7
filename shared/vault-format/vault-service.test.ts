import { describe, expect, it } from 'vitest';
import type { StorageCredentials } from '../credentials.ts';
import { ConnectGuardError, type ConnectGuardErrorCode } from '../errors.ts';
import { createMemoryVaultStore } from './memory-vault-store.ts';
import { estimatePassphraseStrength } from './passphrase-strength.ts';
import { encryptRecord, serializeVaultExport } from './vault-records.ts';
import { parseEncryptedRecord, parseVaultHeader, type EncryptedRecord, type KdfCost } from './vault-format.ts';
import { VaultService, type VaultStore } from './vault-service.ts';

/** Cheap Argon2id for tests; accepted only because it is also passed as the floor. */
const TEST_KDF: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const PASSPHRASE = 'correct horse battery staple';

/** Clearly fake credentials in WeSendit's shape. */
function fakeCredentials(overrides: Partial<StorageCredentials> = {}): StorageCredentials {
  return {
    storageName: 'NAS backup',
    permissions: 'Read & Write',
    allowedIps: '203.0.113.7',
    serverAddress: 'https://s3.wesendit.com',
    bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
    accessKey: 'FAKEACCESSKEY0000001',
    secretKey: 'fake-secret-key-for-tests-only-0001',
    ...overrides,
  };
}

/** A clock that moves one minute per call, so updatedAt values differ and order is known. */
function steppingClock(start = '2026-11-27T10:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 60_000));
}

function testService(store: VaultStore = createMemoryVaultStore(), now = steppingClock()): VaultService {
  return new VaultService(store, { kdf: TEST_KDF, floor: TEST_KDF, now });
}

async function newVault(store: VaultStore = createMemoryVaultStore(), passphrase = PASSPHRASE): Promise<{ service: VaultService; store: VaultStore }> {
  const service = testService(store);
  await service.create(passphrase);
  return { service, store };
}

async function rejection(promise: Promise<unknown>): Promise<ConnectGuardError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectGuardError) return error;
    throw error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Everything a store holds, as text: equal snapshots mean byte-identical content. */
async function snapshot(store: VaultStore): Promise<string> {
  const records = (await store.listRecords()).sort((a, b) => a.id.localeCompare(b.id));
  return JSON.stringify({ header: await store.getHeader(), records });
}

describe('VaultService lifecycle', () => {
  it('creates, reports status, locks and unlocks', async () => {
    const service = testService();
    expect(await service.status()).toEqual({ exists: false, unlocked: false, storageCount: 0 });
    expect(await service.create(PASSPHRASE)).toEqual({ exists: true, unlocked: true, storageCount: 0 });
    service.lock();
    expect(service.isUnlocked).toBe(false);
    expect(await service.unlock(PASSPHRASE)).toEqual({ exists: true, unlocked: true, storageCount: 0 });
  });

  it('refuses a second vault, a weak passphrase and a wrong passphrase', async () => {
    const { service } = await newVault();
    expect((await rejection(service.create('another long passphrase'))).code).toBe('VAULT_EXISTS');
    expect((await rejection(testService().create('short'))).code).toBe('WEAK_PASSPHRASE');
    expect((await rejection(testService().create('aaaaaaaaaaaaaaaa'))).code).toBe('WEAK_PASSPHRASE');
    service.lock();
    const wrong = await rejection(service.unlock('wrong passphrase here'));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(service.isUnlocked).toBe(false);
  });

  it.each<[string, (s: VaultService) => Promise<unknown>]>([
    ['saveStorage', (s) => s.saveStorage(fakeCredentials())],
    ['listStorages', (s) => s.listStorages()],
    ['revealSecret', (s) => s.revealSecret('a'.repeat(64))],
    ['deleteStorage', (s) => s.deleteStorage('a'.repeat(64))],
    ['exportVault', (s) => s.exportVault()],
    ['importVault', (s) => s.importVault('{}', PASSPHRASE)],
    ['getVaultKey', async (s) => s.getVaultKey()],
  ])('%s needs the vault unlocked (VAULT_LOCKED)', async (_name, call) => {
    const { service } = await newVault();
    service.lock();
    expect((await rejection(call(service))).code).toBe('VAULT_LOCKED');
  });

  it('says VAULT_MISSING when there is no vault', async () => {
    expect((await rejection(testService().unlock(PASSPHRASE))).code).toBe('VAULT_MISSING');
    expect((await rejection(testService().unlockWithKey(new Uint8Array(32)))).code).toBe('VAULT_MISSING');
  });

  it('unlocks with the raw vault key it handed out, and refuses another key', async () => {
    const { service, store } = await newVault();
    const key = service.getVaultKey();
    const restarted = testService(store);
    expect((await restarted.unlockWithKey(key)).unlocked).toBe(true);
    const other = testService(store);
    expect((await rejection(other.unlockWithKey(crypto.getRandomValues(new Uint8Array(32))))).code).toBe('VAULT_LOCKED');
    expect(other.isUnlocked).toBe(false);
  });

  it('forgets the key on lock', async () => {
    const { service } = await newVault();
    expect(service.getVaultKey()).toHaveLength(32);
    service.lock();
    expect((await rejection(Promise.resolve().then(() => service.getVaultKey()))).code).toBe('VAULT_LOCKED');
  });
});

describe('saving storages', () => {
  it('saves, verifies, lists without secrets and reveals the secret', async () => {
    const { service, store } = await newVault();
    const result = await service.saveStorage(fakeCredentials());
    expect(result).toMatchObject({ verified: true, outcome: 'created' });
    expect(result.id).toMatch(/^[0-9a-f]{64}$/);
    const list = await service.listStorages();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: result.id, storageName: 'NAS backup', accessKey: 'FAKEACCESSKEY0000001' });
    expect(JSON.stringify(list)).not.toContain('fake-secret-key');
    expect(await service.revealSecret(result.id)).toBe('fake-secret-key-for-tests-only-0001');
    expect(JSON.stringify(await store.listRecords())).not.toContain('fake-secret-key');
  });

  it('updates the same record when the same storage is saved again, keeping the replaced key pair', async () => {
    const { service, store } = await newVault();
    const first = await service.saveStorage(fakeCredentials());
    const second = await service.saveStorage(
      fakeCredentials({ serverAddress: 'HTTPS://S3.WESENDIT.COM/', accessKey: 'FAKEACCESSKEY0000002', secretKey: 'fake-secret-key-for-tests-only-0002' }),
    );
    expect(second).toMatchObject({ id: first.id, outcome: 'updated' });
    expect(await store.listRecords()).toHaveLength(1);
    const record = await service.getStorage(first.id);
    expect(record.credentials.secretKey).toBe('fake-secret-key-for-tests-only-0002');
    expect(record.previousKeys).toEqual([
      { accessKey: 'FAKEACCESSKEY0000001', secretKey: 'fake-secret-key-for-tests-only-0001', replacedAt: record.updatedAt },
    ]);
    expect(record.createdAt < record.updatedAt).toBe(true);
  });

  it('reports an identical save as unchanged and writes nothing', async () => {
    const { service, store } = await newVault();
    await service.saveStorage(fakeCredentials());
    const before = await snapshot(store);
    expect((await service.saveStorage(fakeCredentials())).outcome).toBe('unchanged');
    expect(await snapshot(store)).toBe(before);
  });

  it('keeps separate records for separate buckets', async () => {
    const { service } = await newVault();
    await service.saveStorage(fakeCredentials());
    await service.saveStorage(fakeCredentials({ bucketName: 'usr-48291-itm-00999-photos' }));
    expect(await service.listStorages()).toHaveLength(2);
  });

  it.each<[string, Partial<StorageCredentials>, ConnectGuardErrorCode]>([
    ['an empty Secret Key', { secretKey: '' }, 'MISSING_CREDENTIALS'],
    ['a blank Access Key', { accessKey: '   ' }, 'MISSING_CREDENTIALS'],
    ['a 5000-character field', { storageName: 'x'.repeat(5000) }, 'INVALID_INPUT'],
  ])('refuses %s', async (_name, overrides, code) => {
    const { service, store } = await newVault();
    expect((await rejection(service.saveStorage(fakeCredentials(overrides)))).code).toBe(code);
    expect(await store.listRecords()).toHaveLength(0);
  });

  it('saves a view without bucket name or server address, identified by its Access Key', async () => {
    const { service, store } = await newVault();
    await service.saveStorage(fakeCredentials({ bucketName: '', serverAddress: '', accessKey: 'FAKEACCESSKEYAAAA' }));
    await service.saveStorage(fakeCredentials({ bucketName: '', serverAddress: '', accessKey: 'FAKEACCESSKEYBBBB' }));
    await service.saveStorage(fakeCredentials({ bucketName: '', serverAddress: '', accessKey: 'FAKEACCESSKEYAAAA', secretKey: 'fake-secret-again' }));
    expect(await store.listRecords()).toHaveLength(2);
  });

  it('serialises concurrent saves of one storage: one record, no key pair lost', async () => {
    const { service, store } = await newVault();
    await Promise.all([1, 2, 3].map((n) => service.saveStorage(fakeCredentials({ accessKey: `FAKEACCESSKEY000000${n}`, secretKey: `fake-secret-${n}` }))));
    expect(await store.listRecords()).toHaveLength(1);
    const [summary] = await service.listStorages();
    const record = await service.getStorage(summary?.id ?? '');
    const secrets = [record.credentials.secretKey, ...record.previousKeys.map((p) => p.secretKey)].sort();
    expect(secrets).toEqual(['fake-secret-1', 'fake-secret-2', 'fake-secret-3']);
  });

  it('deletes a storage', async () => {
    const { service } = await newVault();
    const { id } = await service.saveStorage(fakeCredentials());
    expect(await service.deleteStorage(id)).toBe(true);
    expect(await service.deleteStorage(id)).toBe(false);
    expect((await rejection(service.revealSecret(id))).code).toBe('NOT_FOUND');
  });
});

/** A store that wraps a real one and misbehaves on reads or writes of records. */
function faultyStore(fault: (inner: VaultStore, vaultKey: () => Uint8Array) => Partial<VaultStore>, keyRef: { key?: Uint8Array }): VaultStore {
  const inner = createMemoryVaultStore();
  const overrides = fault(inner, () => keyRef.key ?? new Uint8Array(32));
  return { ...inner, ...overrides };
}

describe('read-back verification detects a faulty store', () => {
  it.each<[string, (inner: VaultStore, key: () => Uint8Array) => Partial<VaultStore>]>([
    ['returns another valid record for the id', (_inner, key) => ({
      getRecord: async (id) => encryptRecord(key(), id, {
        kind: 'storage',
        credentials: fakeCredentials({ secretKey: 'fake-other-secret' }),
        createdAt: '2026-11-27T10:00:00.000Z',
        updatedAt: '2026-11-27T10:00:00.000Z',
        previousKeys: [],
      }),
    })],
    ['drops the write', () => ({ putRecord: async () => undefined })],
    ['returns nothing', () => ({ getRecord: async () => undefined })],
    ['flips a ciphertext bit', (inner) => ({
      getRecord: async (id) => {
        const record = await inner.getRecord(id);
        return record && { ...record, ciphertext: `${record.ciphertext.startsWith('A') ? 'B' : 'A'}${record.ciphertext.slice(1)}` };
      },
    })],
    ['returns a record stored under another id', (inner) => ({
      getRecord: async (id) => {
        const record = await inner.getRecord(id);
        return record && { ...record, id: 'f'.repeat(64) };
      },
    })],
  ])('store %s → VERIFY_FAILED', async (_name, fault) => {
    const keyRef: { key?: Uint8Array } = {};
    const store = faultyStore(fault, keyRef);
    const service = testService(store);
    await service.create(PASSPHRASE);
    keyRef.key = service.getVaultKey();
    const error = await rejection(service.saveStorage(fakeCredentials()));
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toMatch(/not confirmed/);
  });
});

describe('passphrase change', () => {
  it('re-wraps only the key: records untouched and readable, old passphrase refused, new accepted', async () => {
    const { service, store } = await newVault();
    const { id } = await service.saveStorage(fakeCredentials());
    const recordsBefore = JSON.stringify(await store.listRecords());
    const headerBefore = await store.getHeader();
    await service.changePassphrase(PASSPHRASE, 'a brand new passphrase');
    expect(JSON.stringify(await store.listRecords())).toBe(recordsBefore);
    expect((await store.getHeader())?.kdf.salt).not.toBe(headerBefore?.kdf.salt);
    service.lock();
    expect((await rejection(service.unlock(PASSPHRASE))).code).toBe('WRONG_PASSPHRASE');
    await service.unlock('a brand new passphrase');
    expect(await service.revealSecret(id)).toBe('fake-secret-key-for-tests-only-0001');
  });

  it.each<[string, string, string, ConnectGuardErrorCode]>([
    ['a wrong current passphrase', 'wrong current passphrase', 'a brand new passphrase', 'WRONG_PASSPHRASE'],
    ['a weak new passphrase', PASSPHRASE, 'short', 'WEAK_PASSPHRASE'],
    ['the same passphrase', PASSPHRASE, PASSPHRASE, 'INVALID_INPUT'],
  ])('refuses %s and changes nothing', async (_name, current, next, code) => {
    const { service, store } = await newVault();
    await service.saveStorage(fakeCredentials());
    const before = await snapshot(store);
    expect((await rejection(service.changePassphrase(current, next))).code).toBe(code);
    expect(await snapshot(store)).toBe(before);
  });
});

describe('export and import', () => {
  async function sourceVault(): Promise<{ service: VaultService; text: string; ids: string[] }> {
    const { service } = await newVault(createMemoryVaultStore(), 'export passphrase one');
    const a = await service.saveStorage(fakeCredentials());
    const b = await service.saveStorage(fakeCredentials({ storageName: 'Photos', bucketName: 'usr-48291-itm-00999-photos', secretKey: 'fake-secret-photos' }));
    const { text, fileName } = await service.exportVault();
    expect(fileName).toMatch(/^connect-guard-vault-\d{4}-\d{2}-\d{2}\.json$/);
    expect(text).not.toContain('fake-secret');
    return { service, text, ids: [a.id, b.id] };
  }

  it('imports into a fresh vault with another passphrase; the secrets come back re-encrypted under its key', async () => {
    const { text } = await sourceVault();
    const { service, store } = await newVault(createMemoryVaultStore(), 'target passphrase two');
    expect(await service.importVault(text, 'export passphrase one')).toEqual({ imported: 2, updated: 0, unchanged: 0 });
    const list = await service.listStorages();
    expect(list.map((s) => s.storageName)).toEqual(['NAS backup', 'Photos']);
    const secrets = await Promise.all(list.map((s) => service.revealSecret(s.id)));
    expect(secrets).toEqual(['fake-secret-key-for-tests-only-0001', 'fake-secret-photos']);
    // Importing the same file again changes nothing.
    const before = await snapshot(store);
    expect(await service.importVault(text, 'export passphrase one')).toEqual({ imported: 0, updated: 0, unchanged: 2 });
    expect(await snapshot(store)).toBe(before);
    // The target's own passphrase still opens it.
    service.lock();
    await service.unlock('target passphrase two');
    expect(await service.listStorages()).toHaveLength(2);
  });

  it('merges by storage: the newer record wins and the other key pair is kept', async () => {
    const clock = steppingClock('2026-11-27T10:00:00.000Z');
    const target = new VaultService(createMemoryVaultStore(), { kdf: TEST_KDF, floor: TEST_KDF, now: clock });
    await target.create('target passphrase two');
    // Saved in the target first (older), then a newer key pair in the source vault.
    await target.saveStorage(fakeCredentials({ secretKey: 'fake-secret-old' }));
    const source = new VaultService(createMemoryVaultStore(), { kdf: TEST_KDF, floor: TEST_KDF, now: steppingClock('2026-11-28T10:00:00.000Z') });
    await source.create('export passphrase one');
    await source.saveStorage(fakeCredentials({ accessKey: 'FAKEACCESSKEY0000009', secretKey: 'fake-secret-new' }));
    const { text } = await source.exportVault();

    expect(await target.importVault(text, 'export passphrase one')).toEqual({ imported: 0, updated: 1, unchanged: 0 });
    const [summary] = await target.listStorages();
    const record = await target.getStorage(summary?.id ?? '');
    expect(record.credentials).toMatchObject({ accessKey: 'FAKEACCESSKEY0000009', secretKey: 'fake-secret-new' });
    expect(record.previousKeys.map((p) => p.secretKey)).toEqual(['fake-secret-old']);
  });

  it('keeps the local record when it is newer, and still keeps the imported key pair', async () => {
    const source = new VaultService(createMemoryVaultStore(), { kdf: TEST_KDF, floor: TEST_KDF, now: steppingClock('2026-11-20T10:00:00.000Z') });
    await source.create('export passphrase one');
    await source.saveStorage(fakeCredentials({ secretKey: 'fake-secret-older-export' }));
    const { text } = await source.exportVault();
    const { service } = await newVault(createMemoryVaultStore(), 'target passphrase two');
    await service.saveStorage(fakeCredentials({ secretKey: 'fake-secret-newer-local' }));
    expect(await service.importVault(text, 'export passphrase one')).toEqual({ imported: 0, updated: 1, unchanged: 0 });
    const [summary] = await service.listStorages();
    const record = await service.getStorage(summary?.id ?? '');
    expect(record.credentials.secretKey).toBe('fake-secret-newer-local');
    expect(record.previousKeys.map((p) => p.secretKey)).toEqual(['fake-secret-older-export']);
  });

  const flip = (text: string, field: 'ciphertext' | 'iv'): string => {
    const file: unknown = JSON.parse(text);
    const changed = JSON.stringify(file, (key, value: unknown) => (key === field && typeof value === 'string' && value.length > 16 ? `${value[0] === 'A' ? 'B' : 'A'}${value.slice(1)}` : value));
    return changed;
  };

  it.each<[string, (text: string) => string, string, ConnectGuardErrorCode]>([
    ['a wrong passphrase', (t) => t, 'wrong export passphrase', 'WRONG_PASSPHRASE'],
    ['a tampered record', (t) => flip(t, 'ciphertext'), 'export passphrase one', 'VAULT_CORRUPT'],
    ['a truncated file', (t) => t.slice(0, t.length - 200), 'export passphrase one', 'INVALID_INPUT'],
    ['a file cut after the header', (t) => t.slice(0, t.indexOf('"records"')), 'export passphrase one', 'INVALID_INPUT'],
    ['not JSON', () => 'PK\u0003\u0004 this is a zip', 'export passphrase one', 'INVALID_INPUT'],
    ['a wrong format', (t) => t.replace('connect-guard-vault-export', 'some-other-export'), 'export passphrase one', 'INVALID_INPUT'],
    ['a newer version', (t) => t.replace('"version": 1,', '"version": 7,'), 'export passphrase one', 'UNSUPPORTED_VERSION'],
  ])('refuses %s and leaves the existing vault byte-identical', async (_name, tamper, passphrase, code) => {
    const { text } = await sourceVault();
    const { service, store } = await newVault(createMemoryVaultStore(), 'target passphrase two');
    await service.saveStorage(fakeCredentials({ storageName: 'Existing', bucketName: 'usr-1-itm-2-existing' }));
    const before = await snapshot(store);
    const error = await rejection(service.importVault(tamper(text), passphrase));
    expect(error.code).toBe(code);
    expect(await snapshot(store)).toBe(before);
  });

  it('refuses a record whose plaintext is not a storage record, importing nothing', async () => {
    const { service: source } = await newVault(createMemoryVaultStore(), 'export passphrase one');
    await source.saveStorage(fakeCredentials());
    const { text } = await source.exportVault();
    const file: unknown = JSON.parse(text);
    if (typeof file !== 'object' || file === null || !('records' in file) || !Array.isArray(file.records)) throw new Error('bad fixture');
    // A record that decrypts fine but is not a storage: built with the source key.
    const odd = await encryptRecord(source.getVaultKey(), 'e'.repeat(64), { kind: 'note' });
    const header = parseVaultHeader('header' in file ? file.header : undefined);
    const records: EncryptedRecord[] = [...file.records.map((r: unknown) => parseEncryptedRecord(r)), odd];
    const forged = await serializeVaultExport({ header, records, vaultKey: source.getVaultKey() });
    const { service, store } = await newVault(createMemoryVaultStore(), 'target passphrase two');
    const before = await snapshot(store);
    expect((await rejection(service.importVault(forged, 'export passphrase one'))).code).toBe('VAULT_CORRUPT');
    expect(await snapshot(store)).toBe(before);
  });
});

describe('real default KDF through the service', () => {
  it('creates at 64 MiB, refuses the wrong passphrase, unlocks with the right one', async () => {
    const store = createMemoryVaultStore();
    const service = new VaultService(store);
    await service.create(PASSPHRASE);
    expect((await store.getHeader())?.kdf).toMatchObject({ memoryKiB: 65536, iterations: 3, parallelism: 4 });
    service.lock();
    expect((await rejection(service.unlock('not the passphrase at all'))).code).toBe('WRONG_PASSPHRASE');
    await service.unlock(PASSPHRASE);
    expect(service.isUnlocked).toBe(true);
  });

  it('refuses a vault made with the test KDF when no test floor is given, by passphrase or by kept key', async () => {
    const { store, service } = await newVault();
    const production = new VaultService(store);
    expect((await rejection(production.unlock(PASSPHRASE))).code).toBe('KDF_BELOW_FLOOR');
    expect((await rejection(production.unlockWithKey(service.getVaultKey()))).code).toBe('KDF_BELOW_FLOOR');
    expect(production.isUnlocked).toBe(false);
  });
});

describe('estimatePassphraseStrength', () => {
  it.each<[string, number, number]>([
    ['', 0, 0],
    ['short', 0, 0],
    ['aaaaaaaaaaaa', 0, 0],
    ['password123', 1, 1],
    ['abcdefghijkl', 1, 1],
    ['lantern meadow', 1, 2],
    ['lantern meadow copper', 2, 3],
    ['lantern meadow copper violin', 3, 4],
    ['Lantern-Meadow-Copper-Violin-42!', 4, 4],
  ])('%j scores between %i and %i', (passphrase, min, max) => {
    const { score, hint } = estimatePassphraseStrength(passphrase);
    expect(score).toBeGreaterThanOrEqual(min);
    expect(score).toBeLessThanOrEqual(max);
    expect(hint.length).toBeGreaterThan(0);
  });
});
