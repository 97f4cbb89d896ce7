import { describe, expect, it } from 'vitest';
import { compareS3Keys } from './s3-key-order.ts';

const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('compareS3Keys', () => {
  it.each([
    ['a', 'b'],
    ['a', 'a/'],
    ['a/b', 'a-b'],
    ['\uFF01', '😀'], // UTF-16 puts the emoji first; UTF-8 puts it last
    ['z', 'é'],
    ['𝒜', '😀'],
    ['', 'a'],
  ])('orders %j and %j like UTF-8 bytes', (a, b) => {
    expect(Math.sign(compareS3Keys(a, b))).toBe(Math.sign(utf8Compare(a, b)));
    expect(Math.sign(compareS3Keys(b, a))).toBe(Math.sign(utf8Compare(b, a)));
  });

  it('sorts a mixed key set exactly as byte order does', () => {
    const keys = ['😀/x', '\uFFFD', 'a b', 'a+b', 'a%2F', 'A', 'a', 'a/', 'a//b', 'Ä', 'ä', '\u{10FFFF}', '\uE000', 'zz'];
    const byBytes = [...keys].sort(utf8Compare);
    expect([...keys].sort(compareS3Keys)).toEqual(byBytes);
    // Guard: the naive UTF-16 sort really differs on this set, so the test can fail.
    expect([...keys].sort()).not.toEqual(byBytes);
  });
});
