import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryVaultStore } from './memory-vault-store.ts';
import { VaultService } from './vault-service.ts';

// The standalone script documents that FORMAT.md is enough to decrypt an export. It runs as a
// child process with the real default KDF, exactly as a user would run it.
const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '../../test/fixtures/decrypt-vault-export.mjs');
const PASSPHRASE = 'export passphrase for the script test';

describe('test/fixtures/decrypt-vault-export.mjs', () => {
  let dir: string;
  let file: string;
  let expected: { id: string; value: unknown }[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'connect-guard-export-'));
    const service = new VaultService(createMemoryVaultStore());
    await service.create(PASSPHRASE);
    const saved = [
      await service.saveStorage({
        storageName: 'NAS backup',
        permissions: 'Read & Write',
        allowedIps: '203.0.113.7',
        serverAddress: 'https://s3.wesendit.com',
        bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
        accessKey: 'FAKEACCESSKEY0000001',
        secretKey: 'fake-secret-key-for-tests-only-0001',
      }),
      await service.saveStorage({
        storageName: 'Fotos äöü',
        permissions: 'Read Only',
        allowedIps: '',
        serverAddress: 'https://s3.wesendit.com',
        bucketName: 'usr-48291-itm-00999-fotos',
        accessKey: 'FAKEACCESSKEY0000002',
        secretKey: 'fake-secret-key-for-tests-only-0002',
      }),
    ];
    const { text } = await service.exportVault();
    file = join(dir, 'export.json');
    await writeFile(file, text);
    expected = await Promise.all(saved.map(async ({ id }) => ({ id, value: await service.getStorage(id) })));
    expected.sort((a, b) => a.id.localeCompare(b.id));
  }, 30_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decrypts every record of an export made at the default KDF, with only the passphrase', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, file], { env: { ...process.env, CONNECT_GUARD_PASSPHRASE: PASSPHRASE } });
    const decrypted: unknown = JSON.parse(stdout);
    expect(decrypted).toEqual(expected);
    expect(stdout).toContain('fake-secret-key-for-tests-only-0002');
  });

  it('fails with a clear message and a non-zero exit for a wrong passphrase', async () => {
    const error: unknown = await run(process.execPath, [SCRIPT, file], { env: { ...process.env, CONNECT_GUARD_PASSPHRASE: 'not the passphrase' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 1, stderr: expect.stringContaining('The passphrase is wrong.') });
  });
});
