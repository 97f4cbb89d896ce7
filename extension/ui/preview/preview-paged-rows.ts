/**
 * The rows of one preview as the list sees them: a window over rows the background holds,
 * fetched page by page (`preview.rows`) so a million rows never cross the message channel at
 * once. A new query (filter, search) starts a new generation; replies to an older generation
 * are dropped, so a slow reply to a stale search never replaces the current one.
 */

/** One page of a query's rows, as the background answers. */
export interface RowPage<T> {
  /** Rows matching the query in total. */
  readonly matching: number;
  readonly offset: number;
  readonly rows: readonly T[];
}

export type FetchRows<Q, T> = (query: Q, offset: number, limit: number) => Promise<RowPage<T>>;

export interface PagedRowsSnapshot {
  /** The query's total, once its first page answered; undefined while unknown. */
  readonly matching: number | undefined;
  /** Bumped whenever a fetched page lands, so views re-read rows. */
  readonly version: number;
  /** Set when the latest request for the current query failed. */
  readonly error: unknown;
}

export interface PagedRowsOptions {
  /** Rows per request (the protocol allows at most 1,000). */
  readonly pageSize?: number;
  /** Pages kept in memory; the oldest are dropped beyond this. */
  readonly maxPages?: number;
}

export class PagedRows<Q, T> {
  private readonly pageSize: number;
  private readonly maxPages: number;
  /** page index → rows, in least-recently-used order (Map keeps insertion order). */
  private pages = new Map<number, readonly T[]>();
  private inFlight = new Set<number>();
  private generation = 0;
  private query: Q | undefined;
  private snapshot: PagedRowsSnapshot = { matching: undefined, version: 0, error: undefined };
  private readonly listeners = new Set<(snapshot: PagedRowsSnapshot) => void>();

  constructor(
    private readonly fetchRows: FetchRows<Q, T>,
    options: PagedRowsOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = Math.max(4, options.maxPages ?? 40);
  }

  get current(): PagedRowsSnapshot {
    return this.snapshot;
  }

  subscribe(listener: (snapshot: PagedRowsSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Switches to a new query: forgets every page, ignores replies still on their way, loads the first page. */
  setQuery(query: Q): void {
    this.generation++;
    this.query = query;
    this.pages = new Map();
    this.inFlight = new Set();
    this.publish({ matching: undefined, version: this.snapshot.version + 1, error: undefined });
    this.ensureRange(0, 1);
  }

  /** The row at `index` when its page is loaded. */
  rowAt(index: number): T | undefined {
    const page = Math.floor(index / this.pageSize);
    const rows = this.pages.get(page);
    if (rows === undefined) return undefined;
    // Touch: the page just read is the most recently used.
    this.pages.delete(page);
    this.pages.set(page, rows);
    return rows[index - page * this.pageSize];
  }

  /** Loads the pages covering rows `start` (inclusive) to `end` (exclusive) that are not loaded yet. */
  ensureRange(start: number, end: number): void {
    const query = this.query;
    if (query === undefined) return;
    const matching = this.snapshot.matching;
    const last = matching === undefined ? end : Math.min(end, matching);
    if (last <= start && matching !== undefined) return;
    const firstPage = Math.floor(Math.max(0, start) / this.pageSize);
    const lastPage = Math.floor(Math.max(0, last - 1) / this.pageSize);
    for (let page = firstPage; page <= lastPage; page++) {
      if (this.pages.has(page) || this.inFlight.has(page)) continue;
      this.load(query, page);
    }
  }

  private load(query: Q, page: number): void {
    const generation = this.generation;
    this.inFlight.add(page);
    this.fetchRows(query, page * this.pageSize, this.pageSize).then(
      (reply) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(page);
        this.pages.set(page, reply.rows);
        while (this.pages.size > this.maxPages) {
          const oldest = this.pages.keys().next();
          if (oldest.done === true) break;
          this.pages.delete(oldest.value);
        }
        this.publish({ matching: reply.matching, version: this.snapshot.version + 1, error: undefined });
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(page);
        this.publish({ ...this.snapshot, version: this.snapshot.version + 1, error });
      },
    );
  }

  private publish(snapshot: PagedRowsSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.listeners) listener(snapshot);
  }
}
