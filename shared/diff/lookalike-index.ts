// Any character outside ASCII needs Unicode normalisation and full lower-casing.
const NEEDS_UNICODE_FOLD = /[\u0080-\uffff]/;

/**
 * The form two keys share when a case-insensitive, normalising file system or UI would show
 * them as one name (macOS APFS/HFS+, Windows, many sync clients): NFC, lower case.
 */
export function foldKey(key: string): string {
  if (!NEEDS_UNICODE_FOLD.test(key)) return key.toLowerCase();
  return key.normalize('NFC').toLowerCase().normalize('NFC');
}

function finish(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * An open-addressing set of 64-bit fingerprints (two independent 32-bit hashes) of folded
 * keys: 8 bytes per slot instead of a Map entry plus the key's text.
 */
class FingerprintSet {
  // Both halves of a fingerprint sit side by side: one cache miss per probe.
  private slots = new Int32Array(2 << 16);
  private mask = (1 << 16) - 1;
  private count = 0;

  /** Adds the fingerprint; returns true when it was already there. */
  add(h1: number, h2: number): boolean {
    // (0, 0) marks an empty slot.
    if (h1 === 0 && h2 === 0) h2 = 1;
    const slots = this.slots;
    let slot = h1 & this.mask;
    for (;;) {
      const x = slots[slot * 2] ?? 0;
      const y = slots[slot * 2 + 1] ?? 0;
      if (x === 0 && y === 0) {
        slots[slot * 2] = h1;
        slots[slot * 2 + 1] = h2;
        this.count++;
        if (this.count * 2 > this.mask) this.grow();
        return false;
      }
      if (x === h1 && y === h2) return true;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = old.length - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const x = old[i] ?? 0;
      const y = old[i + 1] ?? 0;
      if (x !== 0 || y !== 0) this.add(x, y);
    }
  }
}

/**
 * Remembers every key seen and reports the first earlier key that differs only by case or by
 * Unicode normalisation (`Photo.jpg` / `photo.jpg`, `café` in NFC / NFD).
 *
 * Bounded memory for millions of keys: every key leaves only a 64-bit fingerprint of its
 * folded form. Only keys that are not already in folded form ("Photo.jpg") are kept as text,
 * in a Map from folded form to key, so a later twin can name them. When the earlier twin was
 * in folded form, it equals the folded form, so it can be named without being kept. A false
 * match needs a 64-bit fingerprint collision (≈ 1 in 10^7 for 2M keys).
 */
export class LookalikeIndex {
  private readonly fingerprints = new FingerprintSet();
  private readonly unfoldedByFolded = new Map<string, string>();

  /** Records `key`; returns an earlier key it collides with, if any. Keys must be distinct. */
  check(key: string): string | undefined {
    let h1 = 0x811c9dc5;
    let h2 = 0x3c6ef372;
    let folded: string | undefined;
    let inFoldedForm = true;
    let ascii = true;
    for (let i = 0; i < key.length; i++) {
      let c = key.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      if (c >= 65 && c <= 90) {
        c += 32;
        inFoldedForm = false;
      }
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 + c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    if (!ascii) {
      folded = foldKey(key);
      inFoldedForm = folded === key;
      h1 = 0x811c9dc5;
      h2 = 0x3c6ef372;
      for (let i = 0; i < folded.length; i++) {
        const c = folded.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 16777619);
        h2 = Math.imul(h2 + c, 0x5bd1e995) ^ (h2 >>> 15);
      }
    }
    const seen = this.fingerprints.add(finish(h1), finish(h2 ^ (folded ?? key).length));
    if (!seen) {
      if (!inFoldedForm) this.unfoldedByFolded.set(folded ?? key.toLowerCase(), key);
      return undefined;
    }
    const foldedKey = folded ?? (inFoldedForm ? key : key.toLowerCase());
    const first = this.unfoldedByFolded.get(foldedKey);
    if (first !== undefined) return first === key ? undefined : first;
    // The earlier twin was in folded form, so it is the folded form itself. A key in folded
    // form cannot be its own twin (keys are distinct): that is a fingerprint collision.
    return inFoldedForm ? undefined : foldedKey;
  }
}
