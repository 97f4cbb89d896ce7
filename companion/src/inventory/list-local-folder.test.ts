import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { hashFile, listLocalFolder, type SkippedPath } from './list-local-folder.ts';

const MiB = 1024 * 1024;
const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

/** The S3 rule, written out plainly: MD5 of the concatenated binary part MD5s, then -N. */
function expectedMultipartEtag(data: Buffer, partSize: number): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += partSize) {
    digests.push(createHash('md5').update(data.subarray(offset, offset + partSize)).digest());
  }
  return `${md5(Buffer.concat(digests))}-${digests.length}`;
}

let root: string;
let outside: string;
let big: Buffer;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cg-folder-'));
  outside = mkdtempSync(join(tmpdir(), 'cg-outside-'));
  writeFileSync(join(root, 'hello.txt'), 'hello');
  writeFileSync(join(root, 'a-b'), 'dash');
  mkdirSync(join(root, 'a'));
  writeFileSync(join(root, 'a', 'b'), 'slash');
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, '😀.txt'), 'emoji');
  writeFileSync(join(root, '\uFF01.txt'), 'fullwidth');
  big = Buffer.alloc(12 * MiB + 123);
  for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
  writeFileSync(join(root, 'big.bin'), big);
  writeFileSync(join(outside, 'secret.txt'), 'outside');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link-out'));
  symlinkSync(join(root, 'hello.txt'), join(root, 'link-in'));
  symlinkSync(join(root, 'a'), join(root, 'link-dir'));
  symlinkSync(join(root, 'missing'), join(root, 'link-broken'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('listLocalFolder', () => {
  it('lists files in S3 order with MD5, size and time; skips links that leave the folder, saying why', async () => {
    const skipped: SkippedPath[] = [];
    const entries: InventoryEntry[] = [];
    for await (const entry of listLocalFolder(root, { concurrency: 3, partSizes: [5 * MiB, 8 * MiB, 16 * MiB], onSkip: (s) => skipped.push(s) })) entries.push(entry);
    // "a-b" < "a/b" in byte order ('-' 0x2D < '/' 0x2F); U+FF01 < 😀 in UTF-8.
    expect(entries.map((e) => e.key)).toEqual(['a-b', 'a/b', 'big.bin', 'empty', 'hello.txt', 'link-in', '\uFF01.txt', '😀.txt']);
    const byKey = new Map(entries.map((e) => [e.key, e]));
    expect(byKey.get('hello.txt')).toMatchObject({ size: 5, md5: '5d41402abc4b2a76b9719d911017c592' });
    expect(byKey.get('link-in')?.md5).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(byKey.get('empty')).toMatchObject({ size: 0, md5: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(byKey.get('hello.txt')?.multipartEtags).toBeUndefined();
    expect(Date.parse(byKey.get('hello.txt')?.lastModified ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(skipped.map((s) => s.path).sort()).toEqual(['link-broken', 'link-dir', 'link-out']);
    expect(skipped.find((s) => s.path === 'link-out')?.reason).toMatch(/outside the folder: not followed/);
  });

  it('computes multipart ETags per part size, matching the S3 rule', async () => {
    const hashed = await hashFile(join(root, 'big.bin'), [5 * MiB, 8 * MiB, 16 * MiB]);
    expect(hashed.md5).toBe(md5(big));
    expect(hashed.multipartEtags?.[5 * MiB]).toBe(expectedMultipartEtag(big, 5 * MiB));
    expect(hashed.multipartEtags?.[5 * MiB]).toMatch(/-3$/);
    expect(hashed.multipartEtags?.[8 * MiB]).toBe(expectedMultipartEtag(big, 8 * MiB));
    expect(hashed.multipartEtags?.[8 * MiB]).toMatch(/-2$/);
    // One part: the file fits in 16 MiB.
    expect(hashed.multipartEtags?.[16 * MiB]).toBe(expectedMultipartEtag(big, 16 * MiB));
    expect(hashed.multipartEtags?.[16 * MiB]).toMatch(/-1$/);
  });

  it('refuses a missing folder or a file with a clear message', async () => {
    await expect(listLocalFolder(join(root, 'nope')).next()).rejects.toThrow(/does not exist or cannot be read/);
    await expect(listLocalFolder(join(root, 'hello.txt')).next()).rejects.toThrow(/is not a folder/);
  });
});
