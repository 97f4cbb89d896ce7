/**
 * One side's columns of a preview's rows (the bucket's or WeSendit's entries): sizes and times
 * in typed arrays, MD5s and ETags packed as 16 bytes, and the values that do not pack in sparse
 * maps. preview-rows.ts keeps one of these per side.
 */
import type { InventoryEntry } from '../../../shared/inventory.ts';

// Flag bits of one side of a row.
const PRESENT = 1;
const ETAG_PACKED = 2;
const MD5_PACKED = 4;
const TIME_MS = 8;

const HEX32 = /^[0-9a-f]{32}$/;
/** `Date.prototype.toISOString`'s form for years 0000–9999: parses to a time that prints back identically. */
const CANONICAL_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const MULTIPART = /^([0-9a-f]{32})-([1-9][0-9]{0,4})$/;

function hexValue(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

const HEX_DIGITS = '0123456789abcdef';

/** One side's columns as plain, structured-cloneable data (for IndexedDB). */
export interface SideSnapshot {
  readonly flags: Uint8Array<ArrayBuffer>;
  readonly size: Float64Array<ArrayBuffer>;
  readonly time: Float64Array<ArrayBuffer>;
  readonly etag: Uint8Array<ArrayBuffer>;
  readonly etagParts: Uint16Array<ArrayBuffer>;
  readonly md5: Uint8Array<ArrayBuffer>;
  readonly oddEtag: ReadonlyMap<number, string>;
  readonly oddMd5: ReadonlyMap<number, string>;
  readonly oddTime: ReadonlyMap<number, string>;
  readonly multipartEtags: ReadonlyMap<number, Readonly<Record<number, string>>>;
  /** Sizes WeSendit's file browser showed rounded: index → ± bytes. Absent in snapshots from before. */
  readonly sizeTolerance?: ReadonlyMap<number, number>;
}

/** One side's columns (bucket or WeSendit). */
export class SideColumns {
  private capacity = 0;
  flags = new Uint8Array(0);
  size = new Float64Array(0);
  time = new Float64Array(0);
  /** 16 bytes per row. */
  etag = new Uint8Array(0);
  /** Multipart part count of a packed ETag (0: a plain MD5 ETag). */
  etagParts = new Uint16Array(0);
  md5 = new Uint8Array(0);
  /** Values that do not pack: index → text. */
  readonly oddEtag = new Map<number, string>();
  readonly oddMd5 = new Map<number, string>();
  readonly oddTime = new Map<number, string>();
  readonly multipartEtags = new Map<number, Readonly<Record<number, string>>>();
  readonly sizeTolerance = new Map<number, number>();

  /**
   * Flags and sizes always; the other columns only once a value needs them (a bucket listing has
   * ETags but no MD5s, a manifest the reverse), which saves a third of the memory.
   */
  grow(capacity: number): void {
    this.capacity = capacity;
    this.flags = copyInto(new Uint8Array(capacity), this.flags);
    this.size = copyInto(new Float64Array(capacity), this.size);
    if (this.time.length > 0) this.time = copyInto(new Float64Array(capacity), this.time);
    if (this.etag.length > 0) {
      this.etag = copyInto(new Uint8Array(capacity * 16), this.etag);
      this.etagParts = copyInto(new Uint16Array(capacity), this.etagParts);
    }
    if (this.md5.length > 0) this.md5 = copyInto(new Uint8Array(capacity * 16), this.md5);
  }

  private useTime(): Float64Array {
    if (this.time.length === 0) this.time = new Float64Array(this.capacity);
    return this.time;
  }

  private useEtag(): Uint8Array {
    if (this.etag.length === 0) {
      this.etag = new Uint8Array(this.capacity * 16);
      this.etagParts = new Uint16Array(this.capacity);
    }
    return this.etag;
  }

  private useMd5(): Uint8Array {
    if (this.md5.length === 0) this.md5 = new Uint8Array(this.capacity * 16);
    return this.md5;
  }

  set(index: number, entry: InventoryEntry | undefined): void {
    if (entry === undefined) return;
    let flags = PRESENT;
    this.size[index] = entry.size;
    if (entry.sizeTolerance !== undefined) this.sizeTolerance.set(index, entry.sizeTolerance);
    if (entry.lastModified !== undefined) {
      // Only a timestamp that prints back identically (toISOString's own form) is kept as a number.
      const ms = CANONICAL_TIME.test(entry.lastModified) ? Date.parse(entry.lastModified) : Number.NaN;
      if (Number.isFinite(ms)) {
        this.useTime()[index] = ms;
        flags |= TIME_MS;
      } else {
        this.oddTime.set(index, entry.lastModified);
      }
    }
    if (entry.etag !== undefined) {
      const match = MULTIPART.exec(entry.etag);
      const hex = match ? match[1] : HEX32.test(entry.etag) ? entry.etag : undefined;
      if (hex !== undefined) {
        packHex(this.useEtag(), index, hex);
        this.etagParts[index] = match ? Number(match[2]) : 0;
        flags |= ETAG_PACKED;
      } else {
        this.oddEtag.set(index, entry.etag);
      }
    }
    if (entry.md5 !== undefined) {
      if (HEX32.test(entry.md5)) {
        packHex(this.useMd5(), index, entry.md5);
        flags |= MD5_PACKED;
      } else {
        this.oddMd5.set(index, entry.md5);
      }
    }
    if (entry.multipartEtags !== undefined) this.multipartEtags.set(index, entry.multipartEtags);
    this.flags[index] = flags;
  }

  get(index: number, key: string): InventoryEntry | undefined {
    const flags = this.flags[index] ?? 0;
    if ((flags & PRESENT) === 0) return undefined;
    let lastModified: string | undefined;
    if (flags & TIME_MS) lastModified = new Date(this.time[index] ?? 0).toISOString();
    else lastModified = this.oddTime.get(index);
    let etag: string | undefined;
    if (flags & ETAG_PACKED) {
      const parts = this.etagParts[index] ?? 0;
      etag = unpackHex(this.etag, index) + (parts > 0 ? `-${parts}` : '');
    } else {
      etag = this.oddEtag.get(index);
    }
    const md5 = flags & MD5_PACKED ? unpackHex(this.md5, index) : this.oddMd5.get(index);
    const multipartEtags = this.multipartEtags.get(index);
    // Only the fields the entry had, as JSON would have carried them.
    return {
      key,
      size: this.size[index] ?? 0,
      ...(this.sizeTolerance.has(index) ? { sizeTolerance: this.sizeTolerance.get(index) } : {}),
      ...(lastModified !== undefined ? { lastModified } : {}),
      ...(etag !== undefined ? { etag } : {}),
      ...(md5 !== undefined ? { md5 } : {}),
      ...(multipartEtags !== undefined ? { multipartEtags } : {}),
    };
  }

  bytes(): number {
    return this.flags.byteLength + this.size.byteLength + this.time.byteLength + this.etag.byteLength + this.etagParts.byteLength + this.md5.byteLength;
  }

  /** The first `count` rows' columns, copied (an unused column stays empty). */
  snapshot(count: number): SideSnapshot {
    return {
      flags: this.flags.slice(0, count),
      size: this.size.slice(0, count),
      time: this.time.slice(0, this.time.length > 0 ? count : 0),
      etag: this.etag.slice(0, this.etag.length > 0 ? count * 16 : 0),
      etagParts: this.etagParts.slice(0, this.etagParts.length > 0 ? count : 0),
      md5: this.md5.slice(0, this.md5.length > 0 ? count * 16 : 0),
      oddEtag: new Map(this.oddEtag),
      oddMd5: new Map(this.oddMd5),
      oddTime: new Map(this.oddTime),
      multipartEtags: new Map(this.multipartEtags),
      sizeTolerance: new Map(this.sizeTolerance),
    };
  }

  /** Takes over a snapshot of `count` rows (its arrays become this side's). */
  restore(snapshot: SideSnapshot, count: number): void {
    const columns: readonly [string, ArrayLike<number>, number][] = [
      ['flags', snapshot.flags, count],
      ['size', snapshot.size, count],
      ['time', snapshot.time, snapshot.time.length === 0 ? 0 : count],
      ['etag', snapshot.etag, snapshot.etag.length === 0 ? 0 : count * 16],
      ['etagParts', snapshot.etagParts, snapshot.etagParts.length === 0 ? 0 : count],
      ['md5', snapshot.md5, snapshot.md5.length === 0 ? 0 : count * 16],
    ];
    for (const [name, column, length] of columns) {
      if (column.length !== length) throw new RangeError(`A saved preview's ${name} column holds ${column.length} values, not ${length}.`);
    }
    this.capacity = count;
    this.flags = snapshot.flags;
    this.size = snapshot.size;
    this.time = snapshot.time;
    this.etag = snapshot.etag;
    this.etagParts = snapshot.etagParts;
    this.md5 = snapshot.md5;
    for (const [target, source] of [[this.oddEtag, snapshot.oddEtag], [this.oddMd5, snapshot.oddMd5], [this.oddTime, snapshot.oddTime]] as const) {
      target.clear();
      for (const [index, value] of source) target.set(index, value);
    }
    this.multipartEtags.clear();
    for (const [index, value] of snapshot.multipartEtags) this.multipartEtags.set(index, value);
    this.sizeTolerance.clear();
    for (const [index, value] of snapshot.sizeTolerance ?? []) this.sizeTolerance.set(index, value);
  }
}


export function copyInto<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(target: T, source: T): T {
  target.set(source);
  return target;
}

function packHex(target: Uint8Array, index: number, hex: string): void {
  const base = index * 16;
  for (let i = 0; i < 16; i++) target[base + i] = (hexValue(hex.charCodeAt(i * 2)) << 4) | hexValue(hex.charCodeAt(i * 2 + 1));
}

function unpackHex(source: Uint8Array, index: number): string {
  const base = index * 16;
  let text = '';
  for (let i = 0; i < 16; i++) {
    const byte = source[base + i] ?? 0;
    text += HEX_DIGITS.charAt(byte >> 4) + HEX_DIGITS.charAt(byte & 15);
  }
  return text;
}
