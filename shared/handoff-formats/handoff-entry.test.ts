import { describe, expect, it } from 'vitest';
import { KDF_FLOOR } from '../vault-format/vault-format.ts';
import { HANDOFF_KDF, describeHandoffKdf, handoffEntryOf, handoffFileName, plannedHandoffKdf, sameHandoffEntries } from './handoff-entry.ts';

const CREDENTIALS = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '203.0.113.7',
  serverAddress: 'https://s3.wesendit.example',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'CGACCESSKEY000000001',
  secretKey: 'cg-secret',
};

describe('hand-off entries', () => {
  it('maps the seven fields: title = Storage name, username = Access Key, password = Secret Key, URL = S3 Server Address', () => {
    expect(handoffEntryOf(CREDENTIALS)).toEqual({
      title: 'NAS backup',
      username: 'CGACCESSKEY000000001',
      password: 'cg-secret',
      url: 'https://s3.wesendit.example',
      bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
      permissions: 'Read & Write',
      allowedIps: '203.0.113.7',
    });
    expect(handoffEntryOf({ ...CREDENTIALS, storageName: '  ' }).title).toBe(CREDENTIALS.bucketName);
  });

  it('compares entries field by field', () => {
    const entry = handoffEntryOf(CREDENTIALS);
    expect(sameHandoffEntries([entry], [{ ...entry }])).toBe(true);
    expect(sameHandoffEntries([entry], [{ ...entry, password: 'other' }])).toBe(false);
    expect(sameHandoffEntries([entry], [])).toBe(false);
  });

  it('never costs less than the vault’s own Argon2id floor, and says so in words', () => {
    expect(HANDOFF_KDF.memoryKiB).toBeGreaterThanOrEqual(KDF_FLOOR.memoryKiB);
    expect(HANDOFF_KDF.iterations).toBeGreaterThanOrEqual(KDF_FLOOR.iterations);
    expect(HANDOFF_KDF.parallelism).toBeGreaterThanOrEqual(KDF_FLOOR.parallelism);
    expect(describeHandoffKdf(plannedHandoffKdf('keepass'))).toBe('Argon2id, 64 MiB, 3 passes, parallelism 4; AES-256 (KDBX 4)');
    expect(describeHandoffKdf(plannedHandoffKdf('bitwarden'))).toBe('Argon2id, 64 MiB, 3 passes, parallelism 4; AES-256-CBC + HMAC-SHA256');
  });

  it.each([
    ['keepass', ['NAS backup'], 'connect-guard-keepass-nas-backup-2026-03-01.kdbx'],
    ['bitwarden', ['NAS backup'], 'connect-guard-bitwarden-encrypted-nas-backup-2026-03-01.json'],
    ['keepass', ['a', 'b'], 'connect-guard-keepass-storages-2026-03-01.kdbx'],
    ['keepass', ['../../etc/passwd'], 'connect-guard-keepass-etc-passwd-2026-03-01.kdbx'],
    ['keepass', ['***'], 'connect-guard-keepass-storage-2026-03-01.kdbx'],
    ['keepass', ['Büro Ärchiv'], 'connect-guard-keepass-buro-archiv-2026-03-01.kdbx'],
  ] as const)('names a %s file for %j: %s', (format, titles, name) => {
    const entries = titles.map((title) => ({ ...handoffEntryOf(CREDENTIALS), title }));
    expect(handoffFileName(format, entries, new Date('2026-03-01T10:00:00Z'))).toBe(name);
  });
});
