/**
 * Nothing half-written: when the file does not read back exactly as written (here kdbxweb's
 * read-back is made to lose a character of the Secret Key, or the KDF cost), the export fails
 * with VERIFY_FAILED and no bytes leave the background.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StorageCredentials, StorageSummary } from '../../../shared/credentials.ts';
import type { KeePassFileContents } from '../../../shared/handoff-formats/keepass-file.ts';
import { exportHandoff, type HandoffVault } from './export-handoff.ts';

const tamper = vi.hoisted(() => ({ mode: 'none' as 'none' | 'secret' | 'kdf' }));

vi.mock('../../../shared/handoff-formats/keepass-file.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../shared/handoff-formats/keepass-file.ts')>();
  return {
    ...original,
    async readKeePassFile(bytes: Uint8Array, passphrase: string): Promise<KeePassFileContents> {
      const read = await original.readKeePassFile(bytes, passphrase);
      if (tamper.mode === 'secret') return { ...read, entries: read.entries.map((entry) => ({ ...entry, password: entry.password.slice(1) })) };
      if (tamper.mode === 'kdf') return { ...read, kdf: { ...read.kdf, memoryKiB: 1024 } };
      return read;
    },
  };
});

const NAS: StorageCredentials = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '',
  serverAddress: 'https://s3.wesendit.example',
  bucketName: 'usr-48291-itm-00384-nas',
  accessKey: 'CGACCESSKEY000000001',
  secretKey: 'cg-secret-verify-0001',
};
const SUMMARY: StorageSummary = { ...NAS, id: 'rec1', createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:00:00.000Z' };
const vault: HandoffVault = { isUnlocked: () => true, listStorages: async () => [SUMMARY], getStorageCredentials: async () => NAS };
const PASSPHRASE = 'file passphrase: seven quiet lanterns';

beforeEach(() => {
  tamper.mode = 'none';
});

describe('exportHandoff verifies before it hands anything out', () => {
  it('returns the file when it reads back exactly', async () => {
    await expect(exportHandoff({ format: 'keepass', scope: { kind: 'all' }, passphrase: PASSPHRASE, confirmation: PASSPHRASE }, vault)).resolves.toMatchObject({ verified: true, entries: 1 });
  });

  it.each(['secret', 'kdf'] as const)('fails with VERIFY_FAILED and no file when the read-back %s differs', async (mode) => {
    tamper.mode = mode;
    const result = exportHandoff({ format: 'keepass', scope: { kind: 'all' }, passphrase: PASSPHRASE, confirmation: PASSPHRASE }, vault);
    await expect(result).rejects.toMatchObject({ code: 'VERIFY_FAILED', message: expect.stringMatching(/not offered for download/) });
  });
});
