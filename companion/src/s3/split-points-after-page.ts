/**
 * Where to split a key range that proved long, guessed from its latest page of keys. Pure: used
 * by the key-range planner of `listBucketObjects`.
 */
import { compareS3Keys } from '../../../shared/s3-key-order.ts';

const DIGITS = range(0x30, 0x39);
const LOWER = range(0x61, 0x7a);
const UPPER = range(0x41, 0x5a);
const PRINTABLE = range(0x20, 0x7e);
// Beyond ASCII a few coarse steps are enough: balance there matters less than correctness.
const BEYOND_ASCII = [0xc0, 0x400, 0x3000, 0xac00, 0x10000];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function alphabetFor(codePoint: number): readonly number[] {
  if (codePoint >= 0x30 && codePoint <= 0x39) return DIGITS;
  if (codePoint >= 0x61 && codePoint <= 0x7a) return LOWER;
  if (codePoint >= 0x41 && codePoint <= 0x5a) return UPPER;
  if (codePoint < 0x7f) return PRINTABLE;
  return [...PRINTABLE, ...BEYOND_ASCII];
}

/** Common prefix length in UTF-16 units, never ending inside a surrogate pair. */
export function commonPrefixLength(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i > 0 && i < a.length) {
    const previous = a.charCodeAt(i - 1);
    if (previous >= 0xd800 && previous <= 0xdbff) i--;
  }
  return i;
}

/** UTF-16 index of the code point before index `i` (i > 0). */
function previousCodePointStart(key: string, i: number): number {
  const low = key.charCodeAt(i - 1);
  if (i >= 2 && low >= 0xdc00 && low <= 0xdfff) {
    const high = key.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return i - 2;
  }
  return i - 1;
}

function pickEvenly(values: readonly number[], limit: number): number[] {
  if (values.length <= limit) return [...values];
  const picked: number[] = [];
  for (let i = 0; i < limit; i++) {
    const value = values[Math.floor((i * values.length) / limit)];
    if (value !== undefined && picked[picked.length - 1] !== value) picked.push(value);
  }
  return picked;
}

/**
 * Split points for the rest of a range, guessed from the page just received: the keys that
 * follow usually look like these (same prefix, then digits, letters, …). From the page we
 * estimate how many keys one character step holds at each position; at the first position where
 * a step holds at least a page of keys, and one and two positions before it, each character of
 * the observed class above the current one starts a new range. A guess that hits no keys costs
 * one short request; a guess never costs correctness, since ranges stay disjoint and complete.
 */
export function splitPointsAfterPage(keys: readonly string[], until: string | undefined, budget: number, pageSize: number): string[] {
  const first = keys[0];
  const last = keys[keys.length - 1];
  if (first === undefined || last === undefined || budget <= 0) return [];
  let level = commonPrefixLength(first, last);
  const lastCodePoint = last.codePointAt(level);
  if (lastCodePoint === undefined) return [];
  // Every key of the (sorted) page shares the prefix up to `level`: look at what follows it.
  const seen = new Set<readonly number[]>();
  for (const key of keys) {
    const codePoint = key.codePointAt(level);
    if (codePoint !== undefined) seen.add(alphabetFor(codePoint));
  }
  let alphabet: readonly number[] = [...new Set([...seen].flat())].sort((x, y) => x - y);
  const firstCodePoint = first.codePointAt(level) ?? alphabet[0] ?? 0;
  const firstIndex = Math.max(0, alphabet.findIndex((codePoint) => codePoint >= firstCodePoint));
  const lastIndex = Math.max(firstIndex, alphabet.findIndex((codePoint) => codePoint >= lastCodePoint));
  let keysPerStep = keys.length / (lastIndex - firstIndex + 1);
  const points: string[] = [];
  let usedLevels = 0;
  for (;;) {
    const current = last.codePointAt(level);
    if (current !== undefined && keysPerStep >= pageSize * 0.9) {
      const above = alphabet.filter((codePoint) => codePoint > current);
      const share = usedLevels === 0 ? Math.ceil(budget / 2) : Math.ceil(budget / 4);
      const prefix = last.slice(0, level);
      for (const codePoint of pickEvenly(above, share)) points.push(prefix + String.fromCodePoint(codePoint));
      usedLevels++;
    }
    if (usedLevels >= 3 || level === 0) break;
    keysPerStep *= Math.max(1, alphabet.length);
    level = previousCodePointStart(last, level);
    alphabet = alphabetFor(last.codePointAt(level) ?? 0);
  }
  const sorted = [...new Set(points)]
    .filter((point) => compareS3Keys(point, last) > 0 && (until === undefined || compareS3Keys(point, until) < 0))
    .sort(compareS3Keys);
  return sorted.slice(0, budget);
}
