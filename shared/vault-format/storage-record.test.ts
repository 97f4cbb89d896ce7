import { describe, expect, it } from 'vitest';
import type { StorageCredentials } from '../credentials.ts';
import {
  isStorageRecordValue,
  mergeStorageRecords,
  newStorageRecord,
  normaliseServerAddress,
  parseStorageCredentials,
  storageIdentity,
  updateStorageRecord,
  type StorageRecordValue,
} from './storage-record.ts';

const creds: StorageCredentials = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '',
  serverAddress: 'https://s3.wesendit.com',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'FAKEACCESSKEY0000001',
  secretKey: 'fake-secret-1',
};
const T1 = '2026-11-27T10:00:00.000Z';
const T2 = '2026-11-27T11:00:00.000Z';
const T3 = '2026-11-27T12:00:00.000Z';

describe('normaliseServerAddress', () => {
  it.each([
    ['https://s3.wesendit.com', 's3.wesendit.com'],
    ['HTTPS://S3.WeSendit.COM/', 's3.wesendit.com'],
    [' s3.wesendit.com// ', 's3.wesendit.com'],
    ['https://s3.wesendit.com:443', 's3.wesendit.com'],
    ['http://127.0.0.1:80/', '127.0.0.1'],
    ['http://127.0.0.1:7480', '127.0.0.1:7480'],
    ['https://s3.wesendit.com:80', 's3.wesendit.com:80'],
    ['https://gateway.example/s3/', 'gateway.example/s3'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseServerAddress(input)).toBe(expected);
  });

  it('joins server and trimmed bucket with a newline for the identity', () => {
    expect(storageIdentity({ serverAddress: 'https://S3.wesendit.com/', bucketName: ' b-1 ', accessKey: 'AK' })).toBe('s3.wesendit.com\nb-1');
  });

  it('falls back to the Access Key when the view showed no bucket name', () => {
    expect(storageIdentity({ serverAddress: '', bucketName: ' ', accessKey: ' AK1 ' })).toBe('\naccess-key:AK1');
    expect(storageIdentity({ serverAddress: 's3.x', bucketName: '', accessKey: 'AK1' })).not.toBe(
      storageIdentity({ serverAddress: 's3.x', bucketName: '', accessKey: 'AK2' }),
    );
  });
});

describe('parseStorageCredentials', () => {
  it('keeps exactly the seven fields, untrimmed, and drops extras', () => {
    const parsed = parseStorageCredentials({ ...creds, storageName: ' spaced ', extra: 'dropped' });
    expect(parsed).toEqual({ ...creds, storageName: ' spaced ' });
    expect(Object.keys(parsed)).toHaveLength(7);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'text', /object/],
    ['a number field', { ...creds, accessKey: 42 }, /accessKey.*text/],
    ['a missing Secret Key', { ...creds, secretKey: undefined }, /Secret Key is empty/],
    ['two missing fields', { ...creds, secretKey: '', accessKey: ' ' }, /Access Key, Secret Key are empty/],
  ])('refuses %s with a message naming the fix', (_name, input, message) => {
    expect(() => parseStorageCredentials(input)).toThrow(message);
  });

  it('accepts a view without server address, bucket or the other fields as long as the key pair is there', () => {
    const bare = { storageName: '', permissions: '', allowedIps: '', serverAddress: '', bucketName: '', accessKey: 'AK', secretKey: 'SK' };
    expect(parseStorageCredentials({ accessKey: 'AK', secretKey: 'SK' })).toEqual(bare);
  });
});

describe('updateStorageRecord', () => {
  const first = newStorageRecord(creds, T1);

  it('returns the same object when nothing changed', () => {
    expect(updateStorageRecord(first, { ...creds }, T2)).toBe(first);
  });

  it('updates fields without history when the key pair is the same', () => {
    const next = updateStorageRecord(first, { ...creds, storageName: 'Renamed' }, T2);
    expect(next).toEqual({ ...first, credentials: { ...creds, storageName: 'Renamed' }, updatedAt: T2 });
  });

  it('moves a replaced key pair to previousKeys and never duplicates it', () => {
    const second = updateStorageRecord(first, { ...creds, secretKey: 'fake-secret-2' }, T2);
    expect(second.previousKeys).toEqual([{ accessKey: creds.accessKey, secretKey: 'fake-secret-1', replacedAt: T2 }]);
    const back = updateStorageRecord(second, creds, T3);
    // Back to pair 1: pair 2 becomes history, pair 1 is current and no longer listed.
    expect(back.previousKeys).toEqual([{ accessKey: creds.accessKey, secretKey: 'fake-secret-2', replacedAt: T3 }]);
    expect(back.createdAt).toBe(T1);
  });

  it('does not mutate its input', () => {
    const frozen = Object.freeze({ ...first, previousKeys: Object.freeze([]) });
    expect(() => updateStorageRecord(frozen, { ...creds, secretKey: 'x' }, T2)).not.toThrow();
    expect(frozen.previousKeys).toEqual([]);
  });
});

describe('mergeStorageRecords', () => {
  const local: StorageRecordValue = newStorageRecord(creds, T1);
  const newerIncoming: StorageRecordValue = { ...newStorageRecord({ ...creds, secretKey: 'fake-secret-2' }, T2) };

  it.each<[string, StorageRecordValue, StorageRecordValue, string, string[]]>([
    ['newer incoming wins', local, newerIncoming, 'fake-secret-2', ['fake-secret-1']],
    ['newer local wins', { ...local, updatedAt: T3 }, newerIncoming, 'fake-secret-1', ['fake-secret-2']],
    ['a tie keeps local', { ...local, updatedAt: T2 }, newerIncoming, 'fake-secret-1', ['fake-secret-2']],
    [
      'both histories are kept',
      { ...local, previousKeys: [{ accessKey: 'A0', secretKey: 'old-local', replacedAt: T1 }] },
      { ...newerIncoming, previousKeys: [{ accessKey: 'A0', secretKey: 'old-incoming', replacedAt: T1 }] },
      'fake-secret-2',
      ['old-local', 'old-incoming', 'fake-secret-1'],
    ],
  ])('%s', (_name, a, b, currentSecret, history) => {
    const merged = mergeStorageRecords(a, b, T3);
    expect(merged.credentials.secretKey).toBe(currentSecret);
    expect(merged.previousKeys.map((p) => p.secretKey).sort()).toEqual([...history].sort());
    expect(merged.createdAt).toBe(T1);
    expect(isStorageRecordValue(merged)).toBe(true);
  });

  it('returns local itself when the incoming record adds nothing', () => {
    expect(mergeStorageRecords(local, { ...local }, T3)).toBe(local);
  });
});

describe('isStorageRecordValue', () => {
  it.each<[string, unknown]>([
    ['wrong kind', { ...newStorageRecord(creds, T1), kind: 'note' }],
    ['bad time', { ...newStorageRecord(creds, T1), updatedAt: 'yesterday' }],
    ['bad history', { ...newStorageRecord(creds, T1), previousKeys: [{ accessKey: 1 }] }],
    ['missing credentials', { ...newStorageRecord(creds, T1), credentials: undefined }],
  ])('rejects %s', (_name, value) => {
    expect(isStorageRecordValue(value)).toBe(false);
  });
});
