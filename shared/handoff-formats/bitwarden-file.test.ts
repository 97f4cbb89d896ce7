/**
 * The Bitwarden hand-off file, opened by an independent reader written from Bitwarden's format
 * description (test/fixtures/read-bitwarden-export.mjs: Node's crypto module, no code shared
 * with the writer), and by the writer's own read-back. Real parameters throughout (Argon2id
 * 64 MiB, 3 passes, 4 lanes): what the user's file gets is what is tested.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs fixture without types, on purpose independent of the TypeScript code.
import { readBitwardenExport } from '../../test/fixtures/read-bitwarden-export.mjs';
import { BITWARDEN_HANDOFF_KDF, BITWARDEN_IMPORT_BOUNDS, bitwardenAcceptsKdf, readBitwardenFile, writeBitwardenFile } from './bitwarden-file.ts';
import type { HandoffEntry } from './handoff-entry.ts';

const READER = resolve(import.meta.dirname, '../../test/fixtures/read-bitwarden-export.mjs');
const PASSWORD = 'amber lantern over 7 quiet hills';

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
  {
    title: 'Büro-Archiv “2026”',
    username: 'CGACCESSKEY000000002',
    password: 'sëcret-ünïcode-Ωmega',
    url: 'https://s3.eu.wesendit.example',
    bucketName: 'usr-48291-itm-00385-archiv',
    permissions: 'Nur Lesen',
    allowedIps: '',
  },
];

interface PlainItem {
  name: string;
  type: number;
  login: { username: string; password: string; uris: { uri: string }[] };
  fields: { name: string; value: string; type: number }[];
}

let file = '';
let dir = '';

beforeAll(async () => {
  file = await writeBitwardenFile(ENTRIES, PASSWORD, { now: new Date('2026-03-01T10:00:00Z') });
  dir = await mkdtemp(join(tmpdir(), 'connect-guard-bitwarden-'));
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('Bitwarden password-protected export', () => {
  it('has the outer fields Bitwarden’s importer reads, Argon2id at the vault’s floor, within the importer’s bounds', () => {
    const doc: unknown = JSON.parse(file);
    expect(doc).toEqual({
      encrypted: true,
      passwordProtected: true,
      salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
      kdfType: 1,
      kdfIterations: 3,
      kdfMemory: 64,
      kdfParallelism: 4,
      encKeyValidation_DO_NOT_EDIT: expect.stringMatching(/^2\./),
      data: expect.stringMatching(/^2\./),
    });
    expect(bitwardenAcceptsKdf(BITWARDEN_HANDOFF_KDF)).toBe(true);
    // Margin over the importer's minimums.
    expect(BITWARDEN_HANDOFF_KDF).toMatchObject({ kdfType: 1 });
    if (BITWARDEN_HANDOFF_KDF.kdfType !== 1) throw new Error('not Argon2id');
    expect(BITWARDEN_HANDOFF_KDF.memoryMiB).toBeGreaterThanOrEqual(4 * BITWARDEN_IMPORT_BOUNDS.argon2id.memoryMiB.min);
    expect(BITWARDEN_HANDOFF_KDF.iterations).toBeGreaterThan(BITWARDEN_IMPORT_BOUNDS.argon2id.iterations.min);
    expect(BITWARDEN_HANDOFF_KDF.parallelism).toBeGreaterThan(BITWARDEN_IMPORT_BOUNDS.argon2id.parallelism.min);
  });

  it('opens with the independent reader and holds every field of every storage as a login item', async () => {
    const plain: { encrypted: boolean; folders: unknown[]; items: PlainItem[] } = await readBitwardenExport(file, PASSWORD);
    expect(plain.encrypted).toBe(false);
    expect(plain.folders).toEqual([]);
    expect(plain.items).toHaveLength(2);
    plain.items.forEach((item, index) => {
      const entry = ENTRIES[index];
      if (entry === undefined) throw new Error('extra item');
      expect(item).toMatchObject({ name: entry.title, type: 1, login: { username: entry.username, password: entry.password, uris: [{ uri: entry.url }] } });
      expect(item.fields).toEqual([
        { name: 'S3 API Bucket Name', value: entry.bucketName, type: 0, linkedId: null },
        { name: 'Permissions', value: entry.permissions, type: 0, linkedId: null },
        { name: 'Allowed IP addresses', value: entry.allowedIps, type: 0, linkedId: null },
      ]);
    });
  });

  it('the independent reader, run as a program, refuses a wrong password (exit 1) and prints the items for the right one', async () => {
    const path = join(dir, 'export.json');
    await writeFile(path, file);
    const run = promisify(execFile);
    const good = await run(process.execPath, [READER, path], { env: { ...process.env, BITWARDEN_EXPORT_PASSWORD: PASSWORD } });
    expect(good.stdout).toContain(ENTRIES[0]?.password);
    await expect(run(process.execPath, [READER, path], { env: { ...process.env, BITWARDEN_EXPORT_PASSWORD: `${PASSWORD}!` } })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Invalid file password'),
    });
  });

  it('reads back with the writer’s own reader; a wrong passphrase is WRONG_PASSPHRASE, a damaged file VAULT_CORRUPT', async () => {
    const back = await readBitwardenFile(file, PASSWORD);
    expect(back.entries).toEqual(ENTRIES);
    expect(back.kdf).toEqual({ algorithm: 'Argon2id', memoryKiB: 65536, iterations: 3, parallelism: 4, cipher: 'AES-256-CBC + HMAC-SHA256' });
    await expect(readBitwardenFile(file, 'amber lantern over 7 quiet hill')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    const doc: Record<string, unknown> = JSON.parse(file);
    await expect(readBitwardenFile(JSON.stringify({ ...doc, data: String(doc.data).replace(/^2\.[^|]{4}/, '2.AAAA') }), PASSWORD)).rejects.toMatchObject({ code: 'VAULT_CORRUPT' });
    await expect(readBitwardenFile(JSON.stringify({ ...doc, kdfMemory: 4096 }), PASSWORD)).rejects.toMatchObject({ code: 'VAULT_CORRUPT' });
    await expect(readBitwardenFile('{"encrypted":true}', PASSWORD)).rejects.toMatchObject({ code: 'VAULT_CORRUPT' });
  });

  it('writes a fresh salt and IVs each time, and refuses an empty password or parameters Bitwarden would not import', async () => {
    const again = await writeBitwardenFile(ENTRIES.slice(0, 1), PASSWORD);
    expect(JSON.parse(again).salt).not.toBe(JSON.parse(file).salt);
    await expect(writeBitwardenFile(ENTRIES, '   ')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(writeBitwardenFile(ENTRIES, PASSWORD, { kdf: { kdfType: 1, iterations: 1, memoryMiB: 64, parallelism: 4 } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
