/**
 * Chrome native-messaging framing on stdio: each message is a 32-bit length in native byte order
 * (little-endian on every platform Chromium ships for) followed by that many bytes of UTF-8 JSON.
 * https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging#native-messaging-host-protocol
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** What the reader found in the byte stream. */
export type DecodedFrame =
  /** A complete frame whose body parsed as JSON. */
  | { readonly kind: 'message'; readonly value: unknown; readonly bytes: number }
  /** A complete frame whose body is not JSON (or not UTF-8); `id` when one could still be read. */
  | { readonly kind: 'malformed'; readonly problem: string; readonly id: string | null }
  /**
   * A length header over the limit. Nothing after it can be trusted to start a frame (a header
   * of garbage announces up to 4 GiB, and the frames that follow would be read as its body), so
   * the reader stops: it returns no frame after this one.
   */
  | { readonly kind: 'oversize'; readonly bytes: number };

const HEADER_BYTES = 4;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits a byte stream into frames. Robust to any chunking: a header or body split across reads,
 * many frames in one read. A length over `maxFrameBytes` is reported once and ends the stream:
 * the reader does not wait for (or skip) the announced body, since a wrong header leaves no way
 * to find where the next frame starts; the caller refuses the message and closes the connection.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the frame whose body is awaited, once its header is read. */
  private expected: number | undefined;
  /** An oversize header was read: everything after it is ignored. */
  private stopped = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes read from stdin; returns every frame they complete. */
  push(chunk: Buffer): DecodedFrame[] {
    if (this.stopped) return [];
    const frames: DecodedFrame[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < HEADER_BYTES) break;
        const length = this.take(HEADER_BYTES).readUInt32LE(0);
        if (length > this.maxFrameBytes) {
          frames.push({ kind: 'oversize', bytes: length });
          this.stopped = true;
          this.chunks = [];
          this.buffered = 0;
          break;
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      const body = this.take(this.expected);
      this.expected = undefined;
      frames.push(decodeBody(body));
    }
    return frames;
  }

  /** Whether an oversize header ended the stream. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Bytes of an unfinished frame at end of input (0 when the stream ended cleanly between frames). */
  get pendingBytes(): number {
    return this.buffered + (this.expected === undefined ? 0 : HEADER_BYTES);
  }

  private take(count: number): Buffer {
    if (count === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first && first.length >= count) {
      // The common case: the frame lies in one read; no copy.
      const taken = first.subarray(0, count);
      if (first.length === count) this.chunks.shift();
      else this.chunks[0] = first.subarray(count);
      this.buffered -= count;
      return taken;
    }
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = all.length > count ? [all.subarray(count)] : [];
    this.buffered -= count;
    return all.subarray(0, count);
  }
}

function decodeBody(body: Buffer): DecodedFrame {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { kind: 'malformed', problem: 'The message is not valid UTF-8.', id: null };
  }
  try {
    const value: unknown = JSON.parse(text);
    return { kind: 'message', value, bytes: body.length };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'malformed', problem: `The message is not valid JSON (${detail.slice(0, 120)}).`, id: findId(text) };
  }
}

/** Recovers `"id":"…"` from a frame that is not JSON, so its error reply can still be matched. */
function findId(text: string): string | null {
  const match = /"id"\s*:\s*"((?:[^"\\]|\\.){1,128})"/.exec(text.slice(0, 4096));
  if (!match?.[1]) return null;
  try {
    const id: unknown = JSON.parse(`"${match[1]}"`);
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

function lengthHeader(length: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(length, 0);
  return header;
}

/** Encodes one message as a frame: length header + UTF-8 JSON body. */
export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([lengthHeader(body.length), body]);
}

/** A frame too large for the browser to accept; the caller answers with an error instead. */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(readonly bytes: number, readonly limit: number) {
    super(`A reply of ${bytes} bytes exceeds the ${limit}-byte limit for messages to the browser.`);
  }
}

/**
 * Writes frames to stdout, one whole frame per write so concurrent requests never interleave
 * bytes, and waits for `drain` when the pipe is full so a fast producer cannot buffer without
 * bound. Nothing but frames may reach this stream: any other byte would desynchronise the browser.
 */
export class FrameWriter {
  private closed = false;
  private drained: Promise<void> | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly maxFrameBytes: number,
  ) {
    stream.on('error', () => {
      // EPIPE: the browser closed the port. Later writes are dropped; the host shuts down on stdin EOF.
      this.closed = true;
    });
    stream.on('close', () => {
      this.closed = true;
    });
  }

  /** Throws {@link FrameTooLargeError} (writing nothing) when the message is over the limit. */
  async write(message: unknown): Promise<void> {
    await this.writeJson(JSON.stringify(message));
  }

  /** Writes a message already serialized as JSON text (a chunk's rows are serialized once). */
  async writeJson(json: string): Promise<void> {
    const body = Buffer.from(json, 'utf8');
    const frame = Buffer.concat([lengthHeader(body.length), body]);
    const bodyBytes = body.length;
    if (bodyBytes > this.maxFrameBytes) throw new FrameTooLargeError(bodyBytes, this.maxFrameBytes);
    if (this.closed) return;
    while (this.drained) await this.drained;
    if (this.closed) return;
    if (!this.stream.write(frame)) {
      this.drained = once(this.stream, 'drain').then(
        () => undefined,
        () => undefined,
      );
      await this.drained;
      this.drained = undefined;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
