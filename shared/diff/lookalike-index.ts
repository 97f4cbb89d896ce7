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
 * An open-addressing table of 64-bit fingerprints (two independent 32-bit hashes) of folded
 * keys, each with a small number: 12 bytes per slot instead of a Map entry plus key text.
 */
class FingerprintTable {
  // h1, h2 and the value of a slot sit side by side: one cache miss per probe.
  private slots = new Int32Array(3 << 18);
  private mask = (1 << 18) - 1;
  private count = 0;

  /**
   * Finds the fingerprint, adding it (with value 0) when absent. Returns the slot, or
   * `-(slot + 1)` when it was just added.
   */
  findOrAdd(h1: number, h2: number): number {
    // (0, 0) marks an empty slot.
    if (h1 === 0 && h2 === 0) h2 = 1;
    const slots = this.slots;
    let slot = h1 & this.mask;
    for (;;) {
      const at = slot * 3;
      const x = slots[at] ?? 0;
      const y = slots[at + 1] ?? 0;
      if (x === 0 && y === 0) {
        slots[at] = h1;
        slots[at + 1] = h2;
        this.count++;
        if (this.count * 2 > this.mask) return -(this.grow(slot) + 1);
        return -(slot + 1);
      }
      if (x === h1 && y === h2) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  value(slot: number): number {
    return this.slots[slot * 3 + 2] ?? 0;
  }

  setValue(slot: number, value: number): void {
    this.slots[slot * 3 + 2] = value;
  }

  /** Quadruples the table (fewer rehashes on the way to millions); returns where `tracked` moved. */
  private grow(tracked: number): number {
    const old = this.slots;
    const oldSlots = old.length / 3;
    this.slots = new Int32Array(old.length * 4);
    this.mask = oldSlots * 4 - 1;
    this.count = 0;
    let moved = 0;
    for (let i = 0; i < oldSlots; i++) {
      const x = old[i * 3] ?? 0;
      const y = old[i * 3 + 1] ?? 0;
      if (x === 0 && y === 0) continue;
      const slot = -(this.findOrAdd(x, y) + 1);
      this.slots[slot * 3 + 2] = old[i * 3 + 2] ?? 0;
      if (i === tracked) moved = slot;
    }
    return moved;
  }
}

/**
 * Remembers every key seen and reports the first earlier key that differs only by case or by
 * Unicode normalisation (`Photo.jpg` / `photo.jpg`, `café` in NFC / NFD).
 *
 * Bounded memory for millions of keys: every key leaves only a 64-bit fingerprint of its
 * folded form. Only keys that are not already in folded form ("Photo.jpg") are kept as text,
 * numbered from the fingerprint's slot, so a later twin can name them. When the earlier twin
 * was in folded form, it equals the folded form, so it can be named without being kept. A false
 * match needs a 64-bit fingerprint collision (≈ 1 in 10^7 for 2M keys).
 */
export class LookalikeIndex {
  private readonly fingerprints = new FingerprintTable();
  private readonly unfoldedKeys: string[] = [];

  /** Records `key`; returns an earlier key it collides with, if any. Keys must be distinct. */
  check(key: string): string | undefined {
    let h1 = 0x811c9dc5;
    let h2 = 0x3c6ef372;
    let folded: string | undefined;
    let inFoldedForm = true;
    let ascii = true;
    // Two characters per step (one 32-bit word): half the multiplications of a per-character hash.
    const length = key.length;
    for (let i = 0; i < length; i += 2) {
      let c = key.charCodeAt(i);
      let d = i + 1 < length ? key.charCodeAt(i + 1) : 0;
      if (c >= 0x80 || d >= 0x80) {
        ascii = false;
        break;
      }
      if (c >= 65 && c <= 90) {
        c += 32;
        inFoldedForm = false;
      }
      if (d >= 65 && d <= 90) {
        d += 32;
        inFoldedForm = false;
      }
      const word = c | (d << 16);
      h1 = Math.imul(h1 ^ word, 16777619);
      h2 = Math.imul(h2 + word, 0x5bd1e995) ^ (h2 >>> 15);
    }
    if (!ascii) {
      folded = foldKey(key);
      inFoldedForm = folded === key;
      h1 = 0x811c9dc5;
      h2 = 0x3c6ef372;
      const foldedLength = folded.length;
      for (let i = 0; i < foldedLength; i += 2) {
        const word = folded.charCodeAt(i) | ((i + 1 < foldedLength ? folded.charCodeAt(i + 1) : 0) << 16);
        h1 = Math.imul(h1 ^ word, 16777619);
        h2 = Math.imul(h2 + word, 0x5bd1e995) ^ (h2 >>> 15);
      }
    }
    const found = this.fingerprints.findOrAdd(finish(h1), finish(h2 ^ (folded ?? key).length));
    if (found < 0) {
      if (!inFoldedForm) this.fingerprints.setValue(-(found + 1), this.unfoldedKeys.push(key));
      return undefined;
    }
    const number = this.fingerprints.value(found);
    if (number > 0) {
      const first = this.unfoldedKeys[number - 1];
      return first === key ? undefined : first;
    }
    // The earlier twin was in folded form, so it is the folded form itself. A key in folded
    // form cannot be its own twin (keys are distinct): that is a fingerprint collision.
    return inFoldedForm ? undefined : (folded ?? key.toLowerCase());
  }
}
