import { describe, expect, it } from 'vitest';
import { CHROMIUM_MAX_HOST_MESSAGE_BYTES, MAX_CHUNK_BYTES } from '../../../shared/protocol/companion-protocol.ts';
import { encodeFrame } from './native-messaging.ts';
import { packChunks } from './pack-chunks.ts';

describe('packChunks', () => {
  it('splits a result over 1 MB into chunk frames each under 1 MB that reassemble exactly', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ key: `photos/${i}/ünïcode-€-${'k'.repeat(i % 97)}.jpg`, size: i, class: 'only-in-bucket' }));
    expect(Buffer.byteLength(JSON.stringify(rows))).toBeGreaterThan(2 * 1024 * 1024);
    const chunks = [...packChunks(rows, MAX_CHUNK_BYTES)];
    expect(chunks.length).toBeGreaterThan(4);
    chunks.forEach((chunk, seq) => {
      expect(Buffer.byteLength(JSON.stringify(chunk), 'utf8')).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
      expect(encodeFrame({ id: 'request-1', event: 'chunk', seq, data: chunk }).length).toBeLessThan(CHROMIUM_MAX_HOST_MESSAGE_BYTES);
    });
    expect(chunks.flat()).toEqual(rows);
  });

  it('fills chunks up to the exact byte budget', () => {
    // Each item is `"xxxx"` = 6 bytes; [a,b,c] = 2 + 3·6 + 2 commas = 22 bytes.
    const chunks = [...packChunks(['xxxx', 'xxxx', 'xxxx', 'xxxx'], 22)];
    expect(chunks).toEqual([['xxxx', 'xxxx', 'xxxx'], ['xxxx']]);
  });

  it('refuses an item larger than a whole chunk instead of dropping it', () => {
    expect(() => [...packChunks(['x'.repeat(100)], 50)]).toThrow(/larger than a whole chunk/);
  });

  it('sends nothing for no items', () => {
    expect([...packChunks([], 100)]).toEqual([]);
  });
});
