/**
 * The profile scan the e2e suites rely on must really find a secret in each encoding, wherever it
 * sits in a file (any base64 alignment, across a 1 MiB chunk boundary), and nothing when absent.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanDirectoryForSecret, scanDirectoryForSecretDetailed } from '../support/profile-scan.ts';

// '~~~' and '???' make '+' and '/' in base64, so base64url differs from base64.
const SECRET = 'cgtest-secret-Q7x~~~???kLmN2pQrStUvWx';

describe('scanDirectoryForSecret', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'profile-scan-'));
    await mkdir(join(dir, 'Default', 'IndexedDB'), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function plant(name: string, content: Buffer): Promise<string> {
    const path = join(dir, 'Default', 'IndexedDB', name);
    await writeFile(path, content);
    return path;
  }

  it('finds nothing in a directory without the secret', async () => {
    await plant('clean.log', Buffer.from(`nothing here but ${SECRET.slice(0, 10)} and ${SECRET.slice(12)}`));
    expect(await scanDirectoryForSecret(dir, SECRET)).toEqual([]);
  });

  it('finds UTF-8, UTF-16LE and base64 at every alignment inside larger data', async () => {
    const utf8 = await plant('utf8.bin', Buffer.concat([Buffer.from([0, 1, 2, 250]), Buffer.from(SECRET), Buffer.from([7])]));
    const utf16 = await plant('utf16.bin', Buffer.concat([Buffer.from('xx'), Buffer.from(`{"k":"${SECRET}"}`, 'utf16le')]));
    const b64: string[] = [];
    for (const prefix of ['', 'a', 'ab']) {
      const blob = Buffer.from(`${prefix}{"secretKey":"${SECRET}","n":1}`).toString('base64');
      b64.push(await plant(`b64-${prefix.length}.txt`, Buffer.from(`data=${blob};`)));
    }
    const b64url = await plant('b64url.txt', Buffer.from(Buffer.from(`z${SECRET}zz`).toString('base64url')));
    const found = await scanDirectoryForSecretDetailed(dir, SECRET);
    const files = new Set(found.map((match) => match.file));
    for (const path of [utf8, utf16, ...b64, b64url]) expect(files, path).toContain(path);
    expect(found.find((m) => m.file === utf16)?.encoding).toBe('utf16le');
    expect(found.find((m) => m.file === b64url)?.encoding).toMatch(/^base64url@/);
    expect(new Set(found.filter((m) => b64.includes(m.file)).map((m) => m.encoding))).toEqual(new Set(['base64@0', 'base64@1', 'base64@2']));
    expect([...files].some((file) => file.endsWith('clean.log'))).toBe(false);
  });

  it('finds a secret that straddles a chunk boundary of a large file', async () => {
    const size = (1 << 20) * 3;
    const big = Buffer.alloc(size, 0x2e);
    Buffer.from(SECRET).copy(big, (1 << 20) * 2 - 7);
    const path = await plant('big.ldb', big);
    expect((await scanDirectoryForSecret(dir, SECRET)).some((entry) => entry.startsWith(path))).toBe(true);
  });
});
