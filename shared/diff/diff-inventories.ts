import { ConnectGuardError } from '../errors.ts';
import type { InventoryEntry } from '../inventory.ts';
import { compareS3Keys } from '../s3-key-order.ts';
import { compareEntryContent } from './compare-entry-content.ts';
import { formatBytes } from './format-bytes.ts';
import { LookalikeIndex } from './lookalike-index.ts';

/**
 * What connecting will do with one key (seed §5):
 * - `only-in-bucket`: will appear in WeSendit
 * - `only-in-wesendit`: will be written to the bucket
 * - `same`: same content, no change
 * - `conflict`: different content, one side may be overwritten
 * - `unknown`: same key, content equality cannot be proven either way
 */
export type DiffClass = 'only-in-bucket' | 'only-in-wesendit' | 'same' | 'conflict' | 'unknown';

export const DIFF_CLASSES: readonly DiffClass[] = ['only-in-bucket', 'only-in-wesendit', 'same', 'conflict', 'unknown'];

export type DiffSide = 'bucket' | 'wesendit';

/** The predicted result of one overwrite policy for a key present on both sides. */
export interface PolicyOutcome {
  /**
   * The version that stays: a side, `tie` (same modification time: not predictable) or
   * `unknown` (a modification time is missing).
   */
  readonly winner: DiffSide | 'tie' | 'unknown';
  /** Plain words: why that side wins. */
  readonly reason: string;
  /** Plain words: what the losing side loses. */
  readonly loss: string;
  /** Bytes of the version that would be lost; the larger version when the winner is undecided. */
  readonly bytesAtRisk: number;
}

/** Seed §6: "the newer version or the one from WeSendit may overwrite the other". */
export interface ConflictOutcome {
  readonly newerWins: PolicyOutcome;
  readonly wesenditWins: PolicyOutcome;
}

/** One key of the merged listing. */
export interface DiffRow {
  readonly key: string;
  readonly class: DiffClass;
  /** Plain words: why this class ("MD5 equal", "sizes differ (1.2 MB vs 800 KB)", …). */
  readonly reason: string;
  readonly bucket: InventoryEntry | undefined;
  readonly wesendit: InventoryEntry | undefined;
  /** Set on `conflict` and `unknown` rows (an unknown may turn out to be a conflict). */
  readonly outcome: ConflictOutcome | undefined;
  /**
   * An earlier key (in S3 order) that differs from this one only by letter case or Unicode
   * normalisation: the two collide on case-insensitive or normalising file systems and UIs.
   */
  readonly lookalikeOf: string | undefined;
}

export interface DiffOptions {
  /** Flag case-only and NFC/NFD twins (default true). Costs one Map entry per distinct key. */
  readonly lookalikes?: boolean;
  /** Rows per batch from `diffInventoryBatches` (default 1024). */
  readonly batchSize?: number;
}

/**
 * An inventory stream: entries in S3 key order, one at a time or in arrays (arrays avoid one
 * promise per entry for large inputs; both may be mixed).
 */
export type InventorySource = AsyncIterable<InventoryEntry | readonly InventoryEntry[]> | Iterable<InventoryEntry>;

// UTF-16 order (JavaScript's `<`, a native memcmp for most strings) equals S3's UTF-8 byte
// order unless a surrogate meets a character in U+E000–U+FFFF at the first difference.
const NEEDS_CODE_POINT_ORDER = /[\uD800-\uFFFF]/;

/**
 * compareS3Keys, with a fast path for keys that JavaScript's own comparison orders the same
 * (`plain`: no character at or above U+D800, checked once per entry).
 */
function compareKeys(a: string, aPlain: boolean, b: string, bPlain: boolean): number {
  if (!aPlain || !bPlain) return compareS3Keys(a, b);
  return a === b ? 0 : a < b ? -1 : 1;
}

const SIDE_LABEL: Record<DiffSide, string> = { bucket: 'bucket inventory', wesendit: 'WeSendit inventory' };

/** Pulls entries from a source, checking S3 order and uniqueness as it goes. */
class SortedCursor {
  private buffer: readonly InventoryEntry[] = [];
  private index = 0;
  private finished = false;
  private previousKey: string | undefined;
  private previousPlain = true;
  private position = 0;
  /** Whether the head entry's key is plain; valid while `plainPosition === position`. */
  private plain = true;
  private plainPosition = -1;
  private readonly iterator: AsyncIterator<InventoryEntry | readonly InventoryEntry[]> | Iterator<InventoryEntry>;

  constructor(
    source: InventorySource,
    private readonly side: DiffSide,
  ) {
    this.iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  /** True when `peek()` has an entry; false at the end. Awaits only when the buffer is empty. */
  async fill(): Promise<boolean> {
    while (this.index >= this.buffer.length) {
      if (this.finished) return false;
      const result = await this.iterator.next();
      if (result.done) {
        this.finished = true;
        this.buffer = [];
        this.index = 0;
        return false;
      }
      const value: InventoryEntry | readonly InventoryEntry[] = result.value;
      this.buffer = isBatch(value) ? value : [value];
      this.index = 0;
    }
    return true;
  }

  get available(): boolean {
    return this.index < this.buffer.length;
  }

  get done(): boolean {
    return this.finished && this.index >= this.buffer.length;
  }

  peek(): InventoryEntry {
    const entry = this.buffer[this.index];
    if (entry === undefined) throw new ConnectGuardError('INTERNAL', 'Inventory cursor read past its buffer.');
    return entry;
  }

  /** Whether the head's key can be ordered with JavaScript's own comparison. */
  headPlain(): boolean {
    if (this.plainPosition !== this.position) {
      this.plain = !NEEDS_CODE_POINT_ORDER.test(this.peek().key);
      this.plainPosition = this.position;
    }
    return this.plain;
  }

  /** Consumes the current entry after checking it sorts after the previous one. */
  take(): InventoryEntry {
    const plain = this.headPlain();
    const entry = this.peek();
    this.index++;
    this.position++;
    const previous = this.previousKey;
    if (previous !== undefined) {
      const order = compareKeys(previous, this.previousPlain, entry.key, plain);
      if (order >= 0) {
        const label = SIDE_LABEL[this.side];
        if (order === 0) {
          throw new ConnectGuardError(
            'INVALID_INPUT',
            `The ${label} lists the key ${JSON.stringify(entry.key)} twice (entry ${this.position}). Each key may appear once; remove the duplicate.`,
          );
        }
        throw new ConnectGuardError(
          'INVALID_INPUT',
          `The ${label} is not in S3 key order: ${JSON.stringify(entry.key)} (entry ${this.position}) comes after ${JSON.stringify(previous)}. ` +
            'Sort it by UTF-8 bytes (S3 order), or read it with readManifest, which sorts.',
        );
      }
    }
    this.previousKey = entry.key;
    this.previousPlain = plain;
    return entry;
  }
}

function isBatch(value: InventoryEntry | readonly InventoryEntry[]): value is readonly InventoryEntry[] {
  return Array.isArray(value);
}

/** ISO 8601 UTC as S3 and most tools write it; read without `Date` for speed. */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d+))?Z$/;

interface Moment {
  readonly time: number;
  /** `2024-03-01` */
  readonly day: string;
  /** `2024-03-01T10:00:00Z` (milliseconds only when not zero) */
  readonly instant: string;
}

function parseMoment(value: string | undefined): Moment | undefined {
  if (value === undefined || value === '') return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return undefined;
  const match = ISO_UTC.exec(value);
  if (match) {
    const fraction = match[1];
    const instant = fraction !== undefined && /^0+$/.test(fraction) ? `${value.slice(0, 19)}Z` : value;
    return { time, day: value.slice(0, 10), instant };
  }
  const iso = new Date(time).toISOString();
  return { time, day: iso.slice(0, 10), instant: iso.replace('.000Z', 'Z') };
}

function describeVersion(side: DiffSide, entry: InventoryEntry, moment: Moment | undefined, sameDay: boolean): string {
  const owner = side === 'bucket' ? "the bucket's" : "WeSendit's";
  const when = moment === undefined ? '' : `${sameDay ? moment.instant : moment.day} `;
  return `${owner} ${when}version (${formatBytes(entry.size)})`;
}

function lossOf(side: DiffSide, entry: InventoryEntry, moment: Moment | undefined, sameDay: boolean): string {
  const where = side === 'wesendit' ? ' by the bucket version' : '';
  return `${describeVersion(side, entry, moment, sameDay)} is overwritten${where}`;
}

/** Predicts both overwrite policies for a key present on both sides. */
export function predictOutcome(bucket: InventoryEntry, wesendit: InventoryEntry): ConflictOutcome {
  const bucketTime = parseMoment(bucket.lastModified);
  const wesenditTime = parseMoment(wesendit.lastModified);
  const sameDay = bucketTime !== undefined && wesenditTime !== undefined && bucketTime.day === wesenditTime.day;
  const bucketLoss = lossOf('bucket', bucket, bucketTime, sameDay);
  const wesenditLoss = lossOf('wesendit', wesendit, wesenditTime, sameDay);
  const larger = Math.max(bucket.size, wesendit.size);

  let newerWins: PolicyOutcome;
  if (bucketTime === undefined || wesenditTime === undefined) {
    const missing =
      bucketTime === undefined && wesenditTime === undefined
        ? 'neither side has a modification time'
        : `${bucketTime === undefined ? 'the bucket' : 'the WeSendit side'} has no modification time`;
    newerWins = {
      winner: 'unknown',
      reason: `cannot tell which is newer: ${missing}`,
      loss: `either ${bucketLoss} or ${wesenditLoss}`,
      bytesAtRisk: larger,
    };
  } else if (bucketTime.time === wesenditTime.time) {
    newerWins = {
      winner: 'tie',
      reason: `both modified at ${bucketTime.instant}: which one wins is not predictable`,
      loss: `either ${bucketLoss} or ${wesenditLoss}`,
      bytesAtRisk: larger,
    };
  } else if (bucketTime.time > wesenditTime.time) {
    newerWins = {
      winner: 'bucket',
      reason: `the bucket's version is newer (${bucketTime.instant} vs ${wesenditTime.instant})`,
      loss: wesenditLoss,
      bytesAtRisk: wesendit.size,
    };
  } else {
    newerWins = {
      winner: 'wesendit',
      reason: `WeSendit's version is newer (${wesenditTime.instant} vs ${bucketTime.instant})`,
      loss: bucketLoss,
      bytesAtRisk: bucket.size,
    };
  }
  const wesenditWins: PolicyOutcome = {
    winner: 'wesendit',
    reason: "WeSendit's version always wins",
    loss: bucketLoss,
    bytesAtRisk: bucket.size,
  };
  return { newerWins, wesenditWins };
}

const ONLY_IN_BUCKET_REASON = 'only in the bucket: will appear in WeSendit';
const ONLY_IN_WESENDIT_REASON = 'only in WeSendit: will be written to the bucket';

/**
 * Merges two inventories in S3 key order into rows, in batches. Both inputs must be sorted by
 * `compareS3Keys` (UTF-8 byte order) without duplicate keys; otherwise a ConnectGuardError
 * (`INVALID_INPUT`) names the offending key. Memory: the current batch plus, with look-alike
 * detection on, one Map entry per distinct key.
 */
export async function* diffInventoryBatches(
  bucket: InventorySource,
  wesendit: InventorySource,
  options: DiffOptions = {},
): AsyncGenerator<DiffRow[], void, undefined> {
  const batchSize = Math.max(1, options.batchSize ?? 1024);
  const lookalikes = options.lookalikes === false ? undefined : new LookalikeIndex();
  const left = new SortedCursor(bucket, 'bucket');
  const right = new SortedCursor(wesendit, 'wesendit');
  let rows: DiffRow[] = [];

  for (;;) {
    if (!left.available && !left.done) await left.fill();
    if (!right.available && !right.done) await right.fill();
    const hasLeft = left.available;
    const hasRight = right.available;
    if (!hasLeft && !hasRight) break;

    let order: number;
    if (!hasLeft) order = 1;
    else if (!hasRight) order = -1;
    else order = compareKeys(left.peek().key, left.headPlain(), right.peek().key, right.headPlain());

    let row: DiffRow;
    if (order < 0) {
      const entry = left.take();
      row = {
        key: entry.key,
        class: 'only-in-bucket',
        reason: ONLY_IN_BUCKET_REASON,
        bucket: entry,
        wesendit: undefined,
        outcome: undefined,
        lookalikeOf: lookalikes?.check(entry.key),
      };
    } else if (order > 0) {
      const entry = right.take();
      row = {
        key: entry.key,
        class: 'only-in-wesendit',
        reason: ONLY_IN_WESENDIT_REASON,
        bucket: undefined,
        wesendit: entry,
        outcome: undefined,
        lookalikeOf: lookalikes?.check(entry.key),
      };
    } else {
      const bucketEntry = left.take();
      const wesenditEntry = right.take();
      const comparison = compareEntryContent(bucketEntry, wesenditEntry);
      row = {
        key: bucketEntry.key,
        class: comparison.verdict,
        reason: comparison.reason,
        bucket: bucketEntry,
        wesendit: wesenditEntry,
        outcome: comparison.verdict === 'same' ? undefined : predictOutcome(bucketEntry, wesenditEntry),
        lookalikeOf: lookalikes?.check(bucketEntry.key),
      };
    }
    rows.push(row);
    if (rows.length >= batchSize) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length > 0) yield rows;
}

/**
 * Merges two inventories in S3 key order, one row per distinct key. See `diffInventoryBatches`
 * for the contract; that variant is faster for millions of rows.
 */
export async function* diffInventories(
  bucket: InventorySource,
  wesendit: InventorySource,
  options: DiffOptions = {},
): AsyncGenerator<DiffRow, void, undefined> {
  for await (const batch of diffInventoryBatches(bucket, wesendit, options)) {
    for (const row of batch) yield row;
  }
}
