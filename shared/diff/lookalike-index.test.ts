import { describe, expect, it } from 'vitest';
import { compareS3Keys } from '../s3-key-order.ts';
import { LookalikeIndex, foldKey } from './lookalike-index.ts';

function naive(keys: readonly string[]): (string | undefined)[] {
  const first = new Map<string, string>();
  return keys.map((key) => {
    const folded = foldKey(key);
    const earlier = first.get(folded);
    if (earlier === undefined) first.set(folded, key);
    return earlier;
  });
}

describe('LookalikeIndex', () => {
  it.each([
    [['Photo.jpg', 'photo.jpg'], [undefined, 'Photo.jpg']],
    [['PHOTO.jpg', 'Photo.jpg', 'photo.jpg'], [undefined, 'PHOTO.jpg', 'PHOTO.jpg']],
    // Kelvin sign K (U+212A) sorts after "k" and folds to it: the earlier twin is in folded form.
    [['k.txt', '\u212A.txt'], [undefined, 'k.txt']],
    [['cafe\u0301', 'caf\u00e9'], [undefined, 'cafe\u0301']],
    [['a', 'b', 'c'], [undefined, undefined, undefined]],
  ])('%j → %j', (keys, expected) => {
    const index = new LookalikeIndex();
    expect(keys.map((k) => index.check(k))).toEqual(expected);
  });

  it('agrees with a plain Map over many mixed keys', () => {
    const parts = ['a', 'A', 'é', 'e\u0301', 'É', 'ß', 'ẞ', 'K', 'k', '\u212A', '/', '😀', 'x', 'X'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const set = new Set<string>();
    while (set.size < 20_000) {
      let key = '';
      for (let i = 0, n = 1 + random(5); i < n; i++) key += parts[random(parts.length)];
      set.add(key);
    }
    const keys = [...set].sort(compareS3Keys);
    const index = new LookalikeIndex();
    const flagged = keys.map((k) => index.check(k));
    expect(flagged).toEqual(naive(keys));
    expect(flagged.filter((f) => f !== undefined).length).toBeGreaterThan(1000);
  });

  it('keeps every key and number while its table grows (300k keys)', () => {
    const index = new LookalikeIndex();
    let found = 0;
    for (let i = 0; i < 150_000; i++) {
      const name = `dir/${String(i).padStart(6, '0')}`;
      // "…A" (unfolded, kept as text) sorts before "…a", its twin.
      expect(index.check(`${name}A`)).toBeUndefined();
      const twin = index.check(`${name}a`);
      if (twin === `${name}A`) found++;
    }
    expect(found).toBe(150_000);
  }, 60_000);
});
