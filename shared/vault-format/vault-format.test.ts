import { argon2id } from 'hash-wasm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { secretNeedles } from '../../test/support/profile-scan.ts';
import { ConnectGuardError, type ConnectGuardErrorCode } from '../errors.ts';
import { base64ToBytes, bytesToBase64 } from './base64.ts';
import { DEFAULT_KDF, KDF_FLOOR, type EncryptedRecord, type KdfCost, type VaultHeader } from './vault-format.ts';
import { createVaultHeader, rewrapVaultHeader, unlockVaultHeader, verifyVaultKey } from './vault-header.ts';
import { decryptRecord, deriveStorageRecordId, encryptRecord, openVaultExport, serializeVaultExport } from './vault-records.ts';

// Count Argon2id runs, so the floor tests can prove the KDF never started.
vi.mock('hash-wasm', async (importOriginal) => {
  const original = await importOriginal<typeof import('hash-wasm')>();
  return { ...original, argon2id: vi.fn(original.argon2id) };
});
const argon2Calls = (): number => vi.mocked(argon2id).mock.calls.length;

/** Cheap Argon2id for tests; only accepted because the tests pass it as the floor explicitly. */
const TEST_KDF: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const TEST = { floor: TEST_KDF };
const PASSPHRASE = 'correct horse battery staple';

async function rejection(promise: Promise<unknown>): Promise<ConnectGuardError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectGuardError) return error;
    throw error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

function flipFirstByte(base64: string): string {
  const bytes = base64ToBytes(base64);
  if (bytes === undefined) throw new Error('not base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytesToBase64(bytes);
}

function randomKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

describe('vault header at the real default parameters', () => {
  let created: { header: VaultHeader; vaultKey: Uint8Array };
  beforeAll(async () => {
    created = await createVaultHeader(PASSPHRASE);
  });

  it('stores Argon2id 64 MiB, 3 iterations, parallelism 4 and a 16-byte salt', () => {
    expect(DEFAULT_KDF).toEqual({ memoryKiB: 65536, iterations: 3, parallelism: 4 });
    expect(KDF_FLOOR).toEqual(DEFAULT_KDF);
    expect(created.header.kdf).toMatchObject({ algorithm: 'argon2id', ...DEFAULT_KDF, hashLength: 32 });
    expect(base64ToBytes(created.header.kdf.salt)).toHaveLength(16);
    expect(created.vaultKey).toHaveLength(32);
  });

  it('unlocks to the same vault key with the passphrase', async () => {
    expect(await unlockVaultHeader(created.header, PASSPHRASE)).toEqual(created.vaultKey);
  });

  it('refuses a wrong passphrase with WRONG_PASSPHRASE and a clear message', async () => {
    const error = await rejection(unlockVaultHeader(created.header, 'correct horse battery stapler'));
    expect(error.code).toBe('WRONG_PASSPHRASE');
    expect(error.message).toBe('The passphrase is wrong. Nothing was changed.');
  });

  it.each<[string, Partial<KdfCost>]>([
    ['memory 32 MiB', { memoryKiB: 32768 }],
    ['2 iterations', { iterations: 2 }],
    ['parallelism 1', { parallelism: 1 }],
  ])('refuses a header lowered to %s with KDF_BELOW_FLOOR before running the KDF', async (_name, change) => {
    const lowered = { ...created.header, kdf: { ...created.header.kdf, ...change } };
    const before = argon2Calls();
    const error = await rejection(unlockVaultHeader(lowered, PASSPHRASE));
    expect(error.code).toBe('KDF_BELOW_FLOOR');
    expect(error.message).toMatch(/weaker than the minimum/);
    expect(argon2Calls()).toBe(before);
  });

  it('refuses to create a vault below the floor', async () => {
    const before = argon2Calls();
    expect((await rejection(createVaultHeader(PASSPHRASE, { ...DEFAULT_KDF, memoryKiB: 32768 }))).code).toBe('KDF_BELOW_FLOOR');
    expect(argon2Calls()).toBe(before);
  });

  it.each<[string, Partial<KdfCost>]>([
    ['8 GiB of memory', { memoryKiB: 8 * 1024 * 1024 }],
    ['1000 iterations', { iterations: 1000 }],
    ['parallelism 1000', { parallelism: 1000 }],
  ])('treats absurd parameters (%s) as a damaged header without running the KDF', async (_name, change) => {
    const raised = { ...created.header, kdf: { ...created.header.kdf, ...change } };
    const before = argon2Calls();
    expect((await rejection(unlockVaultHeader(raised, PASSPHRASE))).code).toBe('VAULT_CORRUPT');
    expect(argon2Calls()).toBe(before);
  });
});

describe('vault header tampering (cheap test KDF)', () => {
  let created: { header: VaultHeader; vaultKey: Uint8Array };
  beforeAll(async () => {
    created = await createVaultHeader(PASSPHRASE, TEST_KDF, TEST);
  });

  it('round-trips and the key check recognises the vault key only', async () => {
    expect(await unlockVaultHeader(created.header, PASSPHRASE, TEST)).toEqual(created.vaultKey);
    expect(await verifyVaultKey(created.header, created.vaultKey)).toBe(true);
    expect(await verifyVaultKey(created.header, randomKey())).toBe(false);
  });

  it('is refused at the production floor when made with the test KDF', async () => {
    expect((await rejection(unlockVaultHeader(created.header, PASSPHRASE))).code).toBe('KDF_BELOW_FLOOR');
  });

  const otherSalt = bytesToBase64(new Uint8Array(16).fill(7));
  // Fields that feed the KDF cannot be told apart from a wrong passphrase (they change the
  // derived key); everything else is reported as a damaged header.
  it.each<[string, (h: VaultHeader) => unknown, ConnectGuardErrorCode]>([
    ['kdf.salt', (h) => ({ ...h, kdf: { ...h.kdf, salt: otherSalt } }), 'WRONG_PASSPHRASE'],
    ['kdf.memoryKiB raised', (h) => ({ ...h, kdf: { ...h.kdf, memoryKiB: 128 } }), 'WRONG_PASSPHRASE'],
    ['kdf.iterations raised', (h) => ({ ...h, kdf: { ...h.kdf, iterations: 2 } }), 'WRONG_PASSPHRASE'],
    ['kdf.parallelism raised', (h) => ({ ...h, kdf: { ...h.kdf, parallelism: 2 } }), 'WRONG_PASSPHRASE'],
    ['passphraseCheck', (h) => ({ ...h, passphraseCheck: flipFirstByte(h.passphraseCheck) }), 'WRONG_PASSPHRASE'],
    ['kdf.hashLength', (h) => ({ ...h, kdf: { ...h.kdf, hashLength: 64 } }), 'VAULT_CORRUPT'],
    ['kdf.algorithm', (h) => ({ ...h, kdf: { ...h.kdf, algorithm: 'argon2i' } }), 'VAULT_CORRUPT'],
    ['kdf.salt too short', (h) => ({ ...h, kdf: { ...h.kdf, salt: bytesToBase64(new Uint8Array(8)) } }), 'VAULT_CORRUPT'],
    ['kdf.memoryKiB as text', (h) => ({ ...h, kdf: { ...h.kdf, memoryKiB: '64' } }), 'VAULT_CORRUPT'],
    ['keyCheck', (h) => ({ ...h, keyCheck: flipFirstByte(h.keyCheck) }), 'VAULT_CORRUPT'],
    ['createdAt', (h) => ({ ...h, createdAt: '2020-01-01T00:00:00.000Z' }), 'VAULT_CORRUPT'],
    ['wrappedKey.iv', (h) => ({ ...h, wrappedKey: { ...h.wrappedKey, iv: flipFirstByte(h.wrappedKey.iv) } }), 'VAULT_CORRUPT'],
    ['wrappedKey.ciphertext', (h) => ({ ...h, wrappedKey: { ...h.wrappedKey, ciphertext: flipFirstByte(h.wrappedKey.ciphertext) } }), 'VAULT_CORRUPT'],
    ['wrappedKey.ciphertext truncated', (h) => ({ ...h, wrappedKey: { ...h.wrappedKey, ciphertext: h.wrappedKey.ciphertext.slice(0, 44) } }), 'VAULT_CORRUPT'],
    ['wrappedKey missing', (h) => ({ ...h, wrappedKey: undefined }), 'VAULT_CORRUPT'],
    ['format', (h) => ({ ...h, format: 'other-vault' }), 'VAULT_CORRUPT'],
    ['version 0', (h) => ({ ...h, version: 0 }), 'VAULT_CORRUPT'],
    ['version 2', (h) => ({ ...h, version: 2 }), 'UNSUPPORTED_VERSION'],
    ['not an object', () => 'header', 'VAULT_CORRUPT'],
  ])('detects a changed %s', async (_field, tamper, code) => {
    const error = await rejection(unlockVaultHeader(tamper(created.header), PASSPHRASE, TEST));
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(20);
  });

  it('re-wraps the same vault key under a new passphrase with a new salt; the old passphrase stops working', async () => {
    const next = 'a different passphrase entirely';
    const { header, vaultKey } = await rewrapVaultHeader(created.header, PASSPHRASE, next, { ...TEST, kdf: TEST_KDF });
    expect(vaultKey).toEqual(created.vaultKey);
    expect(header.kdf.salt).not.toBe(created.header.kdf.salt);
    expect(header.createdAt).toBe(created.header.createdAt);
    expect(await unlockVaultHeader(header, next, TEST)).toEqual(created.vaultKey);
    expect((await rejection(unlockVaultHeader(header, PASSPHRASE, TEST))).code).toBe('WRONG_PASSPHRASE');
  });

  it('raises KDF parameters on re-wrap but never lowers them', async () => {
    const stronger = { memoryKiB: 128, iterations: 2, parallelism: 1 };
    const { header } = await rewrapVaultHeader(created.header, PASSPHRASE, 'next passphrase one', { ...TEST, kdf: stronger });
    expect(header.kdf).toMatchObject(stronger);
    const again = await rewrapVaultHeader(header, 'next passphrase one', 'next passphrase two', { ...TEST, kdf: TEST_KDF });
    expect(again.header.kdf).toMatchObject(stronger);
  });

  it('treats composed and decomposed accents as the same passphrase', async () => {
    const composed = 'passphrase caf\u00e9 cr\u00e8me';
    const { header, vaultKey } = await createVaultHeader(composed, TEST_KDF, TEST);
    expect(await unlockVaultHeader(header, composed.normalize('NFD'), TEST)).toEqual(vaultKey);
  });
});

function popCount(byte: number): number {
  let count = 0;
  for (let bits = byte; bits > 0; bits >>= 1) count += bits & 1;
  return count;
}

describe('records', () => {
  const vaultKey = randomKey();
  const id = 'a'.repeat(64);
  const otherId = 'b'.repeat(64);
  const value = { kind: 'storage', note: 'fake-secret-for-tests', nested: { n: 1, list: [true, null] } };

  it('round-trips JSON values', async () => {
    for (const v of [value, 'text', 42, [1, 'two'], null]) {
      expect(await decryptRecord(vaultKey, await encryptRecord(vaultKey, id, v))).toEqual(v);
    }
  });

  it('uses a fresh 12-byte IV for every write', async () => {
    const a = await encryptRecord(vaultKey, id, value);
    const b = await encryptRecord(vaultKey, id, value);
    expect(base64ToBytes(a.iv)).toHaveLength(12);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('is ciphertext: no encoding of the plaintext is in it, it is the plaintext plus a tag long, and only its key opens it', async () => {
    const record = await encryptRecord(vaultKey, id, value);
    const stored = Buffer.from(JSON.stringify(record), 'utf8');
    const ciphertext = Buffer.from(base64ToBytes(record.ciphertext) ?? new Uint8Array(0));
    // An "encryption" that only encoded the value (base64, hex, UTF-16) would show up here.
    for (const text of ['fake-secret-for-tests', JSON.stringify(value)]) {
      for (const needle of secretNeedles(text)) {
        expect(stored.includes(needle.bytes), `record holds the plaintext as ${needle.encoding}`).toBe(false);
        expect(ciphertext.includes(needle.bytes), `ciphertext holds the plaintext as ${needle.encoding}`).toBe(false);
      }
    }
    // AES-GCM: as long as the UTF-8 plaintext, plus the 16-byte tag.
    expect(ciphertext.length).toBe(Buffer.byteLength(JSON.stringify(value), 'utf8') + 16);
    // Half the bits of a ciphertext differ from the plaintext's; an XOR with a short key would not.
    const plain = Buffer.from(JSON.stringify(value), 'utf8');
    let differing = 0;
    for (let i = 0; i < plain.length; i++) differing += popCount((plain[i] ?? 0) ^ (ciphertext[i] ?? 0));
    expect(differing / (plain.length * 8)).toBeGreaterThan(0.35);
    expect((await rejection(decryptRecord(randomKey(), record))).code).toBe('VAULT_CORRUPT');
    expect(await decryptRecord(vaultKey, record)).toEqual(value);
  });

  it.each<[string, (r: EncryptedRecord, other: EncryptedRecord) => unknown]>([
    ['IV changed', (r) => ({ ...r, iv: flipFirstByte(r.iv) })],
    ['ciphertext changed', (r) => ({ ...r, ciphertext: flipFirstByte(r.ciphertext) })],
    ['tag changed', (r) => {
      const bytes = base64ToBytes(r.ciphertext) ?? new Uint8Array(0);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x80;
      return { ...r, ciphertext: bytesToBase64(bytes) };
    }],
    ['ciphertext truncated', (r) => ({ ...r, ciphertext: bytesToBase64((base64ToBytes(r.ciphertext) ?? new Uint8Array(0)).slice(0, -1)) })],
    ['id changed (AAD)', (r) => ({ ...r, id: otherId })],
    ['ciphertext moved to another id', (r, other) => ({ id: other.id, iv: r.iv, ciphertext: r.ciphertext })],
    ['IV not base64', (r) => ({ ...r, iv: '***' })],
    ['IV of 16 bytes', (r) => ({ ...r, iv: bytesToBase64(new Uint8Array(16)) })],
    ['malformed id', (r) => ({ ...r, id: 'ID WITH SPACES' })],
    ['not an object', () => 7],
  ])('detects %s as VAULT_CORRUPT', async (_name, tamper) => {
    const record = await encryptRecord(vaultKey, id, value);
    const other = await encryptRecord(vaultKey, otherId, { kind: 'storage', note: 'other' });
    const error = await rejection(decryptRecord(vaultKey, tamper(record, other)));
    expect(error.code).toBe('VAULT_CORRUPT');
    expect(error.message).toMatch(/damaged/);
  });

  it('cannot be decrypted with another vault key', async () => {
    const record = await encryptRecord(vaultKey, id, value);
    expect((await rejection(decryptRecord(randomKey(), record))).code).toBe('VAULT_CORRUPT');
  });
});

describe('storage record ids', () => {
  const vaultKey = randomKey();
  const base = { serverAddress: 'https://s3.wesendit.com', bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup', accessKey: 'CGTESTACCESSKEY' };

  it.each([
    'https://s3.wesendit.com',
    'https://s3.wesendit.com/',
    'HTTPS://S3.WeSendit.com//',
    's3.wesendit.com',
    '  s3.wesendit.com:443/ ',
    'http://s3.wesendit.com',
  ])('gives %j the same id as the canonical address', async (serverAddress) => {
    expect(await deriveStorageRecordId(vaultKey, { ...base, serverAddress })).toBe(await deriveStorageRecordId(vaultKey, base));
  });

  it.each([
    ['another bucket', { ...base, bucketName: 'usr-48291-itm-00385-other' }],
    ['another server', { ...base, serverAddress: 'https://s3.eu.wesendit.com' }],
    ['another port', { ...base, serverAddress: 'https://s3.wesendit.com:8443' }],
  ])('gives %s another id', async (_name, credentials) => {
    expect(await deriveStorageRecordId(vaultKey, credentials)).not.toBe(await deriveStorageRecordId(vaultKey, base));
  });

  it('is 64 hex characters, differs per vault, and does not reveal the bucket', async () => {
    const id = await deriveStorageRecordId(vaultKey, base);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain('48291');
    expect(await deriveStorageRecordId(randomKey(), base)).not.toBe(id);
  });
});

describe('export file', () => {
  let created: { header: VaultHeader; vaultKey: Uint8Array };
  let records: EncryptedRecord[];
  let text: string;
  beforeAll(async () => {
    created = await createVaultHeader(PASSPHRASE, TEST_KDF, TEST);
    records = [
      await encryptRecord(created.vaultKey, 'c'.repeat(64), { kind: 'storage', n: 1 }),
      await encryptRecord(created.vaultKey, 'd'.repeat(64), { kind: 'storage', n: 2 }),
    ];
    text = await serializeVaultExport({ header: created.header, records, vaultKey: created.vaultKey, exportedAt: new Date('2026-11-27T10:00:00Z') });
  });

  it('round-trips: header, records and every decrypted value', async () => {
    const opened = await openVaultExport(text, PASSPHRASE, TEST);
    expect(opened.vaultKey).toEqual(created.vaultKey);
    expect(opened.exportedAt).toBe('2026-11-27T10:00:00.000Z');
    expect(opened.records).toEqual([
      { id: 'c'.repeat(64), value: { kind: 'storage', n: 1 } },
      { id: 'd'.repeat(64), value: { kind: 'storage', n: 2 } },
    ]);
    expect(JSON.parse(text)).toMatchObject({ format: 'connect-guard-vault-export', version: 1, header: created.header });
  });

  type Mutate = (file: Record<string, unknown> & { records: EncryptedRecord[]; header: VaultHeader }) => unknown;
  const mutateJson = (mutate: Mutate) => (source: string): string => {
    const file: unknown = JSON.parse(source);
    if (typeof file !== 'object' || file === null || !('records' in file) || !('header' in file)) throw new Error('bad fixture');
    return JSON.stringify(mutate({ ...file, records: JSON.parse(JSON.stringify(file.records)), header: JSON.parse(JSON.stringify(file.header)) }));
  };

  it.each<[string, (source: string) => string, ConnectGuardErrorCode]>([
    ['empty file', () => '', 'INVALID_INPUT'],
    ['truncated file', (s) => s.slice(0, Math.floor(s.length / 2)), 'INVALID_INPUT'],
    ['not JSON', () => 'hello', 'INVALID_INPUT'],
    ['another JSON file', () => '{"name":"package"}', 'INVALID_INPUT'],
    ['a vault header instead of an export', mutateJson((f) => f.header), 'INVALID_INPUT'],
    ['newer version', mutateJson((f) => ({ ...f, version: 2 })), 'UNSUPPORTED_VERSION'],
    ['record removed', mutateJson((f) => ({ ...f, records: f.records.slice(1) })), 'VAULT_CORRUPT'],
    ['records reordered', mutateJson((f) => ({ ...f, records: [...f.records].reverse() })), 'VAULT_CORRUPT'],
    ['record duplicated', mutateJson((f) => ({ ...f, records: [...f.records, ...f.records.slice(0, 1)] })), 'VAULT_CORRUPT'],
    ['record ciphertext changed', mutateJson((f) => ({ ...f, records: f.records.map((r, i) => (i === 0 ? { ...r, ciphertext: flipFirstByte(r.ciphertext) } : r)) })), 'VAULT_CORRUPT'],
    ['record ids swapped', mutateJson((f) => ({ ...f, records: f.records.map((r, i) => ({ ...r, id: f.records[1 - i]?.id })) })), 'VAULT_CORRUPT'],
    ['exportedAt changed', mutateJson((f) => ({ ...f, exportedAt: '2027-01-01T00:00:00.000Z' })), 'VAULT_CORRUPT'],
    ['mac changed', mutateJson((f) => ({ ...f, mac: bytesToBase64(new Uint8Array(32)) })), 'VAULT_CORRUPT'],
    ['header wrapped key changed', mutateJson((f) => ({ ...f, header: { ...f.header, wrappedKey: { ...f.header.wrappedKey, ciphertext: flipFirstByte(f.header.wrappedKey.ciphertext) } } })), 'VAULT_CORRUPT'],
    ['header KDF lowered', mutateJson((f) => ({ ...f, header: { ...f.header, kdf: { ...f.header.kdf, memoryKiB: 32 } } })), 'KDF_BELOW_FLOOR'],
  ])('refuses %s with %s', async (_name, tamper, code) => {
    const error = await rejection(openVaultExport(tamper(text), PASSPHRASE, TEST));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/export|vault/i);
  });

  it('refuses a wrong passphrase with WRONG_PASSPHRASE', async () => {
    const error = await rejection(openVaultExport(text, 'not the export passphrase', TEST));
    expect(error.code).toBe('WRONG_PASSPHRASE');
    expect(error.message).toMatch(/export file/);
  });
});

describe('base64', () => {
  it('matches Node for every length 0–40', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const encoded = bytesToBase64(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(encoded)).toEqual(bytes);
    }
  });

  it.each(['A', 'AB=', 'A===', 'AB=C', 'QQ', 'QR==', 'Q Q=', 'QQ==\n', '-_8='])('rejects %j', (text) => {
    expect(base64ToBytes(text)).toBeUndefined();
  });
});
