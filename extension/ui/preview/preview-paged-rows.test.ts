import { describe, expect, it } from 'vitest';
import { PagedRows, type RowPage } from './preview-paged-rows.ts';

interface Pending {
  readonly query: string;
  readonly offset: number;
  readonly limit: number;
  resolve(page: RowPage<string>): void;
  reject(error: unknown): void;
}

/** A fetcher whose replies the test releases one by one, in any order. */
function controlledFetch(): { pending: Pending[]; fetch: (query: string, offset: number, limit: number) => Promise<RowPage<string>> } {
  const pending: Pending[] = [];
  return {
    pending,
    fetch: (query, offset, limit) =>
      new Promise<RowPage<string>>((resolve, reject) => {
        pending.push({ query, offset, limit, resolve, reject });
      }),
  };
}

function page(query: string, matching: number, offset: number, limit: number): RowPage<string> {
  const rows: string[] = [];
  for (let index = offset; index < Math.min(matching, offset + limit); index++) rows.push(`${query}:${index}`);
  return { matching, offset, rows };
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('PagedRows', () => {
  it('loads the first page of a query, then only the pages a range needs', async () => {
    const { pending, fetch } = controlledFetch();
    const rows = new PagedRows(fetch, { pageSize: 10 });
    rows.setQuery('all');
    expect(pending.map((request) => request.offset)).toEqual([0]);
    pending[0]?.resolve(page('all', 1_000_000, 0, 10));
    await flush();
    expect(rows.current.matching).toBe(1_000_000);
    expect(rows.rowAt(3)).toBe('all:3');
    expect(rows.rowAt(10)).toBeUndefined();

    rows.ensureRange(5, 25);
    expect(pending.slice(1).map((request) => request.offset)).toEqual([10, 20]);
    // Asking again while they are on their way sends nothing twice.
    rows.ensureRange(5, 25);
    expect(pending).toHaveLength(3);
  });

  it('ignores a reply to an earlier query that arrives after the current one', async () => {
    const { pending, fetch } = controlledFetch();
    const rows = new PagedRows(fetch, { pageSize: 10 });
    rows.setQuery('a');
    rows.setQuery('ab');
    const [stale, current] = pending;
    current?.resolve(page('ab', 3, 0, 10));
    await flush();
    stale?.resolve(page('a', 500, 0, 10));
    await flush();
    expect(rows.current.matching).toBe(3);
    expect(rows.rowAt(0)).toBe('ab:0');
    expect(rows.rowAt(5)).toBeUndefined();
  });

  it('drops an old query’s failure and reports the current one’s', async () => {
    const { pending, fetch } = controlledFetch();
    const rows = new PagedRows(fetch, { pageSize: 10 });
    rows.setQuery('a');
    rows.setQuery('b');
    pending[0]?.reject(new Error('old'));
    await flush();
    expect(rows.current.error).toBeUndefined();
    pending[1]?.reject(new Error('new'));
    await flush();
    expect(rows.current.error).toEqual(new Error('new'));
  });

  it('keeps at most maxPages pages, dropping the least recently used', async () => {
    const { pending, fetch } = controlledFetch();
    const rows = new PagedRows(fetch, { pageSize: 10, maxPages: 4 });
    rows.setQuery('q');
    pending[0]?.resolve(page('q', 1000, 0, 10));
    await flush();
    rows.ensureRange(10, 50);
    for (const request of pending.slice(1)) request.resolve(page('q', 1000, request.offset, request.limit));
    await flush();
    // Pages 0…4 were loaded; only 4 fit, and page 0 was the least recently used.
    expect(rows.rowAt(0)).toBeUndefined();
    expect(rows.rowAt(45)).toBe('q:45');
  });

  it('does not ask for rows past the end', async () => {
    const { pending, fetch } = controlledFetch();
    const rows = new PagedRows(fetch, { pageSize: 10 });
    rows.setQuery('q');
    pending[0]?.resolve(page('q', 12, 0, 10));
    await flush();
    rows.ensureRange(0, 100);
    expect(pending.map((request) => request.offset)).toEqual([0, 10]);
  });
});
