import { ConnectGuardError } from '../../../shared/errors.ts';

/**
 * Splits items into arrays whose JSON text (`[a,b,…]`, UTF-8 bytes) is at most `maxBytes`, in
 * order, so each chunk event stays well under Chromium's 1 MB host → extension limit. An item
 * that alone exceeds the budget cannot be sent and is an error, not a silently dropped row.
 */
export function* packChunks<T>(items: readonly T[], maxBytes: number): Generator<T[], void, undefined> {
  let chunk: T[] = [];
  // "[" + "]" now; each further item adds its own bytes plus a comma.
  let size = 2;
  for (const item of items) {
    const bytes = Buffer.byteLength(JSON.stringify(item) ?? 'null', 'utf8');
    if (bytes + 2 > maxBytes) {
      throw new ConnectGuardError('PROTOCOL_ERROR', `One item of ${bytes} bytes is larger than a whole chunk (${maxBytes} bytes) and cannot be sent to the browser.`);
    }
    const added = chunk.length === 0 ? bytes : bytes + 1;
    if (size + added > maxBytes) {
      yield chunk;
      chunk = [];
      size = 2;
      size += bytes;
    } else {
      size += added;
    }
    chunk.push(item);
  }
  if (chunk.length > 0) yield chunk;
}
