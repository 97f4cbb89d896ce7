/** The KeePass hand-off file, written and read back with kdbxweb at the real cost (Argon2id 64 MiB, 3 passes, 4 lanes). */
import kdbxweb from 'kdbxweb';
import { describe, expect, it } from 'vitest';
import type { HandoffEntry } from './handoff-entry.ts';
import { readKeePassFile, writeKeePassFile } from './keepass-file.ts';

const PASSPHRASE = 'granite orchard whistles 9 times';
const ENTRIES: HandoffEntry[] = [
  {
    title: 'NAS backup',
    username: 'CGACCESSKEY000000001',
    password: 'cg/Secret+Key=with/all+base64=chars01',
    url: 'https://s3.wesendit.example',
    bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
    permissions: 'Read & Write',
    allowedIps: '203.0.113.7, 198.51.100.0/24',
  },
  { title: 'Büro <Archiv> & “2026”', username: 'CGACCESSKEY000000002', password: 'sëcret-ünïcode-Ωmega', url: 'https://s3.eu.wesendit.example', bucketName: 'usr-48291-itm-00385-archiv', permissions: 'Nur Lesen', allowedIps: '' },
];

describe('KeePass (KDBX 4) hand-off file', () => {
  it('reads back every field of every entry, with Argon2id at the vault’s floor and AES-256', async () => {
    const bytes = await writeKeePassFile(ENTRIES, PASSPHRASE);
    // KDBX signature, then version 4.0 (minor 0, major 4).
    expect([...bytes.subarray(0, 12)]).toEqual([0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 0x00, 0x00, 0x04, 0x00]);
    const back = await readKeePassFile(bytes, PASSPHRASE);
    expect(back.entries).toEqual(ENTRIES);
    expect(back.kdf).toEqual({ algorithm: 'Argon2id', memoryKiB: 65536, iterations: 3, parallelism: 4, cipher: 'AES-256 (KDBX 4)' });
  });

  it('keeps the Secret Key a protected field (KeePass masks it and encrypts it in the inner stream)', async () => {
    const db = await kdbxweb.Kdbx.load(Uint8Array.from(await writeKeePassFile(ENTRIES.slice(0, 1), PASSPHRASE)).buffer, new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString(PASSPHRASE)));
    const entry = db.getDefaultGroup().entries[0];
    expect(entry?.fields.get('Password')).toBeInstanceOf(kdbxweb.ProtectedValue);
    expect(typeof entry?.fields.get('UserName')).toBe('string');
  });

  it('refuses a wrong passphrase with WRONG_PASSPHRASE, and a damaged file with VAULT_CORRUPT', async () => {
    const bytes = await writeKeePassFile(ENTRIES, PASSPHRASE);
    await expect(readKeePassFile(bytes, `${PASSPHRASE} `)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE', message: expect.stringMatching(/does not open/) });
    await expect(readKeePassFile(bytes.subarray(0, 100), PASSPHRASE)).rejects.toMatchObject({ code: 'VAULT_CORRUPT' });
    await expect(writeKeePassFile(ENTRIES, '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('writes ChaCha20 when asked', async () => {
    const back = await readKeePassFile(await writeKeePassFile(ENTRIES.slice(0, 1), PASSPHRASE, { cipher: 'chacha20' }), PASSPHRASE);
    expect(back.kdf.cipher).toBe('ChaCha20 (KDBX 4)');
    expect(back.entries).toEqual(ENTRIES.slice(0, 1));
  });
});
