import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256-hex.ts';

describe('sha256Hex', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('FIPS 180-4 example %j', (text, digest) => {
    expect(sha256Hex(text)).toBe(digest);
  });

  it('equals Node’s SHA-256 of the UTF-8 bytes at every length around the block boundaries', () => {
    for (let length = 0; length <= 1100; length += length < 140 ? 1 : 37) {
      const text = Array.from({ length }, (_, i) => (i % 5 === 0 ? 'é' : i % 7 === 0 ? '😀' : String.fromCharCode(97 + (i % 26)))).join('').slice(0, length);
      expect(sha256Hex(text), `length ${length}`).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});
