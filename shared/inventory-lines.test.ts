import { describe, expect, it } from 'vitest';
import type { InventoryEntry } from './inventory.ts';
import { countInventoryLines, packInventoryLines, sliceInventoryLines, unpackInventoryLines } from './inventory-lines.ts';

const entries: InventoryEntry[] = [
  { key: 'docs/report (final).pdf', size: 1_234_567, lastModified: '2026-03-01T12:00:00.000Z', md5: '9e107d9d372bb6826bd81d3542a419d6' },
  { key: 'empty.bin', size: 0 },
  { key: 'odd\tname\nwith\\escapes\r.txt', size: 3, lastModified: '2026-01-01T00:00:00.000Z' },
  { key: 'Grüße/日本語 ✓.md', size: 9_007_199_254_740_991, md5: 'd41d8cd98f00b204e9800998ecf8427e' },
  { key: 'shown as 1.2 MB.jpg', size: 1_200_000, sizeTolerance: 50_000, lastModified: '2026-03-01T12:00:00.000Z' },
];

describe('inventory lines', () => {
  it('round-trips key, size, last modified and MD5, whatever characters the key has', () => {
    const text = packInventoryLines(entries);
    expect(countInventoryLines(text)).toBe(entries.length);
    expect(unpackInventoryLines(text)).toEqual(entries);
    expect(unpackInventoryLines(packInventoryLines([]))).toEqual([]);
    expect(countInventoryLines('')).toBe(0);
  });

  it('slices at line ends, each slice at most the given number of lines, nothing lost', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ key: `f\n${i}`, size: i }));
    const text = packInventoryLines(many);
    const slices = [...sliceInventoryLines(text, 4)];
    expect(slices.map((slice) => slice.count)).toEqual([4, 4, 3]);
    expect(slices.map((slice) => countInventoryLines(slice.lines))).toEqual([4, 4, 3]);
    expect(slices.flatMap((slice) => unpackInventoryLines(slice.lines))).toEqual(many);
    expect([...sliceInventoryLines('', 4)]).toEqual([]);
  });

  it.each([
    ['a line without tabs', 'x.txt', /line 1 must have size/],
    ['a size that is not a whole number', '-1\t\t\tx.txt', /line 1: the size/],
    ['an unsafe size', '99999999999999999\t\t\tx.txt', /line 1: the size/],
    ['an empty key on line 2', '1\t\t\ta\n2\t\t\t', /line 2 has no key/],
    ['an unknown escape', '1\t\t\ta\\x', /line 1: a "\\" must be followed/],
    ['a trailing newline', '1\t\t\ta\n', /line 2 must have size/],
    ['a rounding without digits', '1200000~\t\t\ta', /line 1: the size/],
    ['a negative rounding', '1200000~-5\t\t\ta', /line 1: the size/],
  ])('refuses %s, naming the line', (_name, text, message) => {
    expect(() => unpackInventoryLines(text)).toThrow(message);
  });
});
