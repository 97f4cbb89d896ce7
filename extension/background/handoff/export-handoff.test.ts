import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs fixture without types, independent of the TypeScript writer.
import { readBitwardenExport } from '../../../test/fixtures/read-bitwarden-export.mjs';
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { readKeePassFile } from '../../../shared/handoff-formats/keepass-file.ts';
import { base64ToBytes } from '../../../shared/vault-format/base64.ts';
import { createMemoryVaultStore } from '../../../shared/vault-format/memory-vault-store.ts';
import { VaultService } from '../../../shared/vault-format/vault-service.ts';
import { exportHandoff, type HandoffRequest, type HandoffVault } from './export-handoff.ts';

// Cheap vault unlocks; the hand-off files themselves always use the real cost.
const VAULT_KDF = { memoryKiB: 256, iterations: 1, parallelism: 1 };
const VAULT_PASSPHRASE = 'vault passphrase: copper kettle 28';
const FILE_PASSPHRASE = 'file passphrase: seven quiet lanterns';

const NAS: StorageCredentials = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '203.0.113.7',
  serverAddress: 'https://s3.wesendit.example',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'CGACCESSKEY000000001',
  secretKey: 'cg-secret-nas-0001/+=',
};
const ARCHIVE: StorageCredentials = { ...NAS, storageName: 'Archive', bucketName: 'usr-48291-itm-00385-archive', accessKey: 'CGACCESSKEY000000002', secretKey: 'cg-secret-archive-0002' };

/** A real vault with `records`, seen through the port the background gives the export (as start-background.ts wires it). */
async function vaultWith(...records: StorageCredentials[]): Promise<{ vault: HandoffVault; ids: string[]; lock: () => Promise<void> }> {
  const service = new VaultService(createMemoryVaultStore(), { kdf: VAULT_KDF, floor: VAULT_KDF });
  await service.create(VAULT_PASSPHRASE);
  const ids: string[] = [];
  for (const record of records) ids.push((await service.saveStorage(record)).id);
  const vault: HandoffVault = { isUnlocked: () => service.isUnlocked, listStorages: () => service.listStorages(), getStorageCredentials: async (id) => (await service.getStorage(id)).credentials };
  return { vault, ids, lock: async () => service.lock() };
}

const request = (overrides: Partial<HandoffRequest> = {}): HandoffRequest => ({ format: 'keepass', scope: { kind: 'all' }, passphrase: FILE_PASSPHRASE, confirmation: FILE_PASSPHRASE, ...overrides });

function bytesOf(base64: string): Uint8Array {
  const bytes = base64ToBytes(base64);
  if (bytes === undefined) throw new Error('not base64');
  return bytes;
}

describe('exportHandoff', () => {
  it('writes one storage to a KeePass file that opens with the file passphrase (not the vault’s) and holds exactly its fields', async () => {
    const { vault, ids } = await vaultWith(NAS, ARCHIVE);
    const file = await exportHandoff(request({ scope: { kind: 'storage', storageId: ids[1] ?? '' } }), vault, new Date('2026-03-01T10:00:00Z'));
    expect(file).toMatchObject({ fileName: 'connect-guard-keepass-archive-2026-03-01.kdbx', mimeType: 'application/x-keepass2', entries: 1, verified: true });
    expect(file.kdf).toEqual({ algorithm: 'Argon2id', memoryKiB: 65536, iterations: 3, parallelism: 4, cipher: 'AES-256 (KDBX 4)' });
    const back = await readKeePassFile(bytesOf(file.base64), FILE_PASSPHRASE);
    expect(back.entries).toEqual([
      { title: 'Archive', username: ARCHIVE.accessKey, password: ARCHIVE.secretKey, url: ARCHIVE.serverAddress, bucketName: ARCHIVE.bucketName, permissions: ARCHIVE.permissions, allowedIps: ARCHIVE.allowedIps },
    ]);
    await expect(readKeePassFile(bytesOf(file.base64), VAULT_PASSPHRASE)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });

  it('writes every storage to a Bitwarden file the independent reader opens; a wrong passphrase does not', async () => {
    const { vault } = await vaultWith(NAS, ARCHIVE);
    const file = await exportHandoff(request({ format: 'bitwarden' }), vault);
    expect(file).toMatchObject({ mimeType: 'application/json', entries: 2, verified: true, kdf: { algorithm: 'Argon2id', memoryKiB: 65536, iterations: 3, parallelism: 4 } });
    expect(file.fileName).toMatch(/^connect-guard-bitwarden-encrypted-storages-\d{4}-\d{2}-\d{2}\.json$/);
    const text = new TextDecoder().decode(bytesOf(file.base64));
    const plain: { items: { name: string; login: { username: string; password: string } }[] } = await readBitwardenExport(text, FILE_PASSPHRASE);
    expect(plain.items.map((item) => [item.name, item.login.username, item.login.password]).sort()).toEqual([
      ['Archive', ARCHIVE.accessKey, ARCHIVE.secretKey],
      ['NAS backup', NAS.accessKey, NAS.secretKey],
    ]);
    await expect(readBitwardenExport(text, VAULT_PASSPHRASE)).rejects.toThrow('Invalid file password');
  });

  it('refuses before reading the vault: locked vault, passphrases that differ, a weak passphrase, an empty vault, an unknown storage', async () => {
    const { vault, lock } = await vaultWith(NAS);
    await expect(exportHandoff(request({ confirmation: `${FILE_PASSPHRASE}.` }), vault)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/do not match/) });
    await expect(exportHandoff(request({ passphrase: 'short', confirmation: 'short' }), vault)).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE' });
    await expect(exportHandoff(request({ passphrase: 'aaaaaaaaaaaaaa', confirmation: 'aaaaaaaaaaaaaa' }), vault)).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE' });
    await expect(exportHandoff(request({ scope: { kind: 'storage', storageId: 'nope' } }), vault)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await lock();
    await expect(exportHandoff(request(), vault)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    const { vault: empty } = await vaultWith();
    await expect(exportHandoff(request(), empty)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no storages/) });
  });
});
