/**
 * A preview's rows in the background's memory, column by column, so a million rows fit in a
 * couple of hundred MB instead of a million nested objects: keys as strings, numbers in typed
 * arrays, MD5s and ETags packed as 16 bytes, repeated texts (reasons) interned, and the rare
 * fields (conflict outcomes, look-alikes, odd timestamps or ETags) in sparse maps. Rows are
 * rebuilt on demand for one page of the popup's list or one part of an export.
 *
 * Filters (class, case-insensitive key search, "at risk" per policy) produce an index array that
 * is cached, and a search that extends the previous one (the user typing) narrows that array
 * instead of scanning every key again.
 */
import type { ConflictOutcome, DiffClass, DiffRow } from '../../../shared/diff/diff-inventories.ts';
import { DIFF_CLASSES } from '../../../shared/diff/diff-inventories.ts';
import { copyInto, SideColumns, type SideSnapshot } from './preview-row-columns.ts';

/** Longest page `query` returns. */
export const MAX_ROWS_PER_PAGE = 1000;

export type AtRiskPolicy = 'newer-wins' | 'wesendit-wins';

export interface RowFilter {
  readonly classes?: readonly DiffClass[];
  readonly search?: string;
  readonly atRisk?: AtRiskPolicy;
}

export interface RowPage {
  readonly matching: number;
  readonly offset: number;
  readonly rows: readonly DiffRow[];
}

// Risk bits: the bucket's version is lost (or may be) under a policy.
const RISK_NEWER = 1;
const RISK_WESENDIT = 2;

/**
 * A whole row store as plain data: typed arrays, strings and maps, which IndexedDB stores by
 * structured clone in a fraction of the time (and space) a million row objects would take.
 */
export interface PreviewRowsSnapshot {
  readonly count: number;
  readonly keyChars: number;
  readonly keys: readonly string[];
  readonly classes: Uint8Array<ArrayBuffer>;
  readonly risk: Uint8Array<ArrayBuffer>;
  readonly reasons: Uint32Array<ArrayBuffer>;
  readonly reasonTexts: readonly string[];
  readonly bucket: SideSnapshot;
  readonly wesendit: SideSnapshot;
  readonly outcomes: ReadonlyMap<number, ConflictOutcome>;
  readonly lookalikes: ReadonlyMap<number, string>;
}


const CLASS_CODE: Readonly<Record<DiffClass, number>> = { 'only-in-bucket': 0, 'only-in-wesendit': 1, same: 2, conflict: 3, unknown: 4 };

/** The bucket's version is lost, or may be (undecided), under the policy. */
function riskOf(outcome: ConflictOutcome | undefined): number {
  if (outcome === undefined) return 0;
  let risk = 0;
  if (outcome.newerWins.winner !== 'bucket') risk |= RISK_NEWER;
  if (outcome.wesenditWins.winner !== 'bucket') risk |= RISK_WESENDIT;
  return risk;
}

export class PreviewRowStore {
  private count = 0;
  private capacity = 0;
  private keyChars = 0;
  private keys: string[] = [];
  private classes = new Uint8Array(0);
  private risk = new Uint8Array(0);
  private reasons = new Uint32Array(0);
  private readonly reasonTexts: string[] = [];
  private readonly reasonIndex = new Map<string, number>();
  private readonly bucket = new SideColumns();
  private readonly wesendit = new SideColumns();
  private readonly outcomes = new Map<number, ConflictOutcome>();
  private readonly lookalikes = new Map<number, string>();
  private cache: { readonly signature: string; readonly classMask: number; readonly atRisk: number; readonly search: string; readonly count: number; readonly index: Uint32Array | undefined } | undefined;

  get length(): number {
    return this.count;
  }

  /** Mean key length in UTF-16 units (0 without rows). */
  get averageKeyLength(): number {
    return this.count === 0 ? 0 : this.keyChars / this.count;
  }

  append(rows: readonly DiffRow[]): void {
    if (this.count + rows.length > this.capacity) this.grow(Math.max(this.count + rows.length, this.capacity * 2, 1024));
    for (const row of rows) {
      const i = this.count++;
      this.keys.push(row.key);
      this.keyChars += row.key.length;
      this.classes[i] = CLASS_CODE[row.class];
      this.reasons[i] = this.intern(row.reason);
      this.bucket.set(i, row.bucket);
      this.wesendit.set(i, row.wesendit);
      if (row.outcome !== undefined) {
        this.outcomes.set(i, row.outcome);
        if (row.class === 'conflict') this.risk[i] = riskOf(row.outcome);
      }
      if (row.lookalikeOf !== undefined) this.lookalikes.set(i, row.lookalikeOf);
    }
    // A cached filter stays valid for the rows it saw; newer rows are added on the next query.
  }

  /** Row `index` as the host sent it. */
  row(index: number): DiffRow {
    const key = this.keys[index];
    if (key === undefined) throw new RangeError(`No row ${index}.`);
    return {
      key,
      class: DIFF_CLASSES[this.classes[index] ?? 0] ?? 'unknown',
      reason: this.reasonTexts[this.reasons[index] ?? 0] ?? '',
      bucket: this.bucket.get(index, key),
      wesendit: this.wesendit.get(index, key),
      outcome: this.outcomes.get(index),
      lookalikeOf: this.lookalikes.get(index),
    };
  }

  /** Rows `from` to `to` (exclusive), in order. */
  *rows(from = 0, to = this.count): Generator<DiffRow> {
    for (let i = from; i < Math.min(to, this.count); i++) yield this.row(i);
  }

  /** One page of the rows matching `filter`. */
  query(filter: RowFilter, offset: number, limit: number): RowPage {
    const index = this.matching(filter);
    const total = index === undefined ? this.count : index.length;
    const start = Math.max(0, Math.min(offset, total));
    const end = Math.min(total, start + Math.max(0, Math.min(limit, MAX_ROWS_PER_PAGE)));
    const rows: DiffRow[] = [];
    for (let i = start; i < end; i++) rows.push(this.row(index === undefined ? i : (index[i] ?? 0)));
    return { matching: total, offset: start, rows };
  }

  /**
   * Runs the filter scan over a slice of the rows a few times so the JIT has compiled it before
   * the user's first filter over every row (a cold first scan of a million rows costs ~100 ms
   * more). Call once the rows are complete; it changes no state the user sees.
   */
  prepare(): void {
    const sample = Math.min(this.count, 4096);
    if (sample === 0) return;
    const candidates = new Uint32Array(sample);
    for (let i = 0; i < sample; i++) candidates[i] = i;
    for (let round = 0; round < 20; round++) {
      this.scan(candidates, sample, 1 << (round % DIFF_CLASSES.length), round % 3, round % 2 === 0 ? '' : 'a');
    }
  }

  /** The rows as plain data, for keeping a finished preview across a restart of the worker. */
  snapshot(): PreviewRowsSnapshot {
    const count = this.count;
    return {
      count,
      keyChars: this.keyChars,
      keys: this.keys.slice(0, count),
      classes: this.classes.slice(0, count),
      risk: this.risk.slice(0, count),
      reasons: this.reasons.slice(0, count),
      reasonTexts: [...this.reasonTexts],
      bucket: this.bucket.snapshot(count),
      wesendit: this.wesendit.snapshot(count),
      outcomes: new Map(this.outcomes),
      lookalikes: new Map(this.lookalikes),
    };
  }

  /** A store holding the rows of `snapshot`; throws RangeError when its parts do not fit together. */
  static fromSnapshot(snapshot: PreviewRowsSnapshot): PreviewRowStore {
    const { count } = snapshot;
    if (!Number.isSafeInteger(count) || count < 0 || snapshot.keys.length !== count || snapshot.classes.length !== count || snapshot.risk.length !== count || snapshot.reasons.length !== count) {
      throw new RangeError('A saved preview is damaged: its columns do not hold the same number of rows.');
    }
    const store = new PreviewRowStore();
    store.count = count;
    store.capacity = count;
    store.keyChars = snapshot.keyChars;
    store.keys = [...snapshot.keys];
    store.classes = snapshot.classes;
    store.risk = snapshot.risk;
    store.reasons = snapshot.reasons;
    for (const text of snapshot.reasonTexts) store.intern(text);
    store.bucket.restore(snapshot.bucket, count);
    store.wesendit.restore(snapshot.wesendit, count);
    for (const [index, outcome] of snapshot.outcomes) store.outcomes.set(index, outcome);
    for (const [index, text] of snapshot.lookalikes) store.lookalikes.set(index, text);
    return store;
  }

  /** Typed arrays and estimated strings, for the memory figures. */
  approximateBytes(): number {
    let strings = 0;
    for (const key of this.keys) strings += 16 + key.length;
    return this.classes.byteLength + this.risk.byteLength + this.reasons.byteLength + this.bucket.bytes() + this.wesendit.bytes() + strings + this.keys.length * 8;
  }

  /** Indexes of matching rows, or undefined for "every row". */
  private matching(filter: RowFilter): Uint32Array | undefined {
    let classMask = 0;
    for (const name of filter.classes ?? []) classMask |= 1 << CLASS_CODE[name];
    const allClasses = (1 << DIFF_CLASSES.length) - 1;
    if (classMask === allClasses) classMask = 0;
    const atRisk = filter.atRisk === 'newer-wins' ? RISK_NEWER : filter.atRisk === 'wesendit-wins' ? RISK_WESENDIT : 0;
    const search = (filter.search ?? '').toLowerCase();
    if (classMask === 0 && atRisk === 0 && search === '') return undefined;
    const signature = `${classMask}|${atRisk}`;
    const cached = this.cache;
    if (cached !== undefined && cached.signature === signature && cached.search === search && cached.count === this.count) return cached.index;
    let index: Uint32Array;
    if (cached !== undefined && cached.signature === signature && cached.count === this.count && cached.index !== undefined && search.includes(cached.search)) {
      // The user typed more: only the rows that matched before can match now.
      index = this.scan(cached.index, cached.index.length, classMask, atRisk, search);
    } else {
      index = this.scan(undefined, this.count, classMask, atRisk, search);
    }
    this.cache = { signature, classMask, atRisk, search, count: this.count, index };
    return index;
  }

  private scan(candidates: Uint32Array | undefined, total: number, classMask: number, atRisk: number, search: string): Uint32Array {
    const out = new Uint32Array(total);
    let found = 0;
    const { classes, risk, keys } = this;
    // A case-insensitive literal pattern: about twice as fast as lower-casing a million keys, and no copy of them.
    const pattern = new RegExp(search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    for (let n = 0; n < total; n++) {
      const i = candidates === undefined ? n : (candidates[n] ?? 0);
      if (classMask !== 0 && (classMask & (1 << (classes[i] ?? 0))) === 0) continue;
      if (atRisk !== 0 && ((risk[i] ?? 0) & atRisk) === 0) continue;
      if (search !== '') {
        if (!pattern.test(keys[i] ?? '')) continue;
      }
      out[found++] = i;
    }
    return out.slice(0, found);
  }

  private intern(text: string): number {
    let index = this.reasonIndex.get(text);
    if (index === undefined) {
      index = this.reasonTexts.length;
      this.reasonTexts.push(text);
      this.reasonIndex.set(text, index);
    }
    return index;
  }

  private grow(capacity: number): void {
    this.classes = copyInto(new Uint8Array(capacity), this.classes);
    this.risk = copyInto(new Uint8Array(capacity), this.risk);
    this.reasons = copyInto(new Uint32Array(capacity), this.reasons);
    this.bucket.grow(capacity);
    this.wesendit.grow(capacity);
    this.capacity = capacity;
  }
}
