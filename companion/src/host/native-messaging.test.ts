import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FrameReader, FrameTooLargeError, FrameWriter, encodeFrame, type DecodedFrame } from './native-messaging.ts';

function header(length: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(length, 0);
  return buffer;
}

function rawFrame(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([header(bytes.length), bytes]);
}

function values(frames: DecodedFrame[]): unknown[] {
  return frames.map((frame) => (frame.kind === 'message' ? frame.value : frame));
}

describe('FrameReader', () => {
  it('decodes a frame fed one byte at a time', () => {
    const reader = new FrameReader(1024);
    const frame = encodeFrame({ id: 'ü', type: 'ping', data: {} });
    const frames: DecodedFrame[] = [];
    for (const byte of frame) frames.push(...reader.push(Buffer.from([byte])));
    expect(values(frames)).toEqual([{ id: 'ü', type: 'ping', data: {} }]);
    expect(reader.pendingBytes).toBe(0);
  });

  it('decodes many frames in one chunk, and a frame split across chunks at any point', () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({ id: String(i), text: 'é'.repeat(i) }));
    const all = Buffer.concat(messages.map((message) => encodeFrame(message)));
    expect(values(new FrameReader(1024).push(all))).toEqual(messages);
    for (let split = 0; split <= all.length; split += 7) {
      const reader = new FrameReader(1024);
      const frames = [...reader.push(all.subarray(0, split)), ...reader.push(all.subarray(split))];
      expect(values(frames)).toEqual(messages);
    }
  });

  it('reports a length over the limit once and reads nothing after it, not even frames that look whole', () => {
    const reader = new FrameReader(100);
    const before = encodeFrame({ id: 'before' });
    const after = encodeFrame({ id: 'after' });
    const oversize = header(0xfffffff0);
    const frames = [...reader.push(Buffer.concat([before, oversize.subarray(0, 2)])), ...reader.push(Buffer.concat([oversize.subarray(2), after]))];
    expect(values(frames)).toEqual([{ id: 'before' }, { kind: 'oversize', bytes: 0xfffffff0 }]);
    expect(reader.isStopped).toBe(true);
    expect(reader.push(after)).toEqual([]);
    expect(reader.pendingBytes).toBe(0);
  });

  it('reports malformed JSON with the id it can still read, and invalid UTF-8, then keeps reading', () => {
    const reader = new FrameReader(1024);
    const frames = reader.push(Buffer.concat([rawFrame('{"id":"m1","type":"ping",'), rawFrame(Buffer.from([0x7b, 0xff, 0x7d])), rawFrame('nope'), encodeFrame({ id: 'ok' })]));
    expect(frames[0]).toMatchObject({ kind: 'malformed', id: 'm1', problem: expect.stringMatching(/not valid JSON/) });
    expect(frames[1]).toMatchObject({ kind: 'malformed', id: null, problem: expect.stringMatching(/UTF-8/) });
    expect(frames[2]).toMatchObject({ kind: 'malformed', id: null });
    expect(frames[3]).toEqual({ kind: 'message', value: { id: 'ok' }, bytes: 11 });
  });

  it('counts an unfinished frame at end of input', () => {
    const reader = new FrameReader(1024);
    reader.push(encodeFrame({ id: 'x' }).subarray(0, 6));
    expect(reader.pendingBytes).toBe(6);
  });
});

describe('FrameWriter', () => {
  it('writes little-endian length-prefixed UTF-8 JSON', async () => {
    const out = new PassThrough();
    await new FrameWriter(out, 1024).write({ id: 'ß' });
    const bytes: Buffer = out.read();
    expect(bytes.readUInt32LE(0)).toBe(Buffer.byteLength('{"id":"ß"}'));
    expect(bytes.subarray(4).toString('utf8')).toBe('{"id":"ß"}');
  });

  it('refuses a message over its limit without writing anything', async () => {
    const out = new PassThrough();
    await expect(new FrameWriter(out, 10).write({ id: 'x'.repeat(20) })).rejects.toBeInstanceOf(FrameTooLargeError);
    expect(out.read()).toBeNull();
  });

  it('waits for drain when the pipe is full and keeps frames whole and in order', async () => {
    const out = new PassThrough({ highWaterMark: 64 });
    const writer = new FrameWriter(out, 1024);
    let settled = 0;
    const writes = Array.from({ length: 5 }, (_, i) => writer.write({ id: String(i), pad: 'p'.repeat(100) }).then(() => (settled += 1)));
    await Promise.resolve();
    // Nothing has been read: only the first write fit before the pipe reported full.
    expect(settled).toBeLessThan(5);
    const reader = new FrameReader(1024);
    const frames: DecodedFrame[] = [];
    out.on('data', (chunk: Buffer) => frames.push(...reader.push(chunk)));
    await Promise.all(writes);
    expect(values(frames).map((value) => (value as { id: string }).id)).toEqual(['0', '1', '2', '3', '4']);
  });
});
