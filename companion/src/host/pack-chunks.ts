import { ConnectGuardError } from '../../../shared/errors.ts';

/** One chunk: the JSON text of an array of items, and how many items it holds. */
export interface PackedChunk {
  readonly json: string;
  readonly count: number;
}

/**
 * Splits items into JSON arrays (`[a,b,…]`) of at most `maxBytes` UTF-8 bytes each, in order, so
 * each chunk event stays well under Chromium's 1 MB host → extension limit. Each item is
 * serialized once; the text goes into the frame as is. An item that alone exceeds the budget
 * cannot be sent and is an error, not a silently dropped row.
 */
export function* packChunkTexts(items: readonly unknown[], maxBytes: number): Generator<PackedChunk, void, undefined> {
  let parts: string[] = [];
  // "[" + "]" now; each further item adds its own bytes plus a comma.
  let size = 2;
  for (const item of items) {
    const json = JSON.stringify(item) ?? 'null';
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes + 2 > maxBytes) {
      throw new ConnectGuardError('PROTOCOL_ERROR', `One item of ${bytes} bytes is larger than a whole chunk (${maxBytes} bytes) and cannot be sent to the browser.`);
    }
    const added = parts.length === 0 ? bytes : bytes + 1;
    if (size + added > maxBytes) {
      yield { json: `[${parts.join(',')}]`, count: parts.length };
      parts = [];
      size = 2 + bytes;
    } else {
      size += added;
    }
    parts.push(json);
  }
  if (parts.length > 0) yield { json: `[${parts.join(',')}]`, count: parts.length };
}

/** {@link packChunkTexts} as arrays of the items themselves. */
export function* packChunks<T>(items: readonly T[], maxBytes: number): Generator<T[], void, undefined> {
  let index = 0;
  for (const chunk of packChunkTexts(items, maxBytes)) {
    yield items.slice(index, index + chunk.count);
    index += chunk.count;
  }
}
