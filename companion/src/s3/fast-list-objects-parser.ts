import { Readable } from 'node:stream';
import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput, S3Client, _Object } from '@aws-sdk/client-s3';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { scanListObjectsBody, type ListScanHint } from './list-objects-xml.ts';

export { scanListObjectsBody, type ListScanHint } from './list-objects-xml.ts';

/**
 * The SDK turns a ListObjectsV2 page of 1,000 objects into JavaScript in about 45 ms of CPU here,
 * twice the server's time to produce it: at 16 pages in flight the client, not the network,
 * became the limit. This reads the page's `<Contents>` elements with a purpose-built scanner
 * (list-objects-xml.ts, ≈ 1 ms) straight into inventory entries and hands the SDK the page
 * without them, so signing, retries, errors, tokens and common prefixes still go through the SDK
 * unchanged. The scanner reads every form of XML the SDK's reader does (its tests compare the two
 * on generated pages) and counts the objects for the page's KeyCount.
 */
const installed = new WeakSet<S3Client>();

const hints = new WeakMap<object, ListScanHint>();
const scanned = new WeakMap<object, { readonly entries: InventoryEntry[]; readonly contents: number }>();

/** Gives the scanner a hint for the request made with this input object. */
export function hintListScan(input: ListObjectsV2CommandInput, hint: ListScanHint): void {
  hints.set(input, hint);
}

/**
 * The page's objects as inventory entries, when the scanner read them (undefined when the SDK
 * parsed the page itself). Cheaper than `Contents`, which is built from these on first access.
 */
export function findScannedEntries(output: ListObjectsV2CommandOutput): InventoryEntry[] | undefined {
  return scanned.get(output)?.entries;
}

/** An object as the SDK parsed it, as an inventory entry (undefined without a key). */
export function entryOfSdkObject(object: _Object): InventoryEntry | undefined {
  if (object.Key === undefined) return undefined;
  const etag = object.ETag?.replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, '');
  return {
    key: object.Key,
    size: object.Size ?? 0,
    ...(object.LastModified ? { lastModified: object.LastModified.toISOString() } : {}),
    ...(etag ? { etag } : {}),
  };
}

/**
 * A page's objects as inventory entries (the scanner's, or the SDK's objects converted) and how
 * many objects the page held: every `<Contents>`, also those past the scanner's `until` hint.
 */
export function pageEntries(output: ListObjectsV2CommandOutput): { readonly entries: InventoryEntry[]; readonly contents: number } {
  const found = scanned.get(output);
  if (found) return found;
  const contents = output.Contents ?? [];
  return { entries: contents.flatMap((object) => entryOfSdkObject(object) ?? []), contents: contents.length };
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

function isRawResponse(value: unknown): value is RawResponse {
  return typeof value === 'object' && value !== null && 'statusCode' in value && typeof value.statusCode === 'number' && 'body' in value && 'headers' in value;
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
  const parsed = new WeakMap<object, { readonly entries: InventoryEntry[]; readonly contents: number }>();
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
      const { entries, contents, rest } = scanListObjectsBody(text, (input && hints.get(input)) ?? {});
      parsed.set(context, { entries, contents });
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
      const page = parsed.get(context);
      const output: unknown = result.output;
      if (page && typeof output === 'object' && output !== null) {
        scanned.set(output, page);
        const { entries } = page;
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
