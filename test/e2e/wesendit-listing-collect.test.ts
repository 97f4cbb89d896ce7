/**
 * Reading a WeSendit storage's whole file listing from its file browser, in real Chromium
 * against the fake WeSendit UI's real pages:
 *
 * - Wiring: an extension page sends `listing.collect` to the tab (as the background does); the
 *   content script answers `{ started: true }` at once and sends the listing as `listing.batch`
 *   requests, which every extension page also receives — the test's page records them. The
 *   storage fits one batch, so the first (and last) batch holds everything whatever the
 *   background answers to a listing it did not start.
 * - Speed and completeness at 100k files: the same reader code, bundled, run in the page itself
 *   (same fetch, DOMParser and same-origin pages as the content script), timed from the call to
 *   the last batch.
 *
 * Expected entries come from the fake server's own records (key, size, date, MD5 of the bytes).
 */
import { unpackInventoryLines } from '../../shared/inventory-lines.ts';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { InventoryEntry } from '../../shared/inventory.ts';
import type { FakeFileSpec } from '../fake-wesendit/fake-storage.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { launchChromiumWithExtension, openPopup, type ChromiumWithExtension } from '../support/chromium.ts';

let ui: FakeWeSendit;
let chromium: ChromiumWithExtension;
let page: Page;
let extensionPage: Page;

function* smallStorage(): Generator<FakeFileSpec> {
  yield { key: 'readme.txt', content: 'hello', lastModified: '2026-02-01T08:00:00.000Z' };
  yield { key: 'empty.bin', size: 0 };
  yield { key: 'docs/2026/Report (final).pdf', size: 1_234_567, seed: 'r', lastModified: '2026-03-01T12:00:00.000Z' };
  yield { key: 'docs/Grüße & Äpfel/notes.md', content: 'Grüße' };
  yield { key: 'docs/deep/er/still/file.txt', content: 'deep' };
  // More than one page (50 rows) in one folder.
  for (let i = 0; i < 130; i += 1) yield { key: `photos/IMG_${String(i).padStart(4, '0')}.jpg`, size: 2000 + i * 37, seed: 'p' };
}

function* bigStorage(count: number): Generator<FakeFileSpec> {
  for (let folder = 0; folder < 10; folder += 1) {
    for (let i = 0; i < 1000; i += 1) yield { key: `projects/p${folder}/file-${i}.dat`, size: 64 + (i % 200), seed: 'b' };
  }
  for (let i = 0; i < count - 10_000; i += 1) yield { key: `bulk/${String(i).padStart(6, '0')}.bin`, size: 100 + (i % 900), seed: 'b' };
}

function expectedEntries(storageId: string, options: { md5: boolean }): InventoryEntry[] {
  return ui.storageFiles(storageId).map((file) => ({ key: file.key, size: file.size, lastModified: file.lastModified, ...(options.md5 ? { md5: file.md5 } : {}) }));
}

function sortByKey(entries: readonly InventoryEntry[]): InventoryEntry[] {
  return [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

beforeAll(async () => {
  ui = await startFakeWeSendit();
  ui.setStorageFiles('st-nas', smallStorage());
  chromium = await launchChromiumWithExtension();
  extensionPage = await openPopup(chromium.browser, chromium.extensionId);
  page = await chromium.browser.newPage();
});

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
});

interface RecordedBatch {
  listingId: string;
  lines: string;
  count: number;
  done: boolean;
  error?: { code: string; message: string };
}

/** The entries a recorded batch carries, unpacked and checked as the companion does. */
function entriesOf(batch: RecordedBatch | undefined): InventoryEntry[] {
  if (!batch) return [];
  const entries = unpackInventoryLines(batch.lines);
  expect(entries).toHaveLength(batch.count);
  return entries;
}

/** Sends `listing.collect` to the tab showing `pageUrl` from the extension page; resolves to the content script's reply. */
async function collectFromTab(pageUrl: string, listingId: string): Promise<unknown> {
  return extensionPage.evaluate(
    async (url, id) => {
      const chromeApi = Reflect.get(globalThis, 'chrome');
      const tabs = await chromeApi.tabs.query({});
      const tab = tabs.find((candidate: { url?: string }) => candidate.url === url);
      if (!tab) throw new Error(`No tab shows ${url}.`);
      const batches: unknown[] = [];
      Reflect.set(window, '__batches', batches);
      chromeApi.runtime.onMessage.addListener((message: { type?: string; data?: unknown }) => {
        // Recorded without answering: the background's answer is the one the content script gets.
        if (message.type === 'listing.batch') batches.push(message.data);
      });
      return chromeApi.tabs.sendMessage(tab.id, { type: 'listing.collect', data: { listingId: id } });
    },
    pageUrl,
    listingId,
  );
}

async function waitForDoneBatch(listingId: string): Promise<RecordedBatch[]> {
  await extensionPage.waitForFunction(
    (id) => (Reflect.get(window, '__batches') as { listingId: string; done: boolean }[] | undefined)?.some((batch) => batch.listingId === id && batch.done) ?? false,
    // Interval polling: the extension page is a background tab, which gets no animation frames.
    { timeout: 30_000, polling: 50 },
    listingId,
  );
  return extensionPage.evaluate((id) => (Reflect.get(window, '__batches') as RecordedBatch[]).filter((batch) => batch.listingId === id), listingId);
}

describe('WeSendit listing through the content script', () => {
  it('from the connect form: answers started at once and sends the whole storage (folders, pages, exact sizes, dates, MD5)', async () => {
    await page.bringToFront();
    await page.goto(`${ui.url}/storage/connect?storage=st-nas`);
    await page.waitForSelector('::-p-aria(Preview connect)');
    const reply = await collectFromTab(page.url(), 'e2e-listing-en');
    expect(reply).toEqual({ ok: { started: true } });
    const batches = await waitForDoneBatch('e2e-listing-en');
    expect(batches).toHaveLength(1);
    expect(batches[0]?.error).toBeUndefined();
    expect(sortByKey(entriesOf(batches[0]))).toEqual(expectedEntries('st-nas', { md5: true }));
  });

  it('from a German sub-folder of the file browser without an MD5 column: the whole storage, from its root', async () => {
    await page.bringToFront();
    await page.goto(`${ui.url}/storage/files?storage=st-nas&lang=de&variant=plain&path=${encodeURIComponent('docs/2026/')}`);
    await page.waitForSelector('table');
    expect(await collectFromTab(page.url(), 'e2e-listing-de')).toEqual({ ok: { started: true } });
    const [batch] = await waitForDoneBatch('e2e-listing-de');
    expect(batch?.error).toBeUndefined();
    expect(sortByKey(entriesOf(batch))).toEqual(expectedEntries('st-nas', { md5: false }));
  });

  it('on a page without any file browser: one done batch with the reason in plain words', async () => {
    await page.bringToFront();
    await page.goto(`${ui.url}/storages`);
    await page.waitForSelector('#create');
    expect(await collectFromTab(page.url(), 'e2e-listing-none')).toEqual({ ok: { started: true } });
    const batches = await waitForDoneBatch('e2e-listing-none');
    expect(batches).toEqual([{ listingId: 'e2e-listing-none', lines: '', count: 0, done: true, error: { code: 'WESENDIT_LISTING_FAILED', message: expect.stringContaining('No file browser') } }]);
  });
});

describe('WeSendit listing at 100k files', () => {
  it('reads 100,000 files in a few seconds, each once, in batches of at most 5,000', async () => {
    const count = 100_000;
    ui.setStorageFiles('st-office', bigStorage(count));
    const expected = expectedEntries('st-office', { md5: true });
    const bundle = await build({
      entryPoints: [new URL('../../extension/content/listing/collect-wesendit-listing.ts', import.meta.url).pathname],
      bundle: true,
      format: 'iife',
      globalName: 'ConnectGuardListing',
      write: false,
      target: 'chrome120',
    });
    await page.bringToFront();
    await page.goto(`${ui.url}/storage/connect?storage=st-office`);
    await page.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' });
    const run = await page.evaluate(async () => {
      const listing = Reflect.get(window, 'ConnectGuardListing');
      const entries: unknown[] = [];
      const sizes: number[] = [];
      let error: unknown;
      let doneCount = 0;
      const started = performance.now();
      const result = await listing.collectWesenditListing(window, {
        sendBatch: async (batch: { entries: unknown[]; done: boolean; error?: unknown }) => {
          sizes.push(batch.entries.length);
          entries.push(...batch.entries);
          if (batch.done) doneCount += 1;
          if (batch.error) error = batch.error;
        },
      });
      return { ms: performance.now() - started, entries, sizes, doneCount, error, pages: result.pages, folders: result.folders, quickPages: result.quickPages };
    });
    console.log(`WeSendit listing, ${count} files in ${run.folders} folders: ${Math.round(run.ms)} ms, ${run.pages} pages (${run.quickPages} read quickly), ${run.sizes.length} batches (${Math.round(count / (run.ms / 1000))} files/s)`);
    // Chromium's own DOMParser checked the quick reading on the first pages; the rest were read quickly.
    expect(run.quickPages).toBeGreaterThanOrEqual(run.pages - 5);
    expect(run.error).toBeUndefined();
    expect(run.doneCount).toBe(1);
    expect(run.sizes.every((size) => size <= 5000)).toBe(true);
    expect(run.entries).toHaveLength(count);
    expect(sortByKey(run.entries as InventoryEntry[])).toEqual(expected);
    // A guard against a hang or a quadratic slowdown; the figure itself is printed above (a few seconds
    // on two cores, fake server in this process included, even with other suites running).
    expect(run.ms).toBeLessThan(30_000);
  });
});
