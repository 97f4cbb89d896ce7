/**
 * S3 lists keys in UTF-8 byte order. JavaScript's `<` on strings compares UTF-16 code units,
 * which disagrees for characters beyond U+FFFF (surrogates, 0xD800–0xDFFF) against characters
 * in U+E000–U+FFFF. Comparing code points gives UTF-8 byte order.
 */
export function compareS3Keys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only when both are outside the surrogate range does UTF-16 order equal code point order.
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate === ySurrogate) return x - y;
    // A surrogate encodes a code point ≥ U+10000, above every BMP character.
    return xSurrogate ? 1 : -1;
  }
  return a.length - b.length;
}
