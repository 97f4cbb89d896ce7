import { Readable } from 'node:stream';
import { ListObjectsV2Command, S3Client, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { findScannedEntries, splitListObjectsBody, useFastListObjectsParser } from './fast-list-objects-parser.ts';

const body = (contents: string, tail = '<IsTruncated>true</IsTruncated><NextContinuationToken>tok</NextContinuationToken>') =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>${contents}<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>${tail}</ListBucketResult>`;

describe('splitListObjectsBody', () => {
  it('reads key, size, time and ETag, decoding XML entities, and leaves the rest for the SDK', () => {
    const xml = body(
      '<Contents><Key>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#x0D;&#9;😀</Key><LastModified>2026-01-15T10:00:00.000Z</LastModified><ETag>&quot;abc-2&quot;</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents>' +
        '<Contents><Key>plain</Key><Size>0</Size></Contents>',
    );
    const { contents, rest } = splitListObjectsBody(xml);
    expect(contents).toEqual([
      { Key: 'a&b <c> "d" \'e\' \r\t😀', LastModified: new Date('2026-01-15T10:00:00.000Z'), ETag: '"abc-2"', Size: 42 },
      { Key: 'plain', Size: 0 },
    ]);
    expect(rest).not.toContain('<Contents>');
    expect(rest).toContain('<NextContinuationToken>tok</NextContinuationToken>');
    expect(rest).toContain('<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>');
  });

  it('rejects a body cut off mid-way, as a retryable reset', () => {
    const xml = body('<Contents><Key>a</Key><Size>1</Size></Contents>');
    expect(() => splitListObjectsBody(xml.slice(0, xml.length - 30))).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
    expect(() => splitListObjectsBody(xml.slice(0, xml.indexOf('</Contents>')))).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
  });
});

// ---------------------------------------------------------------------------------------------
// The scanner against the SDK's own parser: the same ListObjectsV2 bodies, written the many ways
// XML allows, go through a real S3Client twice (with the scanner and without it). Both must give
// the objects the body holds.

/** One object of a generated page, as the server means it. */
interface Truth {
  readonly key: string;
  readonly size: number;
  readonly lastModified: string;
  readonly etag: string;
}

/** A seeded generator (mulberry32): a failing case can be run again. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'photos/', 'a', 'Z', '0', ' ', '  ', '/', '//', '.', '..', '&', '<', '>', '"', "'", ']]>', ']]', ']>', '&#x41;', '&amp;', '&lt;b&gt;', '<![CDATA[', '-->',
  '\t', '\n', '\r', '\r\n', '\u0001', '\u0008', '\u000b', '\u001f', '\u007f', '\u0085', 'é', 'e\u0301', 'ß', '日本語', '😀', '𝄞', '\ufffd', '\uffff', '%20', '+', '\\', '?', '#', '=',
];

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function generateKey(random: () => number): string {
  if (random() < 0.06) {
    // The S3 maximum: 1,024 bytes.
    let key = 'long/';
    while (utf8Bytes(key) < 1024) key += random() < 0.5 ? 'x' : 'é';
    while (utf8Bytes(key) > 1024) key = key.slice(0, -1);
    return key;
  }
  let key = '';
  const count = 1 + Math.floor(random() * 8);
  for (let i = 0; i < count; i++) key += PIECES[Math.floor(random() * PIECES.length)];
  return key;
}

function sortUtf8(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/** How a page writes its text: the forms servers and XML writers use. */
interface Style {
  /** Character references: none beyond what XML needs, hex, decimal, or for every non-ASCII character. */
  readonly refs: 'needed' | 'hex' | 'decimal' | 'all';
  /** Keys in CDATA sections (split where the key holds `]]>`). */
  readonly cdata: boolean;
  /** Attributes on Contents, Key and ETag. */
  readonly attributes: boolean;
  /** Indentation and line breaks (LF or CRLF) between elements, and comments. */
  readonly layout: 'compact' | 'indented' | 'crlf' | 'comments';
  /** ETag quotes as `&quot;` (S3) or as plain `"`. */
  readonly quoteEntity: boolean;
}

function charRef(char: string, style: Style): string {
  const code = char.codePointAt(0) ?? 0;
  return style.refs === 'decimal' ? `&#${code};` : `&#x${code.toString(16).toUpperCase()};`;
}

/** The key as XML text (not CDATA): markup escaped; CR, LF, TAB and controls as references. */
function escapeText(text: string, style: Style): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '&') out += '&amp;';
    else if (char === '<') out += '&lt;';
    else if (char === '>') out += style.refs === 'needed' ? '&gt;' : charRef(char, style);
    else if (char === '"') out += '&quot;';
    else if (char === "'") out += '&apos;';
    // XML reads a raw CR as LF, and whitespace-only text is layout: references keep them.
    else if (code < 0x20 || code === 0x7f) out += charRef(char, style);
    // Astral characters stay raw: the SDK's reader decodes a reference above U+FFFF wrongly (see below).
    else if (style.refs === 'all' && code > 0x7e && code <= 0xffff) out += charRef(char, style);
    else out += char;
  }
  return out;
}

function cdata(text: string): string {
  // `]]>` cannot sit inside one section: it is split across two.
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function keyElement(key: string, style: Style, random: () => number): string {
  const open = style.attributes && random() < 0.5 ? '<Key xml:space="preserve">' : '<Key>';
  // CDATA cannot carry a CR (read as LF) nor make whitespace-only text mean anything.
  const body = style.cdata && !key.includes('\r') ? (random() < 0.5 ? cdata(key) : key.split('/').map((part, i) => (i % 2 === 0 ? cdata(part) : escapeText(part, style))).join(escapeText('/', style))) : escapeText(key, style);
  return `${open}${body}</Key>`;
}

function layout(style: Style, depth: number, random: () => number): string {
  switch (style.layout) {
    case 'compact':
      return '';
    case 'indented':
      return `\n${'  '.repeat(depth)}`;
    case 'crlf':
      return `\r\n${'\t'.repeat(depth)}`;
    case 'comments':
      return random() < 0.5 ? '<!-- a comment -->' : '\n';
  }
}

function pageXml(objects: readonly Truth[], prefixes: readonly string[], style: Style, random: () => number): string {
  const gap = (depth: number): string => layout(style, depth, random);
  const quote = style.quoteEntity ? '&quot;' : '"';
  let xml = `<?xml version="1.0" encoding="UTF-8"?>${gap(0)}<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${gap(1)}<Name>bucket</Name>${gap(1)}<Prefix></Prefix>${gap(1)}<KeyCount>${objects.length + prefixes.length}</KeyCount>${gap(1)}<MaxKeys>1000</MaxKeys>${gap(1)}<IsTruncated>true</IsTruncated>`;
  for (const object of objects) {
    const contents = style.attributes && random() < 0.5 ? '<Contents class="x">' : '<Contents>';
    const etag = style.attributes && random() < 0.3 ? `<ETag kind='md5'>${quote}${object.etag}${quote}</ETag>` : `<ETag>${quote}${object.etag}${quote}</ETag>`;
    const parts = [keyElement(object.key, style, random), `<LastModified>${object.lastModified}</LastModified>`, etag, `<Size>${object.size}</Size>`, '<Owner><ID>owner</ID><DisplayName>A &amp; B</DisplayName></Owner>', '<StorageClass>STANDARD</StorageClass>'];
    xml += `${gap(1)}${contents}${parts.map((part) => gap(2) + part).join('')}${gap(1)}</Contents>`;
  }
  for (const prefix of prefixes) xml += `${gap(1)}<CommonPrefixes><Prefix>${escapeText(prefix, style)}</Prefix></CommonPrefixes>`;
  xml += `${gap(1)}<NextContinuationToken>token&amp;next</NextContinuationToken>${gap(0)}</ListBucketResult>${gap(0)}`;
  return xml;
}

/** A client whose every request is answered with `body` (no network). */
function cannedClient(body: string, fast: boolean): S3Client {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDCANNED', secretAccessKey: 'canned-secret' },
    requestHandler: {
      handle: async () => ({ response: { statusCode: 200, reason: 'OK', headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'canned' }, body: Readable.from([Buffer.from(body, 'utf8')]) } }),
    },
  });
  if (fast) useFastListObjectsParser(client);
  return client;
}

/** What the listing takes from a page: the scanner's entries, or the SDK's objects turned into entries. */
function entriesOf(output: ListObjectsV2CommandOutput): InventoryEntry[] {
  return (
    findScannedEntries(output) ??
    (output.Contents ?? []).flatMap((object) =>
      object.Key === undefined
        ? []
        : [{ key: object.Key, size: object.Size ?? 0, ...(object.LastModified ? { lastModified: object.LastModified.toISOString() } : {}), ...(object.ETag ? { etag: object.ETag.replace(/^"|"$/g, '') } : {}) }],
    )
  );
}

async function listWith(body: string, fast: boolean): Promise<{ entries: InventoryEntry[]; prefixes: string[]; keyCount: number | undefined; token: string | undefined; truncated: boolean | undefined }> {
  const client = cannedClient(body, fast);
  try {
    const output = await client.send(new ListObjectsV2Command({ Bucket: 'bucket' }));
    return { entries: entriesOf(output), prefixes: (output.CommonPrefixes ?? []).map((prefix) => prefix.Prefix ?? ''), keyCount: output.KeyCount, token: output.NextContinuationToken, truncated: output.IsTruncated };
  } finally {
    client.destroy();
  }
}

function truthEntries(objects: readonly Truth[]): InventoryEntry[] {
  return objects.map((object) => ({ key: object.key, size: object.size, lastModified: object.lastModified, etag: object.etag }));
}

/**
 * Where the SDK's reader (3.1175, @aws-sdk/xml-builder) departs from XML: text that is only
 * whitespace with a line feed becomes "" even when it came from character references, so a key
 * such as "\n" or " \t\n" is read as empty (and with an attribute on <Key>, the SDK's
 * deserializer throws). The scanner keeps such keys; the SDK is compared on the other keys.
 */
function sdkReadsAsEmpty(key: string): boolean {
  return key.trim() === '' && key.includes('\n');
}

describe('the scanner against the SDK parser, on generated pages', () => {
  const styles: Style[] = [];
  for (const refs of ['needed', 'hex', 'decimal', 'all'] as const)
    for (const cdataKeys of [false, true])
      for (const attributes of [false, true])
        for (const layoutKind of ['compact', 'indented', 'crlf', 'comments'] as const) styles.push({ refs, cdata: cdataKeys, attributes, layout: layoutKind, quoteEntity: (styles.length & 1) === 0 });

  it.each(styles.map((style, index) => [index, JSON.stringify(style), style] as const))('style %i %s: every object, as the server wrote it', async (index, _label, style) => {
    const random = randomSource(1000 + index);
    for (let round = 0; round < 6; round++) {
      const keys = sortUtf8(Array.from({ length: 1 + Math.floor(random() * 12) }, () => generateKey(random)));
      const objects: Truth[] = keys.map((key, i) => ({
        key,
        size: Math.floor(random() * 5e12),
        lastModified: new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 2e11)).toISOString(),
        etag: i % 3 === 2 ? `${'0123456789abcdef'.repeat(2)}-${1 + (i % 9)}` : 'd41d8cd98f00b204e9800998ecf8427e',
      }));
      const prefixes = random() < 0.3 ? ['photos/', 'z &amp;/'] : [];
      const xml = pageXml(objects, prefixes, style, random);
      const context = `round ${round}: ${JSON.stringify(xml).slice(0, 400)}`;
      const fast = await listWith(xml, true);
      expect(fast.entries, context).toEqual(truthEntries(objects));
      expect(fast.keyCount).toBe(objects.length + prefixes.length);
      const sdkRead = await listWith(xml, false).then(
        (page) => ({ page }),
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      );
      if ('error' in sdkRead) {
        // Only the documented departure may make the SDK fail on a page.
        expect(style.attributes && keys.some(sdkReadsAsEmpty), `${context}: ${sdkRead.error}`).toBe(true);
        continue;
      }
      const sdk = sdkRead.page;
      const sdkTruth = truthEntries(objects).filter((entry) => !sdkReadsAsEmpty(entry.key));
      expect(sdk.entries.filter((entry) => entry.key !== ''), context).toEqual(sdkTruth);
      expect(fast.prefixes).toEqual(sdk.prefixes);
      expect([fast.keyCount, fast.token, fast.truncated]).toEqual([sdk.keyCount, sdk.token, sdk.truncated]);
    }
  });

  it('decodes a reference above U+FFFF to its character, where the SDK keeps only the low 16 bits', async () => {
    const xml = pageXml([{ key: 'placeholder', size: 1, lastModified: '2026-01-15T10:00:00.000Z', etag: 'd41d8cd98f00b204e9800998ecf8427e' }], [], { refs: 'needed', cdata: false, attributes: false, layout: 'compact', quoteEntity: true }, () => 0.9).replace(
      '<Key>placeholder</Key>',
      '<Key>emoji-&#x1F600;-&#128512;</Key>',
    );
    expect((await listWith(xml, true)).entries.map((entry) => entry.key)).toEqual(['emoji-😀-😀']);
    expect((await listWith(xml, false)).entries.map((entry) => entry.key)).toEqual(['emoji-\uf600-\uf600']);
  });

  it('refuses references XML does not define instead of guessing a key', async () => {
    for (const bad of ['&nbsp;', '&#x110000;', '&#xD800;']) {
      const xml = pageXml([{ key: 'k', size: 1, lastModified: '2026-01-15T10:00:00.000Z', etag: 'd41d8cd98f00b204e9800998ecf8427e' }], [], { refs: 'needed', cdata: false, attributes: false, layout: 'compact', quoteEntity: true }, () => 0.9).replace('<Key>k</Key>', `<Key>k${bad}</Key>`);
      await expect(listWith(xml, true), bad).rejects.toMatchObject({ code: 'SERVER_FAULT', message: expect.stringMatching(/not well-formed XML/) });
    }
  });
});
