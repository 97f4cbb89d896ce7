import { describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { KeyRangePlan, foldersAround, type KeyRange, type KeyRangePlanOptions, type RangeRequest } from './key-range-plan.ts';

function entries(...keys: string[]): InventoryEntry[] {
  return keys.map((key) => ({ key, size: 1 }));
}

/** The ranges from the head on. */
function ranges(plan: KeyRangePlan): KeyRange[] {
  const list: KeyRange[] = [];
  for (let range = plan.head; range; range = range.next) list.push(range);
  return list;
}

/**
 * Each range ends where the next begins, the bound belonging to exactly one of them, and the
 * last is open-ended. Returns how many ranges there are.
 */
function checkContiguous(plan: KeyRangePlan): number {
  let count = 0;
  for (let range = plan.head; range; range = range.next) {
    count++;
    const next = range.next;
    if (next === undefined) {
      if (range.until !== undefined) throw new Error(`the last range ends at ${JSON.stringify(range.until)}`);
      break;
    }
    if (next.after !== range.until || next.afterInclusive !== range.untilExclusive) {
      throw new Error(`a gap or overlap between ${JSON.stringify([range.after, range.until, range.untilExclusive])} and ${JSON.stringify([next.after, next.afterInclusive])}`);
    }
    if (range.after !== undefined && range.until !== undefined && compareS3Keys(range.after, range.until) >= 0) throw new Error(`an empty range ${JSON.stringify([range.after, range.until])}`);
  }
  return count;
}

function expectContiguous(plan: KeyRangePlan): void {
  expect(() => checkContiguous(plan)).not.toThrow();
}

/** One page of a range, asked for and taken as the fetch loop does; the keys the range accepted. */
function takePage(plan: KeyRangePlan, range: KeyRange, listed: InventoryEntry[], nextToken?: string): string[] {
  plan.beginRequest(range);
  const request = plan.nextRequest(range);
  const accepted = plan.acceptPage(range, request, listed, nextToken).map((entry) => entry.key);
  plan.endRequest(range);
  return accepted;
}

function head(plan: KeyRangePlan): KeyRange {
  const range = plan.head;
  if (!range) throw new Error('the plan has no range');
  return range;
}

describe('KeyRangePlan requests', () => {
  const cases: [string, Omit<KeyRangePlanOptions, 'concurrency' | 'pageSize'>, Partial<RangeRequest>][] = [
    ['the whole bucket', {}, {}],
    ['after a resume point', { startAfter: 'photos/b.jpg' }, { startAfter: 'photos/b.jpg' }],
    ['under the listing prefix', { prefix: 'photos/' }, { prefix: 'photos/' }],
    ['under the prefix, after a resume point', { prefix: 'photos/', startAfter: 'photos/b.jpg' }, { prefix: 'photos/', startAfter: 'photos/b.jpg' }],
  ];
  it.each(cases)('asks first for %s', (_, options, expected) => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 1000, ...options });
    expect(plan.nextRequest(head(plan))).toEqual({ prefix: undefined, continuationToken: undefined, startAfter: undefined, until: undefined, ...expected });
  });

  it('continues a page with its token and prefix, and ends the range on a page without one', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 2, prefix: 'p/' });
    const range = head(plan);
    expect(takePage(plan, range, entries('p/a', 'p/b'), 'token-1')).toEqual(['p/a', 'p/b']);
    expect(plan.nextRequest(range)).toEqual({ prefix: 'p/', continuationToken: 'token-1', startAfter: undefined, until: undefined });
    expect(takePage(plan, range, entries('p/c'))).toEqual(['p/c']);
    expect(range.done).toBe(true);
  });

  it('refuses a page with a key the range already holds or one out of order, as the server\'s fault, and takes nothing from it', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 3, startAfter: 'b' });
    const range = head(plan);
    expect(() => takePage(plan, range, entries('a', 'c', 'd'), 'token-1')).toThrow(expect.objectContaining({ code: 'SERVER_FAULT', message: expect.stringMatching(/listed "a", which is not after "b"/) }));
    expect(takePage(plan, range, entries('c', 'd'), 'token-1')).toEqual(['c', 'd']);
    // A repeated page, and a page in the wrong order: refused whole, the range still ends at "d".
    expect(() => takePage(plan, range, entries('d', 'e'), 'token-2')).toThrow(/listed "d", which is not after "d"/);
    expect(() => takePage(plan, range, entries('e', 'g', 'f'), 'token-2')).toThrow(/listed "f", which is not after "g"/);
    expect([range.lastKey, range.token]).toEqual(['d', 'token-1']);
    expect(takePage(plan, range, entries('e', 'f'), 'token-2')).toEqual(['e', 'f']);
  });

  it('refuses a page that says more keys follow but gives no token, unless the range ends on it', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 2 });
    const range = head(plan);
    plan.beginRequest(range);
    const request = plan.nextRequest(range);
    expect(() => plan.acceptPage(range, request, entries('a', 'b'), undefined, true)).toThrow(expect.objectContaining({ code: 'SERVER_FAULT', message: expect.stringMatching(/more keys follow \(IsTruncated\) but has no continuation token/) }));
    expect(range.done).toBe(false);
    range.until = 'a';
    expect(plan.acceptPage(range, request, entries('a', 'b'), undefined, true).map((entry) => entry.key)).toEqual(['a']);
    expect(range.done).toBe(true);
  });

  it('starts again after the last accepted key when a page fails', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 2 });
    const range = head(plan);
    takePage(plan, range, entries('a', 'b'), 'token-1');
    plan.pageFailed(range);
    expect(plan.nextRequest(range)).toEqual({ prefix: undefined, continuationToken: undefined, startAfter: 'b', until: undefined });
  });
});

describe('KeyRangePlan folders', () => {
  it('starts a range at a probed folder, listed from its own key by Prefix, then after it', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 1000 });
    plan.addFolders(['m/'], false, []);
    expectContiguous(plan);
    const [first, folder] = ranges(plan);
    if (!first || !folder) throw new Error('expected two ranges');
    expect(first).toMatchObject({ until: 'm/', untilExclusive: true });
    expect(plan.nextRequest(folder)).toEqual({ prefix: 'm/', continuationToken: undefined, startAfter: undefined, until: undefined });
    expect(takePage(plan, folder, entries('m/', 'm/1'))).toEqual(['m/', 'm/1']);
    expect(folder.done).toBe(false);
    expect(plan.nextRequest(folder)).toEqual({ prefix: undefined, continuationToken: undefined, startAfter: 'm/1', until: undefined });
    // The first range stops below the folder's key: it belongs to the folder's range.
    expect(takePage(plan, first, entries('a', 'm/', 'm/1'))).toEqual(['a']);
    expect(first.done).toBe(true);
  });

  it('waits with a split until the page of the range in flight is in', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 1000 });
    const range = head(plan);
    plan.beginRequest(range);
    plan.addFolders(['m/'], false, []);
    expect(ranges(plan)).toHaveLength(1);
    plan.endRequest(range);
    expect(ranges(plan).map((each) => each.after)).toEqual([undefined, 'm/']);
  });

  it('ignores folders at or below what a range has listed, and folders named twice', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 2 });
    takePage(plan, head(plan), entries('a', 'k'), 'token-1');
    plan.addFolders(['b/', 'k'], false, []);
    plan.addFolders(['m/', 'm/'], false, []);
    expect(ranges(plan).map((each) => each.after)).toEqual([undefined, 'm/']);
  });

  it.each([
    ['no file between the two folders', [], 'a/'],
    ['a file between them', ['a0'], undefined],
  ])('bounds what is left between two folders of a complete listing by the first folder as Prefix: %s', (_, files, prefix) => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 2 });
    const range = head(plan);
    takePage(plan, range, entries('a/w', 'a/x'), 'token-1');
    plan.addFolders(['b/', 'a/'], true, files);
    expectContiguous(plan);
    expect(range.prefix).toBe(prefix);
    expect(plan.nextRequest(range)).toEqual(
      prefix === undefined ? { prefix: undefined, continuationToken: 'token-1', startAfter: undefined, until: 'b/' } : { prefix: 'a/', continuationToken: undefined, startAfter: 'a/x', until: 'b/' },
    );
  });

  it('probes each folder once, never above the listing prefix', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 1000, prefix: 'photos/2024/' });
    expect(plan.claimProbe('')).toBe('photos/2024/');
    expect(plan.claimProbe('photos/')).toBe('photos/2024/');
    expect(plan.claimProbe('photos/2024/06/')).toBe('photos/2024/06/');
    expect(plan.claimProbe('photos/2024/06/')).toBeUndefined();
  });

  it.each([
    [['a/b/c/1', 'a/b/c/9'], ['a/', 'a/b/', '']],
    [['a/b/c/1/x', 'a/b/c/9'], ['a/', 'a/b/', '', 'a/b/c/']],
    [['x1', 'x9'], ['']],
    [['photos/a.jpg', 'videos/b.mp4'], ['']],
  ])('foldersAround(%j) is %j', (keys, folders) => {
    expect(foldersAround(keys)).toEqual(folders);
  });
});

describe('KeyRangePlan splits', () => {
  const numbered = (from: number, count: number): InventoryEntry[] => entries(...Array.from({ length: count }, (_, i) => `file-${String(from + i).padStart(6, '0')}`));

  it('splits a range only once it proved long, into contiguous ranges within the request slots', () => {
    const plan = new KeyRangePlan({ concurrency: 4, pageSize: 100 });
    const range = head(plan);
    const first = takePage(plan, range, numbered(0, 100), 'token-1');
    plan.pageListed(range, first);
    expect(ranges(plan)).toHaveLength(1);
    const second = takePage(plan, range, numbered(100, 100), 'token-2');
    plan.pageListed(range, second);
    const split = ranges(plan);
    expect(split.length).toBeGreaterThan(1);
    expect(split.length - 1).toBeLessThanOrEqual(4 * 2);
    expectContiguous(plan);
    // The running range keeps its request going up to its new bound.
    expect(plan.nextRequest(range)).toMatchObject({ continuationToken: 'token-2', until: split[1]?.after });
  });
});

// ---------------------------------------------------------------------------------------------
// Exactness: the plan driven as the fetch loop drives it, against an in-memory ListObjectsV2.

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

/** Trees with folders with and without marker keys, names sorting around `/` (`a.x` < `a/` < `a0`), non-ASCII. */
function generateKeys(seed: number): string[] {
  const next = random(seed);
  const names = ['a', 'b', 'a0', 'a.', 'ab', 'x', 'é', '😀', 'z', 'a-', '0', 'photos', 'IMG_'];
  const keys = new Set<string>();
  const grow = (depth: number, folder: string): void => {
    const count = Math.floor(next() * (depth === 0 ? 16 : 10));
    for (let i = 0; i < count; i++) {
      const name = (names[Math.floor(next() * names.length)] ?? 'a') + (next() < 0.5 ? String(Math.floor(next() * 30)) : '');
      const kind = next();
      if (kind < 0.25 && depth < 4) {
        if (next() < 0.5) keys.add(`${folder}${name}/`);
        grow(depth + 1, `${folder}${name}/`);
      } else if (kind < 0.35) {
        const files = Math.floor(next() * 120);
        for (let j = 0; j < files; j++) keys.add(`${folder}${name}/f${String(j).padStart(4, '0')}`);
      } else {
        keys.add(folder + name);
      }
    }
  };
  grow(0, '');
  return [...keys].sort(compareS3Keys);
}

function firstAbove(keys: readonly string[], key: string, inclusive: boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareS3Keys(keys[middle] ?? '', key);
    if (order < 0 || (!inclusive && order === 0)) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface ListRequest {
  readonly prefix?: string | undefined;
  readonly startAfter?: string | undefined;
  readonly token?: string | undefined;
  readonly delimiter?: string;
  readonly maxKeys: number;
}

/** ListObjectsV2 over sorted keys; the token is the position to go on from. */
function listPage(keys: readonly string[], request: ListRequest): { entries: InventoryEntry[]; folders: string[]; nextToken: string | undefined } {
  const prefix = request.prefix ?? '';
  let index = request.token !== undefined ? Number(request.token) : Math.max(request.startAfter === undefined ? 0 : firstAbove(keys, request.startAfter, false), firstAbove(keys, prefix, true));
  const listed: InventoryEntry[] = [];
  const folders: string[] = [];
  while (index < keys.length) {
    const key = keys[index] ?? '';
    if (!key.startsWith(prefix)) break;
    if (listed.length + folders.length >= request.maxKeys) return { entries: listed, folders, nextToken: String(index) };
    const cut = request.delimiter === undefined ? -1 : key.indexOf(request.delimiter, prefix.length);
    if (cut >= 0) {
      const folder = key.slice(0, cut + 1);
      folders.push(folder);
      while (index < keys.length && (keys[index] ?? '').startsWith(folder)) index++;
      continue;
    }
    listed.push({ key, size: 1 });
    index++;
  }
  return { entries: listed, folders, nextToken: undefined };
}

interface Simulation {
  readonly listed: string[];
  readonly mostRanges: number;
  readonly folderSplits: number;
}

/**
 * Drives a plan as `listBucketObjects` does (pages and probes answered in random order, some
 * pages failing and retried) and checks after every step that the ranges stay contiguous.
 */
function simulate(keys: readonly string[], options: KeyRangePlanOptions & { readonly seed: number; readonly probePageSize: number; readonly failureRate: number }): Simulation {
  const next = random(options.seed);
  const plan = new KeyRangePlan(options);
  type Job = { readonly kind: 'page'; readonly range: KeyRange; readonly request: RangeRequest } | { readonly kind: 'probe'; readonly prefix: string };
  const jobs: Job[] = [];
  const listed: string[] = [];
  let inFlight = 0;
  let mostRanges = 1;
  const folderRanges = new Set<KeyRange>();
  const probe = (folder: string): void => {
    const prefix = plan.claimProbe(folder);
    if (prefix !== undefined) jobs.push({ kind: 'probe', prefix });
  };
  probe('');
  for (;;) {
    for (let range = plan.head; range && inFlight < options.concurrency; range = range.next) {
      if (range.done || range.inFlight) continue;
      plan.beginRequest(range);
      inFlight++;
      jobs.push({ kind: 'page', range, request: plan.nextRequest(range) });
    }
    const current = plan.head;
    if (!current) break;
    const batch = current.buffer.shift();
    if (batch) {
      listed.push(...batch.map((entry) => entry.key));
      continue;
    }
    if (current.done && !current.inFlight) {
      plan.advanceHead();
      continue;
    }
    // Probes come back first half the time: they are cheap requests, and race with the pages.
    const probeAt = jobs.findIndex((each) => each.kind === 'probe');
    const [job] = jobs.splice(probeAt !== -1 && next() < 0.5 ? probeAt : Math.floor(next() * jobs.length), 1);
    if (!job) throw new Error('stalled: the head waits and nothing is in flight');
    if (job.kind === 'probe') {
      const page = listPage(keys, { prefix: job.prefix, delimiter: '/', maxKeys: options.probePageSize });
      plan.addFolders(page.folders, page.nextToken === undefined, page.entries.map((entry) => entry.key));
    } else if (next() < options.failureRate) {
      // The fetch loop retries at once, the range still in flight.
      plan.pageFailed(job.range);
      jobs.push({ kind: 'page', range: job.range, request: plan.nextRequest(job.range) });
    } else {
      const { range, request } = job;
      const page = listPage(keys, { prefix: request.prefix, startAfter: request.startAfter, token: request.continuationToken, maxKeys: options.pageSize });
      const accepted = plan.acceptPage(range, request, page.entries, page.nextToken);
      if (accepted.length > 0) range.buffer.push(accepted);
      if (!range.done && accepted.length > 1) {
        const pageKeys = accepted.map((entry) => entry.key);
        for (const folder of foldersAround(pageKeys)) probe(folder);
        plan.pageListed(range, pageKeys);
      }
      inFlight--;
      plan.endRequest(range);
    }
    mostRanges = Math.max(mostRanges, checkContiguous(plan));
    // Only a folder starts a range that includes its lower bound.
    for (let range: KeyRange | undefined = plan.head; range; range = range.next) if (range.afterInclusive) folderRanges.add(range);
  }
  return { listed, mostRanges, folderSplits: folderRanges.size };
}

describe('KeyRangePlan exactness', () => {
  const seeds = [3, 11, 14, 58, 97];
  it.each(seeds)('lists every key of tree %i exactly once, in order, whatever order pages and probes come back in', (seed) => {
    const keys = generateKeys(seed);
    let mostRanges = 0;
    let folderSplits = 0;
    for (const [pageSize, concurrency, probePageSize] of [
      [7, 4, 1000],
      [7, 16, 5],
      [50, 16, 1000],
    ] as const) {
      for (const prefix of [undefined, 'a', 'a0/']) {
        for (const startAfter of [undefined, keys[Math.floor(keys.length / 3)]]) {
          const expected = keys.filter((key) => (prefix === undefined || key.startsWith(prefix)) && (startAfter === undefined || compareS3Keys(key, startAfter) > 0));
          const run = simulate(keys, { pageSize, concurrency, probePageSize, failureRate: 0.1, seed: seed * 31 + pageSize, ...(prefix !== undefined ? { prefix } : {}), ...(startAfter !== undefined ? { startAfter } : {}) });
          expect(run.listed, `page size ${pageSize}, concurrency ${concurrency}, prefix ${prefix}, after ${startAfter}`).toEqual(expected);
          mostRanges = Math.max(mostRanges, run.mostRanges);
          folderSplits += run.folderSplits;
        }
      }
    }
    // The runs did split: at guessed points and at folders.
    expect(mostRanges).toBeGreaterThan(4);
    expect(folderSplits).toBeGreaterThan(0);
  }, 30_000);

  it('lists a flat bucket of numbered keys exactly, split across the request slots', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `file-${String(i).padStart(6, '0')}`);
    const run = simulate(keys, { pageSize: 50, concurrency: 8, probePageSize: 1000, failureRate: 0.05, seed: 5 });
    expect(run.listed).toEqual(keys);
    expect(run.mostRanges).toBeGreaterThan(8);
  });
});
