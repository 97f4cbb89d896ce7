import { Readable } from 'node:stream';
import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput, S3Client, _Object } from '@aws-sdk/client-s3';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';

/**
 * The SDK turns a ListObjectsV2 page of 1,000 objects into JavaScript in about 45 ms of CPU here,
 * twice the server's time to produce it: at 16 pages in flight the client, not the network,
 * became the limit. This reads the page's `<Contents>` elements with a small purpose-built
 * scanner (≈ 1 ms) straight into inventory entries and hands the SDK the page without them, so
 * signing, retries, errors, tokens and common prefixes still go through the SDK unchanged.
 */
const installed = new WeakSet<S3Client>();

/** How the scanner should treat one request's objects (see `hintListScan`). */
export interface ListScanHint {
  /**
   * The caller drops every key after this one: entries stop after the first such key (which is
   * kept, so the caller still sees where its range ended).
   */
  readonly until?: string;
  /** The caller reads only common prefixes (a delimiter probe): build no entries at all. */
  readonly skipContents?: boolean;
}

const hints = new WeakMap<object, ListScanHint>();
const scanned = new WeakMap<object, InventoryEntry[]>();

/** Gives the scanner a hint for the request made with this input object. */
export function hintListScan(input: ListObjectsV2CommandInput, hint: ListScanHint): void {
  hints.set(input, hint);
}

/**
 * The page's objects as inventory entries, when the scanner read them (undefined when the SDK
 * parsed the page itself). Cheaper than `Contents`, which is built from these on first access.
 */
export function findScannedEntries(output: ListObjectsV2CommandOutput): InventoryEntry[] | undefined {
  return scanned.get(output);
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

function isRawResponse(value: unknown): value is RawResponse {
  return typeof value === 'object' && value !== null && 'statusCode' in value && typeof value.statusCode === 'number' && 'body' in value && 'headers' in value;
}

const entities: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

function decodeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|amp|lt|gt|apos);/g, (_, entity: string) =>
    entity.startsWith('#x') ? String.fromCodePoint(parseInt(entity.slice(2), 16)) : entity.startsWith('#') ? String.fromCodePoint(Number(entity.slice(1))) : (entities[entity] ?? ''),
  );
}

/**
 * A copy of a piece of the page that does not keep the page alive. `slice` alone gives a view
 * into the page's text (V8's sliced strings), so one entry held in the look-ahead kept its whole
 * page (≈ 350 KB) in memory: 90 MB and growing for a million keys. Concatenating first makes V8
 * copy the characters.
 */
function detach(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

/** Text of the first `<name>` element between `from` and `to`, undefined when there is none. */
function element(xml: string, open: string, close: string, from: number, to: number): string | undefined {
  const start = xml.indexOf(open, from);
  if (start === -1 || start >= to) return undefined;
  const end = xml.indexOf(close, start + open.length);
  return end === -1 || end > to ? undefined : xml.slice(start + open.length, end);
}

/** An ETag without its quotes: S3 sends `&quot;md5&quot;` (or `"md5"`). */
function unquoteEtag(raw: string): string {
  if (raw.length > 12 && raw.startsWith('&quot;') && raw.endsWith('&quot;') && raw.indexOf('&', 6) === raw.length - 6) return raw.slice(6, -6);
  return decodeXml(raw).replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, '');
}

/** ISO 8601 as S3 writes it (`2026-01-15T10:00:00.000Z`) is kept as is; other forms are normalised. */
function isoTime(raw: string): string | undefined {
  if (raw.length === 24 && raw.charCodeAt(23) === 0x5a && raw.charCodeAt(10) === 0x54 && raw.charCodeAt(19) === 0x2e) return raw;
  const time = new Date(raw);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

function entryOf(key: string, size: number, lastModified: string | undefined, etag: string | undefined): InventoryEntry {
  // One shape for the common case keeps property access monomorphic in the listing loop.
  if (lastModified !== undefined && etag) return { key, size, lastModified, etag };
  return { key, size, ...(lastModified !== undefined ? { lastModified } : {}), ...(etag ? { etag } : {}) };
}

/** Objects of a ListObjectsV2 body as inventory entries, and the body without them. */
export function scanListObjectsBody(xml: string, hint: ListScanHint = {}): { entries: InventoryEntry[]; rest: string } {
  const entries: InventoryEntry[] = [];
  const parts: string[] = [];
  let cursor = 0;
  let collecting = hint.skipContents !== true;
  for (;;) {
    const open = xml.indexOf('<Contents>', cursor);
    if (open === -1) break;
    const close = xml.indexOf('</Contents>', open);
    if (close === -1) throw Object.assign(new Error('ListObjectsV2 response cut off inside <Contents>'), { code: 'ECONNRESET' });
    if (open > cursor) parts.push(xml.slice(cursor, open));
    if (collecting) {
      const rawKey = element(xml, '<Key>', '</Key>', open, close);
      if (rawKey !== undefined) {
        const key = detach(decodeXml(rawKey));
        const modified = element(xml, '<LastModified>', '</LastModified>', open, close);
        const etag = element(xml, '<ETag>', '</ETag>', open, close);
        const size = element(xml, '<Size>', '</Size>', open, close);
        const lastModified = modified ? isoTime(modified) : undefined;
        const unquoted = etag === undefined ? undefined : unquoteEtag(etag);
        entries.push(entryOf(key, size === undefined ? 0 : Number(size), lastModified === undefined ? undefined : detach(lastModified), unquoted === undefined ? undefined : detach(unquoted)));
        if (hint.until !== undefined && compareS3Keys(key, hint.until) > 0) collecting = false;
      }
    }
    cursor = close + 11;
  }
  parts.push(xml.slice(cursor));
  if (xml.lastIndexOf('</ListBucketResult>') === -1) {
    throw Object.assign(new Error('ListObjectsV2 response cut off'), { code: 'ECONNRESET' });
  }
  return { entries, rest: parts.join('') };
}

/** The entries in the SDK's own shape, for callers that read `Contents`. */
function toSdkObjects(entries: readonly InventoryEntry[]): _Object[] {
  return entries.map((entry) => ({
    Key: entry.key,
    ...(entry.lastModified !== undefined ? { LastModified: new Date(entry.lastModified) } : {}),
    ...(entry.etag !== undefined ? { ETag: `"${entry.etag}"` } : {}),
    Size: entry.size,
  }));
}

/** Objects of a ListObjectsV2 body in the SDK's shape, and the body without them. */
export function splitListObjectsBody(xml: string): { contents: _Object[]; rest: string } {
  const { entries, rest } = scanListObjectsBody(xml);
  return { contents: toSdkObjects(entries), rest };
}

async function readBody(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8');
  }
  throw new Error('Unexpected response body type');
}

function inputOf(args: unknown): object | undefined {
  if (typeof args !== 'object' || args === null || !('input' in args)) return undefined;
  return typeof args.input === 'object' && args.input !== null ? args.input : undefined;
}

/** Makes ListObjectsV2 on this client parse its objects with the fast scanner. Idempotent. */
export function useFastListObjectsParser(client: S3Client): void {
  if (installed.has(client)) return;
  installed.add(client);
  const parsed = new WeakMap<object, InventoryEntry[]>();
  // Innermost: sees the raw HTTP response before the SDK's deserializer.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const response = result.response;
      if (context.commandName !== 'ListObjectsV2Command' || !isRawResponse(response) || response.statusCode !== 200) return result;
      let text: string;
      try {
        text = await readBody(response.body);
      } catch (error) {
        throw Object.assign(new Error(`ListObjectsV2 response interrupted: ${error instanceof Error ? error.message : String(error)}`), { code: 'ECONNRESET', cause: error });
      }
      const input = inputOf(args);
      const { entries, rest } = scanListObjectsBody(text, (input && hints.get(input)) ?? {});
      parsed.set(context, entries);
      const restBytes = Buffer.from(rest, 'utf8');
      response.body = Readable.from([restBytes]);
      response.headers['content-length'] = String(restBytes.length);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'connectGuardFastListParse' },
  );
  // Outermost: puts the objects back into the SDK's output.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const entries = parsed.get(context);
      const output: unknown = result.output;
      if (entries && typeof output === 'object' && output !== null) {
        scanned.set(output, entries);
        let contents: _Object[] | undefined;
        Object.defineProperty(output, 'Contents', {
          configurable: true,
          enumerable: true,
          get: () => (contents ??= toSdkObjects(entries)),
          set: (value: _Object[]) => {
            contents = value;
          },
        });
      }
      return result;
    },
    { step: 'initialize', priority: 'high', name: 'connectGuardFastListAttach' },
  );
}
