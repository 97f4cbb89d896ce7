// @vitest-environment happy-dom
/**
 * The listing reader against the fake WeSendit file browser's real markup (its page renderer,
 * called in process): every file of the storage is read once, with the right folder path, exact
 * size, date and MD5, in both languages and both markup variants, whatever the page size.
 */
import { describe, expect, it } from 'vitest';
import { FakeStorage, type FakeFileSpec } from '../../../test/fake-wesendit/fake-storage.ts';
import { renderFilesPage } from '../../../test/fake-wesendit/pages/files-page.ts';
import { parseLang } from '../../../test/fake-wesendit/pages/i18n.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { parseFileBrowserPage, type FileBrowserPage } from './parse-file-browser-page.ts';
import { quickReadFileBrowserPage } from './quick-read-file-browser-page.ts';
import { readWesenditListing, type ListingBatch } from './read-wesendit-listing.ts';

const ORIGIN = 'http://127.0.0.1:4321';

function* files(count: number): Generator<FakeFileSpec> {
  yield { key: 'readme.txt', content: 'hello' };
  yield { key: 'docs/2026/report (final).pdf', size: 1_234_567, lastModified: '2026-03-01T12:00:00.000Z' };
  yield { key: 'docs/ä ö ü/notes.md', content: 'Grüße' };
  yield { key: 'empty.bin', size: 0 };
  for (let i = 0; i < count; i += 1) yield { key: `photos/${String(i).padStart(5, '0')}.jpg`, size: 1000 + i, seed: 's' };
}

function fakeSite(storage: FakeStorage, variant: 'md5' | 'plain') {
  let fetched = 0;
  return {
    get fetched() {
      return fetched;
    },
    fetchHtml: async (url: string, _signal?: AbortSignal) => {
      fetched += 1;
      const parsed = new URL(url);
      const path = parsed.searchParams.get('path') ?? '';
      const page = renderFilesPage({
        lang: parseLang(parsed.searchParams.get('lang')),
        storage,
        variant: (parsed.searchParams.get('variant') ?? variant) === 'plain' ? 'plain' : 'md5',
        path,
        page: parsed.searchParams.get('page'),
        perPage: parsed.searchParams.get('perPage'),
      });
      if (page.status !== 200) throw new Error(`HTTP ${page.status} for ${url}`);
      return page.html;
    },
    parseHtml: (html: string) => new DOMParser().parseFromString(html, 'text/html'),
  };
}

async function readAll(
  storage: FakeStorage,
  startUrl: string,
  variant: 'md5' | 'plain',
  options: { batchSize?: number; quickReadPage?: (html: string, url: string) => FileBrowserPage | undefined } = {},
) {
  const site = fakeSite(storage, variant);
  const batches: ListingBatch[] = [];
  const result = await readWesenditListing(startUrl, {
    fetchHtml: site.fetchHtml,
    parseHtml: site.parseHtml,
    ...(options.quickReadPage ? { quickReadPage: options.quickReadPage } : {}),
    sendBatch: async (batch) => {
      batches.push(batch);
    },
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  return { result, batches, fetched: site.fetched, entries: batches.flatMap((batch) => batch.entries) };
}

function quickReadWithDomParser(html: string, url: string): FileBrowserPage | undefined {
  return quickReadFileBrowserPage(html, url, (rest) => new DOMParser().parseFromString(rest, 'text/html'));
}

function byKey(entries: readonly InventoryEntry[]): InventoryEntry[] {
  return [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

describe('readWesenditListing on the fake file browser', () => {
  it.each([
    ['en', 'md5'],
    ['de', 'md5'],
    ['en', 'plain'],
    ['de', 'plain'],
  ] as const)('reads every file once (%s, %s): keys, sizes, dates and MD5', async (lang, variant) => {
    const storage = new FakeStorage({ id: 's', name: 'S', provider: 'WeSendit', region: 'eu-central-1' });
    storage.setFiles(files(180));
    const start = `${ORIGIN}/storage/files?storage=s${lang === 'de' ? '&lang=de' : ''}${variant === 'plain' ? '&variant=plain' : ''}`;
    const { result, batches, entries } = await readAll(storage, start, variant, { batchSize: 50 });
    expect(result.error).toBeUndefined();
    expect(batches.at(-1)?.done).toBe(true);
    expect(batches.slice(0, -1).every((batch) => !batch.done && batch.entries.length === 50)).toBe(true);
    const expected = storage.listFiles().map((file) => ({
      key: file.key,
      size: file.size,
      lastModified: file.lastModified,
      ...(variant === 'md5' ? { md5: file.md5 } : {}),
    }));
    expect(byKey(entries)).toEqual(expected);
  });

  it('reads the pages quickly once the quick reading matched the DOM reading, with the same entries', async () => {
    const storage = new FakeStorage({ id: 's', name: 'S', provider: 'WeSendit', region: 'eu-central-1' });
    storage.setFiles(files(2500));
    const dom = await readAll(storage, `${ORIGIN}/storage/files?storage=s`, 'md5');
    const quick = await readAll(storage, `${ORIGIN}/storage/files?storage=s`, 'md5', { quickReadPage: quickReadWithDomParser });
    expect(quick.result.error).toBeUndefined();
    expect(byKey(quick.entries)).toEqual(byKey(dom.entries));
    expect(dom.result.quickPages).toBe(0);
    // Every page after the first one with files, checked against the DOM reading, is read quickly.
    expect(quick.result.quickPages).toBeGreaterThanOrEqual(quick.result.pages - 2);
  });

  it('turns the quick reading off for the listing when it differs from the DOM reading', async () => {
    const storage = new FakeStorage({ id: 's', name: 'S', provider: 'WeSendit', region: 'eu-central-1' });
    storage.setFiles(files(2500));
    const dom = await readAll(storage, `${ORIGIN}/storage/files?storage=s`, 'md5');
    let asked = 0;
    const wrong = (html: string, url: string): FileBrowserPage | undefined => {
      asked += 1;
      const page = quickReadWithDomParser(html, url);
      return page && { ...page, files: page.files.map((file) => ({ ...file, size: file.size + 1 })) };
    };
    const quick = await readAll(storage, `${ORIGIN}/storage/files?storage=s`, 'md5', { quickReadPage: wrong });
    expect(byKey(quick.entries)).toEqual(byKey(dom.entries));
    expect(quick.result.quickPages).toBe(0);
    expect(asked).toBeLessThan(quick.result.pages);
  });

  it('raises the page size and plans the pages of a big folder from the range', async () => {
    const storage = new FakeStorage({ id: 's', name: 'S', provider: 'WeSendit', region: 'eu-central-1' });
    storage.setFiles(files(2500));
    const { result, entries, fetched } = await readAll(storage, `${ORIGIN}/storage/files?storage=s`, 'md5');
    expect(result.error).toBeUndefined();
    expect(entries).toHaveLength(2504);
    expect(new Set(entries.map((entry) => entry.key)).size).toBe(2504);
    // root, docs/, docs/2026/, docs/ä ö ü/ one page each; photos/: its first 50, then 3 pages of 1,000.
    expect(fetched).toBe(8);
  });

  it('ends with done and an error in plain words when a page fails', async () => {
    const storage = new FakeStorage({ id: 's', name: 'S', provider: 'WeSendit', region: 'eu-central-1' });
    storage.setFiles(files(10));
    const site = fakeSite(storage, 'md5');
    const batches: ListingBatch[] = [];
    const result = await readWesenditListing(`${ORIGIN}/storage/files?storage=s`, {
      fetchHtml: async (url, signal) => {
        if (url.includes('photos')) throw new Error('WeSendit answered 500 for the photos folder.');
        return site.fetchHtml(url, signal);
      },
      parseHtml: site.parseHtml,
      sendBatch: async (batch) => {
        batches.push(batch);
      },
    });
    expect(result.error?.message).toContain('500');
    expect(batches.at(-1)).toMatchObject({ done: true, error: { message: expect.stringContaining('photos') } });
  });

  it('follows a pager without a range page by page and never loops when "Next" leads back', async () => {
    const pageHtml = (rows: string, next: string): string =>
      `<html lang="en"><body><table><tr><th>Name</th><th>Size</th></tr>${rows}</table><a href="${next}">Next</a></body></html>`;
    const pages: Record<string, string> = {
      '/list': pageHtml('<tr><td>a.txt</td><td>1 KB</td></tr>', '/list?cursor=x'),
      '/list?cursor=x': pageHtml('<tr><td>b.txt</td><td>2 KB</td></tr>', '/list'),
    };
    const batches: ListingBatch[] = [];
    let fetched = 0;
    const result = await readWesenditListing(`${ORIGIN}/list`, {
      fetchHtml: async (url) => {
        fetched += 1;
        const parsed = new URL(url);
        return pages[parsed.pathname + parsed.search] ?? '';
      },
      parseHtml: (html) => new DOMParser().parseFromString(html, 'text/html'),
      sendBatch: async (batch) => {
        batches.push(batch);
      },
    });
    expect(result.error).toBeUndefined();
    expect(fetched).toBe(2);
    expect(batches.flatMap((batch) => batch.entries)).toEqual([
      { key: 'a.txt', size: 1000, sizeTolerance: 500 },
      { key: 'b.txt', size: 2000, sizeTolerance: 500 },
    ]);
  });

  it('says so when the page shows no file list', async () => {
    const batches: ListingBatch[] = [];
    const result = await readWesenditListing(`${ORIGIN}/x`, {
      fetchHtml: async () => '<html><body><p>Sign in</p></body></html>',
      parseHtml: (html) => new DOMParser().parseFromString(html, 'text/html'),
      sendBatch: async (batch) => {
        batches.push(batch);
      },
    });
    expect(result.error?.code).toBe('WESENDIT_LISTING_FAILED');
    expect(batches).toEqual([{ entries: [], done: true, error: expect.objectContaining({ message: expect.stringContaining('no file list') }) }]);
  });

  it('stops when the receiver refuses a batch', async () => {
    const storage = new FakeStorage({ id: 's', name: 'S', provider: 'WeSendit', region: 'eu-central-1' });
    storage.setFiles(files(300));
    const site = fakeSite(storage, 'md5');
    let calls = 0;
    const result = await readWesenditListing(`${ORIGIN}/storage/files?storage=s`, {
      fetchHtml: site.fetchHtml,
      parseHtml: site.parseHtml,
      batchSize: 10,
      sendBatch: async () => {
        calls += 1;
        throw new Error('Unknown listing (cancelled).');
      },
    });
    expect(result.error?.message).toContain('cancelled');
    expect(calls).toBeLessThanOrEqual(2);
  });
});

describe('parseFileBrowserPage', () => {
  it('reads folders as links and files with exact bytes from the German plain variant', () => {
    const storage = new FakeStorage({ id: 's', name: 'S', provider: 'WeSendit', region: 'eu-central-1' });
    storage.setFiles(files(3));
    const { html } = renderFilesPage({ lang: 'de', storage, variant: 'plain', path: '', page: '1', perPage: '3' });
    const page = parseFileBrowserPage(new DOMParser().parseFromString(html, 'text/html'), `${ORIGIN}/storage/files?storage=s&lang=de`);
    expect(page?.folders.map((folder) => folder.name)).toEqual(['docs', 'photos']);
    expect(page?.folders[0]?.url).toBe(`${ORIGIN}/storage/files?storage=s&variant=plain&path=docs%2F&lang=de`);
    expect(page?.files).toEqual([{ name: 'empty.bin', size: 0, lastModified: '2026-01-15T09:30:00.000Z' }]);
    expect(page?.range).toEqual({ from: 1, to: 3, total: 4 });
    expect(page?.nextUrl).toContain('page=2');
  });
});
