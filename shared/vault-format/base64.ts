/**
 * Standard base64 (RFC 4648 §4, with padding) over Uint8Array. shared/ runs in Node and in the
 * extension's service worker, so it cannot use Node's Buffer; `btoa`/`atob` work on Latin-1
 * strings only and accept sloppy input, so the vault's parser uses this strict version instead.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP: ReadonlyMap<string, number> = new Map([...ALPHABET].map((char, index) => [char, index]));

/** Encodes bytes as standard padded base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const triple = (a << 16) | (b << 8) | c;
    out += ALPHABET[(triple >> 18) & 63];
    out += ALPHABET[(triple >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(triple >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[triple & 63] : '=';
  }
  return out;
}

/**
 * Decodes standard padded base64; returns `undefined` for anything else (wrong alphabet, missing
 * padding, whitespace, non-canonical trailing bits), so a caller can name the bad field.
 */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const values: number[] = [];
    for (let j = 0; j < 4; j++) {
      const char = text.charAt(i + j);
      if (char === '=' && last && j >= 4 - padding) {
        values.push(0);
        continue;
      }
      const value = LOOKUP.get(char);
      if (value === undefined) return undefined;
      values.push(value);
    }
    const [v0 = 0, v1 = 0, v2 = 0, v3 = 0] = values;
    const triple = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
    // Canonical form only: the bits a padded tail drops must be zero.
    if (last && padding === 2 && (triple & 0xffff) !== 0) return undefined;
    if (last && padding === 1 && (triple & 0xff) !== 0) return undefined;
    out[o++] = (triple >> 16) & 255;
    if (o < out.length) out[o++] = (triple >> 8) & 255;
    if (o < out.length) out[o++] = triple & 255;
  }
  return out;
}

/** Lower-case hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
