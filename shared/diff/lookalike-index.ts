// Any character outside printable ASCII needs Unicode normalisation and full lower-casing.
const NEEDS_UNICODE_FOLD = /[^\x20-\x7e]/;

/**
 * The form two keys share when a case-insensitive, normalising file system or UI would show
 * them as one name (macOS APFS/HFS+, Windows, many sync clients): NFC, lower case.
 */
export function foldKey(key: string): string {
  if (!NEEDS_UNICODE_FOLD.test(key)) return key.toLowerCase();
  return key.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * Remembers every key seen and reports the first earlier key that differs only by case or by
 * Unicode normalisation (`Photo.jpg` / `photo.jpg`, `café` in NFC / NFD).
 *
 * Memory: one Map entry per distinct key. A key that is already in folded form is stored as
 * itself (V8 returns the same string from `toLowerCase` when nothing changes), so the map adds
 * about 40 bytes per key on top of the key text; measured in `npm run bench:diff`.
 */
export class LookalikeIndex {
  private readonly firstByFolded = new Map<string, string>();

  /** Records `key`; returns an earlier key it collides with, if any. */
  check(key: string): string | undefined {
    const folded = foldKey(key);
    const first = this.firstByFolded.get(folded);
    if (first === undefined) {
      this.firstByFolded.set(folded, key);
      return undefined;
    }
    return first === key ? undefined : first;
  }

  get size(): number {
    return this.firstByFolded.size;
  }
}
