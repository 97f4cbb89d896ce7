/**
 * The key-range planner of `listBucketObjects`, apart from the SDK so it can be tested alone: the
 * key space is cut into disjoint ranges listed in parallel; the plan says what each range asks
 * for next (`Prefix`, `StartAfter`, continuation token), which keys of a page belong to it, and
 * where ranges split: at points guessed from a page (`splitPointsAfterPage`) and at folders a
 * delimiter probe names. Ranges stay disjoint and together hold every key after the start, so a
 * wrong guess costs a short request, never a key missed or listed twice.
 */
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { listingFault } from './listing-faults.ts';
import { commonPrefixLength, splitPointsAfterPage } from './split-points-after-page.ts';

/**
 * A disjoint slice of the key space: keys k with `after < k ≤ until` (each bound optional; a
 * range starting at a folder includes the folder's own key, `after ≤ k`, and the range before it
 * then ends below it, `k < until`). Slices are kept in key order in a linked list; only the
 * head's entries are emitted.
 */
export interface KeyRange {
  readonly after: string | undefined;
  until: string | undefined;
  /** `after` itself belongs to this range (a folder found by a probe, listed from its own key). */
  readonly afterInclusive: boolean;
  /** `until` itself belongs to the next range. */
  untilExclusive: boolean;
  /**
   * Every key of the range starts with this, so it is sent as `Prefix`, and a page that is not
   * truncated ends the range: the server stops at the folder's end instead of returning a page
   * of keys beyond it that would be dropped.
   */
  prefix: string | undefined;
  /**
   * A folder listed first with `Prefix` (from its own key, which `StartAfter` could not include);
   * the rest of the range follows with `StartAfter`.
   */
  folderFirst: string | undefined;
  /** `Prefix` of the request that gave `token` (a token continues the same request). */
  tokenPrefix: string | undefined;
  /** Last key accepted into this range: the resume point after a failure. */
  lastKey: string | undefined;
  /** Continuation token of the next page; undefined: start (again) after `lastKey ?? after`. */
  token: string | undefined;
  /** Pages of the range's keys not yet emitted (the fetch loop's; the plan never reads it). */
  readonly buffer: InventoryEntry[][];
  started: boolean;
  /** No key of the range is left to ask for. */
  done: boolean;
  /** A page of the range is being fetched: folders that would split it wait until it is in. */
  inFlight: boolean;
  /** Failed attempts at the range's current page (the fetch loop's retry count). */
  failures: number;
  /** Full pages received: a range is split by guessed characters only once it proved long. */
  fullPages: number;
  next: KeyRange | undefined;
}

function newRange(after: string | undefined, until: string | undefined, next: KeyRange | undefined, bounds: Partial<Pick<KeyRange, 'afterInclusive' | 'untilExclusive' | 'prefix' | 'folderFirst'>> = {}): KeyRange {
  return {
    after,
    until,
    afterInclusive: bounds.afterInclusive ?? false,
    untilExclusive: bounds.untilExclusive ?? false,
    prefix: bounds.prefix,
    folderFirst: bounds.folderFirst,
    tokenPrefix: undefined,
    lastKey: undefined,
    token: undefined,
    buffer: [],
    started: false,
    done: false,
    inFlight: false,
    failures: 0,
    fullPages: 0,
    next,
  };
}

/** The longer of two prefixes of the same key (one is a prefix of the other), or either one. */
function longerPrefix(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.length >= b.length ? a : b;
}

/** Is the key past the range's upper bound? */
function isPastUntil(key: string, range: KeyRange): boolean {
  if (range.until === undefined) return false;
  const order = compareS3Keys(key, range.until);
  return range.untilExclusive ? order >= 0 : order > 0;
}

/** Ranges and folder probes per listing, at most: memory and requests stay bounded whatever the bucket. */
const MAX_RANGES = 20_000;
const MAX_PROBES = 5_000;

/** The request for a range's next page. */
export interface RangeRequest {
  /** `Prefix`; sent only when not empty. */
  readonly prefix: string | undefined;
  /** `ContinuationToken`: the next page of the range's running request. */
  readonly continuationToken: string | undefined;
  /** `StartAfter`, when there is no token. */
  readonly startAfter: string | undefined;
  /** The range's upper bound: keys past it are dropped, so the page need not be read beyond it. */
  readonly until: string | undefined;
}

/**
 * The folders to probe around a page of keys, in order: every folder above the one the page lies
 * in, the root, and the page's folder itself when the page shows it has subfolders.
 */
export function foldersAround(keys: readonly string[]): string[] {
  const first = keys[0] ?? '';
  const last = keys[keys.length - 1] ?? '';
  const common = first.slice(0, commonPrefixLength(first, last));
  const folder = common.slice(0, common.lastIndexOf('/') + 1);
  const folders: string[] = [];
  for (let cut = folder.indexOf('/'); cut !== -1 && cut < folder.length - 1; cut = folder.indexOf('/', cut + 1)) folders.push(folder.slice(0, cut + 1));
  folders.push('');
  if (folder !== '' && keys.some((key) => key.indexOf('/', folder.length) !== -1)) folders.push(folder);
  return folders;
}

export interface KeyRangePlanOptions {
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** List only keys after this one (exclusive). */
  readonly startAfter?: string;
  /** Requests in flight at once: bounds how many ranges a split adds. */
  readonly concurrency: number;
  /** MaxKeys per request. */
  readonly pageSize: number;
}

interface DeferredFolders {
  readonly points: readonly string[];
  readonly complete: boolean;
  readonly files: readonly string[];
  readonly pending: ReadonlySet<number>;
}

/**
 * The ranges of one listing, in key order as a linked list from `head`. The fetch loop asks
 * `nextRequest` for a range, hands the page to `acceptPage`, and emits the head's entries only;
 * `beginRequest`/`endRequest` bracket every request so folders never split a range mid-page.
 */
export class KeyRangePlan {
  private first: KeyRange | undefined;
  private readonly prefix: string | undefined;
  private readonly concurrency: number;
  private readonly pageSize: number;
  /** Ranges created and not started yet: a split adds no more than the request slots can take. */
  private notStarted = 1;
  private rangeCount = 1;
  private readonly probed = new Set<string>();
  private readonly deferredSplits: DeferredFolders[] = [];

  constructor(options: KeyRangePlanOptions) {
    this.prefix = options.prefix;
    this.concurrency = options.concurrency;
    this.pageSize = options.pageSize;
    this.first = newRange(options.startAfter, undefined, undefined);
  }

  /** The first unfinished range: the only one whose entries may be emitted. */
  get head(): KeyRange | undefined {
    return this.first;
  }

  /** The head is done and drained: the next range becomes the head. */
  advanceHead(): void {
    this.first = this.first?.next;
  }

  /** A request of the range is about to be sent. */
  beginRequest(target: KeyRange): void {
    if (!target.started) {
      target.started = true;
      this.notStarted--;
    }
    target.inFlight = true;
  }

  /** The range's request has ended (page taken or failed): folders that waited for it are placed now, before its next page is asked for. */
  endRequest(target: KeyRange): void {
    target.inFlight = false;
    for (const deferred of this.deferredSplits.splice(0)) this.placeFolders(deferred.points, deferred.complete, deferred.files, deferred.pending);
  }

  /** What to ask for the range's next page. */
  nextRequest(target: KeyRange): RangeRequest {
    // A token continues a range; after a failure it restarts after its last accepted key.
    const floor = target.lastKey ?? target.after;
    // A folder's range starts at the folder's own key: only a Prefix request can include it.
    const fromFloor = target.lastKey === undefined && target.afterInclusive && (target.folderFirst !== undefined || target.prefix === target.after);
    let requestPrefix: string | undefined;
    if (target.token !== undefined) requestPrefix = target.tokenPrefix;
    else if (target.folderFirst !== undefined) requestPrefix = target.folderFirst;
    else {
      // Keys between two bounds share the bounds' common prefix: let the server stop there.
      const shared = floor !== undefined && target.until !== undefined ? floor.slice(0, commonPrefixLength(floor, target.until)) : undefined;
      requestPrefix = longerPrefix(longerPrefix(this.prefix || undefined, target.prefix), shared || undefined);
    }
    target.tokenPrefix = requestPrefix;
    return {
      prefix: requestPrefix,
      continuationToken: target.token,
      startAfter: target.token === undefined && floor !== undefined && !fromFloor ? floor : undefined,
      until: target.until,
    };
  }

  /**
   * Takes the page answering `request`: keeps the keys that belong to the range (above what it
   * holds, up to its bound; the first key past the bound ends it), then notes how the range goes
   * on: with `nextToken`, after the folder it listed first, or not at all.
   *
   * The page is checked before anything is taken from it, so a refused page leaves the range as
   * it was: every key must come after the one before it (the first after what the range holds),
   * and a page that says more keys follow must give the token to ask for them.
   *
   * @param nextToken the page's continuation token when it is truncated, else undefined.
   * @param truncated the page says more keys follow (`IsTruncated`).
   * @returns the range's new keys, in order.
   * @throws ConnectGuardError `SERVER_FAULT` for a page that breaks those rules.
   */
  acceptPage(target: KeyRange, request: RangeRequest, listed: readonly InventoryEntry[], nextToken: string | undefined, truncated = nextToken !== undefined): InventoryEntry[] {
    let lower = target.lastKey ?? target.after;
    let lowerIncluded = target.lastKey === undefined && target.afterInclusive;
    let endsRange = false;
    for (const entry of listed) {
      if (lower !== undefined) {
        const order = compareS3Keys(entry.key, lower);
        if (order < 0 || (order === 0 && !lowerIncluded)) {
          throw listingFault(`listed ${JSON.stringify(entry.key)}, which is not after ${JSON.stringify(lower)}: keys must come in S3 order (UTF-8 bytes), each once`);
        }
      }
      lower = entry.key;
      lowerIncluded = false;
      endsRange ||= isPastUntil(entry.key, target);
    }
    if (truncated && nextToken === undefined && !endsRange) {
      throw listingFault('sent a listing page that says more keys follow (IsTruncated) but has no continuation token to ask for them, so the rest of the bucket cannot be listed');
    }
    target.token = nextToken;
    const entries: InventoryEntry[] = [];
    for (const entry of listed) {
      if (isPastUntil(entry.key, target)) {
        target.done = true;
        break;
      }
      entries.push(entry);
      target.lastKey = entry.key;
    }
    if (nextToken === undefined) {
      // The folder is listed; the rest of the range (if any) follows after its last key.
      if (request.prefix !== undefined && request.prefix === target.folderFirst && target.folderFirst !== target.prefix) target.folderFirst = undefined;
      else target.done = true;
    }
    return entries;
  }

  /** A request of the range failed: its next one starts after the last accepted key. */
  pageFailed(target: KeyRange): void {
    target.token = undefined;
  }

  /**
   * A page of these keys (at least two) did not end the range. From its second such page on the
   * range has proved long, and is split at points guessed from the page.
   */
  pageListed(target: KeyRange, keys: readonly string[]): void {
    target.fullPages++;
    if (target.fullPages >= 2) this.split(target, keys);
  }

  /**
   * The `Prefix` of a delimiter probe of this folder, or undefined when the folder was probed
   * already or the probes are spent.
   */
  claimProbe(folder: string): string | undefined {
    if (this.probed.has(folder) || this.probed.size >= MAX_PROBES) return undefined;
    this.probed.add(folder);
    return this.prefix !== undefined && folder.length < this.prefix.length ? this.prefix : folder;
  }

  /**
   * A probe's answer: the folders it named (its common prefixes) each start a range. `complete`:
   * the probe listed the whole folder, and `files` are the keys it named besides the folders.
   */
  addFolders(folders: readonly string[], complete: boolean, files: readonly string[]): void {
    this.placeFolders([...folders].sort(compareS3Keys), complete, files);
  }

  private split(target: KeyRange, keys: readonly string[]): void {
    const { concurrency } = this;
    const budget = Math.min(concurrency * 2, concurrency * 3 - this.notStarted);
    if (budget <= 0) return;
    const points = splitPointsAfterPage(keys, target.until, budget, this.pageSize);
    if (points.length === 0) return;
    // (lastKey, p1] stays with the running range; (p1, p2], …, (pn, until] are new. A prefix
    // every key of the range starts with holds for each part of it.
    let tail = target.next;
    for (let i = points.length - 1; i >= 0; i--) {
      const last = i + 1 === points.length;
      tail = newRange(points[i], last ? target.until : points[i + 1], tail, { untilExclusive: last && target.untilExclusive, prefix: target.prefix });
      this.notStarted++;
    }
    this.rangeCount += points.length;
    target.until = points[0];
    target.untilExclusive = false;
    target.next = tail;
  }

  /**
   * Splits whichever unfinished ranges contain these folders (sorted common prefixes of one
   * delimiter listing), each new range starting at its folder's own key. When that listing was
   * complete, a folder followed by the next one with no file of the listed folder between them
   * holds every key up to the next folder: its range is bounded by the folder as a prefix.
   *
   * A range with a page in flight is split when that page is in: the page would most often
   * reach past the new bound, and the server's work and ours on its keys beyond it would be
   * wasted. `pending` names the folders (by index) still to be placed.
   */
  private placeFolders(points: readonly string[], complete: boolean, files: readonly string[], pending?: ReadonlySet<number>): void {
    let target: KeyRange | undefined = this.first;
    let fileIndex = 0;
    const later = new Set<number>();
    for (let index = 0; index < points.length; index++) {
      const point = points[index] ?? '';
      if (pending && !pending.has(index)) continue;
      // The range whose upper bound is at or above the point.
      while (target && target.until !== undefined && compareS3Keys(point, target.until) >= 0) target = target.next;
      if (!target) break;
      const lower = target.lastKey ?? target.after;
      if (target.done || (lower !== undefined && compareS3Keys(point, lower) <= 0)) continue;
      if (target.inFlight) {
        later.add(index);
        continue;
      }
      if (this.rangeCount >= MAX_RANGES) break;
      // The new range holds only keys the split one held: a prefix valid there is valid here.
      const created = newRange(point, target.until, target.next, { afterInclusive: true, untilExclusive: target.untilExclusive, prefix: target.prefix, folderFirst: point });
      const folderBefore = index > 0 ? points[index - 1] : undefined;
      if (complete && folderBefore !== undefined && lower !== undefined && compareS3Keys(lower, folderBefore) >= 0) {
        // What is left of the split range lies between the previous folder and this one: with no
        // file of the listed folder between them, it is all inside the previous folder.
        while (fileIndex < files.length && compareS3Keys(files[fileIndex] ?? '', folderBefore) < 0) fileIndex++;
        const between = fileIndex < files.length && compareS3Keys(files[fileIndex] ?? '', point) < 0;
        if (!between && (target.prefix === undefined || target.prefix.length < folderBefore.length)) {
          target.prefix = folderBefore;
          if (target.folderFirst !== undefined && folderBefore.startsWith(target.folderFirst)) target.folderFirst = undefined;
          // The next page is asked with the new prefix rather than continuing the old request.
          target.token = undefined;
        }
      }
      target.until = point;
      target.untilExclusive = true;
      target.next = created;
      this.notStarted++;
      this.rangeCount++;
      target = created;
    }
    if (later.size > 0) this.deferredSplits.push({ points, complete, files, pending: later });
  }
}
