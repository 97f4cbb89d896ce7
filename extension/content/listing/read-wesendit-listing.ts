/**
 * Reads a WeSendit storage's full file listing from its file browser, as the signed-in user sees
 * it: fetches the browser's pages same-origin with the page's cookies, parses them by meaning,
 * recurses into folders and follows the pager, and hands the entries on in batches (at most
 * 5,000 per batch; the last one says `done`, with `error` in plain words when reading failed).
 *
 * Speed: when the pager shows a range ("1–50 of 100,000") and its "Next" link carries a page
 * number, the remaining pages are planned at once and fetched a few at a time in parallel; a
 * page-size parameter in that link is raised to 1,000 first, so 100k files are about 100 pages.
 * Pages are read by a quick HTML reader when one is given and it can read the markup exactly;
 * until it has matched DOMParser's reading of a page with files, both read each page and any
 * difference turns the quick reader off for the listing.
 * Pure of browser APIs: fetching, parsing and sending are injected.
 */
import { ConnectGuardError, toErrorData, type ErrorData } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { parseFileBrowserPage, type FileBrowserPage } from './parse-file-browser-page.ts';

export interface ListingBatch {
  readonly entries: InventoryEntry[];
  readonly done: boolean;
  readonly error?: ErrorData;
}

export interface ReadListingDeps {
  /** The page's HTML (same origin, with the user's cookies); throws on an HTTP error. */
  fetchHtml(url: string, signal: AbortSignal): Promise<string>;
  /** The full HTML parser (DOMParser): reads any page. */
  parseHtml(html: string): Document;
  /** A quicker reading of a page whose markup it reads exactly, else `undefined` (see quickReadFileBrowserPage). */
  readonly quickReadPage?: (html: string, url: string) => FileBrowserPage | undefined;
  /** Delivers a batch; a throw (the listing was cancelled) stops reading. */
  sendBatch(batch: ListingBatch): Promise<void>;
  /** Pages fetched at once (default 8). */
  readonly concurrency?: number;
  /** Entries per batch (default and maximum 5,000). */
  readonly batchSize?: number;
  /** Rows per page asked for when the pager has a page-size parameter (default 1,000). */
  readonly preferredPageSize?: number;
}

export interface ListingResult {
  readonly entries: number;
  readonly pages: number;
  readonly folders: number;
  /** Pages read by the quick reader alone. */
  readonly quickPages: number;
  readonly error?: ErrorData;
}

const PAGE_PARAMS = ['page', 'p', 'pageNumber', 'page_number', 'seite'];
const SIZE_PARAMS = ['perPage', 'per_page', 'pageSize', 'page_size', 'limit', 'size', 'count', 'pro_seite'];

interface Task {
  readonly url: string;
  /** Folder path of the page's rows: '' or ending in '/'. */
  readonly folder: string;
  /** Follow this page's pager (false for pages planned from a range). */
  readonly follow: boolean;
  /** Row number of this page's first row when planned, to check the list did not shift. */
  readonly expectedFrom?: number;
}

function findParam(url: URL, names: readonly string[]): string | undefined {
  return names.find((name) => url.searchParams.has(name) && /^\d+$/.test(url.searchParams.get(name) ?? ''));
}

function fail(message: string): ConnectGuardError {
  return new ConnectGuardError('WESENDIT_LISTING_FAILED', message);
}

export async function readWesenditListing(startUrl: string, deps: ReadListingDeps): Promise<ListingResult> {
  const origin = new URL(startUrl).origin;
  const concurrency = Math.max(1, deps.concurrency ?? 8);
  const batchSize = Math.min(Math.max(1, deps.batchSize ?? 5000), 5000);
  const preferredPageSize = deps.preferredPageSize ?? 1000;
  const abort = new AbortController();
  const queue: Task[] = [{ url: startUrl, folder: '', follow: true }];
  const seenKeys = new Set<string>();
  const seenFolders = new Set<string>(['']);
  /** Pages already queued: a pager whose "Next" leads back never loops. */
  const seenUrls = new Set<string>([startUrl]);
  const enqueue = (task: Task): void => {
    if (seenUrls.has(task.url)) return;
    seenUrls.add(task.url);
    queue.push(task);
  };
  let buffer: InventoryEntry[] = [];
  let sending: Promise<void> = Promise.resolve();
  let entries = 0;
  let pages = 0;
  let failure: unknown;
  /** The page-size parameter the pager uses, once seen: later folders are asked with big pages at once. */
  let learnedSizeParam: string | undefined;
  let quick: 'checking' | 'trusted' | 'off' = deps.quickReadPage ? 'checking' : 'off';
  let quickPages = 0;

  const parsePage = (html: string, url: string): FileBrowserPage | undefined => {
    const quickPage = quick === 'off' ? undefined : deps.quickReadPage?.(html, url);
    if (!quickPage) return parseFileBrowserPage(deps.parseHtml(html), url);
    if (quick === 'trusted') {
      quickPages += 1;
      return quickPage;
    }
    const fullPage = parseFileBrowserPage(deps.parseHtml(html), url);
    if (JSON.stringify(quickPage) !== JSON.stringify(fullPage)) quick = 'off';
    else if (fullPage && fullPage.files.length > 0) quick = 'trusted';
    return fullPage;
  };

  const flush = (done: boolean, error?: ErrorData): Promise<void> => {
    const batch = buffer;
    buffer = [];
    sending = sending.then(() => deps.sendBatch({ entries: batch, done, ...(error ? { error } : {}) }));
    return sending;
  };

  /** Queues the rest of the folder's pages; true when this page is asked again with bigger pages. */
  const plan = (task: Task, page: FileBrowserPage): boolean => {
    const next = page.nextUrl ? new URL(page.nextUrl) : undefined;
    if (!next || !task.follow) return false;
    if (next.origin !== origin) throw fail(`The file browser's "Next" link leads to another site (${next.origin}); only ${origin} is read.`);
    const pageParam = findParam(next, PAGE_PARAMS);
    const sizeParam = findParam(next, SIZE_PARAMS);
    const range = page.range;
    if (pageParam && range && range.to < range.total) {
      const shown = range.to - range.from + 1;
      if (sizeParam) learnedSizeParam = sizeParam;
      if (sizeParam && shown < preferredPageSize && task.expectedFrom === undefined && range.from === 1) {
        // Ask again with bigger pages; this page's rows come again on the first of them.
        const bigger = new URL(next);
        bigger.searchParams.set(sizeParam, String(preferredPageSize));
        bigger.searchParams.set(pageParam, '1');
        enqueue({ url: bigger.href, folder: task.folder, follow: true, expectedFrom: 1 });
        return true;
      }
      const current = Number(next.searchParams.get(pageParam)) - 1;
      const lastPage = current + Math.ceil((range.total - range.to) / shown);
      for (let number = current + 1; number <= lastPage; number += 1) {
        const url = new URL(next);
        url.searchParams.set(pageParam, String(number));
        enqueue({ url: url.href, folder: task.folder, follow: false, expectedFrom: range.from + (number - current) * shown });
      }
      return false;
    }
    enqueue({ url: next.href, folder: task.folder, follow: true });
    return false;
  };

  const run = async (task: Task): Promise<void> => {
    const html = await deps.fetchHtml(task.url, abort.signal);
    pages += 1;
    const page = parsePage(html, task.url);
    if (!page) throw fail(`${task.url} shows no file list (no table with Name and Size columns). Open the storage's file browser in WeSendit and try again.`);
    if (task.expectedFrom !== undefined && page.range && page.range.from !== task.expectedFrom) {
      throw fail(`The file list of "${task.folder || '/'}" changed while it was read (expected row ${task.expectedFrom}, got ${page.range.from}). Wait until uploads finish, then try again.`);
    }
    if (page.unreadable.length > 0) {
      throw fail(`Some rows of "${task.folder || '/'}" could not be read (${page.unreadable.slice(0, 3).join(', ')}): no size or no link. The preview needs every file's size.`);
    }
    // Asked again with bigger pages: this page's rows come with the first of them.
    const replanned = plan(task, page);
    for (const folder of page.folders) {
      const path = `${task.folder}${folder.name}/`;
      if (seenFolders.has(path)) continue;
      if (new URL(folder.url).origin !== origin) throw fail(`The folder "${path}" links to another site; only ${origin} is read.`);
      seenFolders.add(path);
      const url = new URL(folder.url);
      if (learnedSizeParam && !url.searchParams.has(learnedSizeParam)) url.searchParams.set(learnedSizeParam, String(preferredPageSize));
      enqueue({ url: url.href, folder: path, follow: true });
    }
    if (replanned) return;
    for (const file of page.files) {
      const key = `${task.folder}${file.name}`;
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      buffer.push({ key, size: file.size, ...(file.sizeTolerance ? { sizeTolerance: file.sizeTolerance } : {}), ...(file.lastModified ? { lastModified: file.lastModified } : {}), ...(file.md5 ? { md5: file.md5 } : {}) });
      entries += 1;
      if (buffer.length >= batchSize) {
        // Delivered in order behind earlier batches, without holding this slot's next fetch; a
        // refused batch (cancelled listing) stops reading as a failed page would.
        flush(false).catch((error: unknown) => {
          failure ??= error;
          abort.abort();
        });
      }
    }
  };

  await new Promise<void>((resolve) => {
    let active = 0;
    const pump = (): void => {
      if (failure !== undefined) {
        if (active === 0) resolve();
        return;
      }
      while (active < concurrency && queue.length > 0) {
        const task = queue.shift();
        if (!task) break;
        active += 1;
        run(task)
          .catch((error: unknown) => {
            failure ??= error;
            abort.abort();
          })
          .finally(() => {
            active -= 1;
            pump();
          });
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });

  const error = failure === undefined ? undefined : toErrorData(failure);
  try {
    await flush(true, error);
  } catch (sendError) {
    // The receiver is gone or cancelled the listing: nothing left to tell it.
    return { entries, pages, folders: seenFolders.size - 1, quickPages, error: toErrorData(sendError) };
  }
  return { entries, pages, folders: seenFolders.size - 1, quickPages, ...(error ? { error } : {}) };
}
