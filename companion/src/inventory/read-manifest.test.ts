import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { readManifest, splitCsvRecord } from './read-manifest.ts';

const dir = mkdtempSync(join(tmpdir(), 'cg-manifest-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string, ext = 'txt'): string {
  const path = join(dir, `m${counter++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

async function read(path: string): Promise<InventoryEntry[]> {
  const out: InventoryEntry[] = [];
  for await (const e of readManifest(path)) out.push(e);
  return out;
}

const MD5 = '5d41402abc4b2a76b9719d911017c592';

describe('readManifest', () => {
  it('reads CSV (quoted paths, CRLF, BOM, optional md5) and sorts into S3 order', async () => {
    const path = file(
      '\uFEFFpath,size,modified,md5\r\n' +
        `😀.txt,1,2024-03-01T10:00:00Z,\r\n` +
        `"a,b ""quoted"".txt",5,2024-03-01T12:00:00+02:00,${MD5.toUpperCase()}\r\n` +
        `"line\nbreak",2,,\r\n` +
        `\uFF01.txt,3,2024-03-01,\r\n`,
    );
    const entries = await read(path);
    expect(entries.map((e) => e.key)).toEqual(['a,b "quoted".txt', 'line\nbreak', '\uFF01.txt', '😀.txt']);
    expect(entries[0]).toEqual({ key: 'a,b "quoted".txt', size: 5, lastModified: '2024-03-01T10:00:00.000Z', md5: MD5, etag: undefined });
    expect(entries[1]?.lastModified).toBeUndefined();
    expect(entries[2]?.lastModified).toBe('2024-03-01T00:00:00.000Z');
  });

  it('reads NDJSON, accepting key/lastModified and skipping snapshot marker lines', async () => {
    const path = file(
      [
        '{"type":"snapshot","source":"s3://b"}',
        `{"path":"b.txt","size":5,"modified":"2024-03-01T10:00:00Z","md5":"${MD5}"}`,
        '',
        '{"key":"a.txt","size":"7","lastModified":"2024-03-01T10:00:00.000Z","etag":"\\"abcdefabcdefabcdefabcdefabcdefab-3\\""}',
        '{"type":"end","objects":2}',
      ].join('\n'),
    );
    const entries = await read(path);
    expect(entries.map((e) => [e.key, e.size, e.etag])).toEqual([
      ['a.txt', 7, 'abcdefabcdefabcdefabcdefabcdefab-3'],
      ['b.txt', 5, undefined],
    ]);
  });

  it.each<[string, string, RegExp]>([
    ['bad size', 'path,size,modified\na.txt,12kb,2024-03-01T10:00:00Z\n', /line 2: size "12kb" is not a whole number of bytes/],
    ['negative size', 'path,size,modified\na.txt,-1,\n', /line 2: size "-1"/],
    ['time without zone', 'path,size,modified\na.txt,1,2024-03-01T10:00:00\n', /line 2: modified "2024-03-01T10:00:00" is not an ISO 8601 time with a zone/],
    ['bad md5', 'path,size,modified,md5\na.txt,1,,xyz\n', /line 2: md5 "xyz" is not 32 hexadecimal digits/],
    ['missing path', 'path,size,modified\n,1,\n', /line 2: path is missing/],
    ['field count', 'path,size,modified\na,b.txt,1,\n', /line 2: has 4 fields, the header has 3/],
    ['unclosed quote', 'path,size,modified\n"a.txt,1,\n', /line 2: a quoted field is never closed/],
    ['bad header', 'name,bytes\na,1\n', /line 1 must be a header naming the columns path,size,modified\[,md5\] \(unknown columns: "name", "bytes"\)/],
    ['1025-byte key', `path,size\n${'k'.repeat(1025)},1\n`, /line 2: path is 1025 bytes long; S3 keys have at most 1024/],
    ['duplicate path', 'path,size\nb,1\na,1\nb,2\n', /lists "b" twice \(lines 2 and 4\)/],
    ['bad JSON', '{"path":"a","size":1}\n{nope\n', /line 2: is not valid JSON/],
    ['JSON array', '{"path":"a","size":1}\n[1]\n', /line 2: is not a JSON object/],
    ['empty CSV', '\n\n', /is empty: it needs a header line/],
  ])('%s → error with the line number', async (_name, text, message) => {
    await expect(read(file(text))).rejects.toThrow(message);
  });

  it('reports several bad lines at once, then a count', async () => {
    const lines = ['path,size'];
    for (let i = 0; i < 15; i++) lines.push(`f${i},x`);
    const run = read(file(lines.join('\n')));
    await expect(run).rejects.toThrow(/15 invalid lines:[\s\S]*line 2:[\s\S]*line 11:[\s\S]*… and 5 more/);
  });

  it('says when the file does not exist', async () => {
    await expect(read(join(dir, 'missing.csv'))).rejects.toThrow(/does not exist or is not a file.*--manifest/);
  });
});

describe('splitCsvRecord', () => {
  it.each<[string, string[] | undefined]>([
    ['a,b,c', ['a', 'b', 'c']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['"open', undefined],
    [',', ['', '']],
  ])('%j', (text, cells) => {
    expect(splitCsvRecord(text)).toEqual(cells);
  });
});
