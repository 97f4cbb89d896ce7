/**
 * `npm run bench:preview`: "Preview connect" in real Chromium with the built extension, the real
 * native host and the local Ceph gateway.
 *
 * Popup part ({@link measurePopupRendering}): with a finished preview of about a million rows
 * held by the background, the time from opening the popup to its first rendered rows, the time
 * to apply a class filter, an at-risk filter and a key search, scrolling to the middle, and the
 * popup's JS heap. Floors: first render ≤ 300 ms, filter ≤ 150 ms.
 *
 * Standalone, this file makes its own million-row preview ({@link prepareLargePreview}): a
 * bucket of 2,500 objects on Ceph against a WeSendit manifest of 1,000,000 entries that overlaps
 * it (same content, conflicts, only on each side), previewed through the companion exactly as a
 * user's "Preview connect" with a manifest file would.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'puppeteer-core';
import { installHost } from '../../companion/src/host/install-host.ts';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import type { BucketConnection } from '../../shared/protocol/companion-protocol.ts';
import type { PreviewRowQuery, PreviewState, PreviewWesenditSource } from '../../shared/protocol/extension-protocol.ts';
import { launchChromiumWithExtension, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';

/** PRODUCT/issue floors for the popup. */
export const FIRST_RENDER_FLOOR_MS = 300;
export const FILTER_FLOOR_MS = 150;

export interface PopupRenderingInput {
  /** Chromium with the built extension whose background holds the preview. */
  readonly chromium: ChromiumWithExtension;
  /** A finished (`done`) preview, ideally of about 1,000,000 rows, e.g. from {@link prepareLargePreview}. */
  readonly previewId: string;
  /** Times each measurement is repeated (a fresh popup each time); the median is reported. Default 3. */
  readonly repeats?: number;
}

export interface PopupRenderingFigures {
  readonly rows: number;
  /** Opening popup.html → the first rows of the list on screen (median), in ms. */
  readonly firstRenderMs: number;
  /** "Show" = Conflict → the list shows the matching count and conflict rows (median), in ms. */
  readonly classFilterMs: number;
  /** "Show files at risk (newer wins)" → the at-risk rows (median), in ms. */
  readonly atRiskFilterMs: number;
  /** Typing into "Search keys" → the matching rows, including the 100 ms debounce (median), in ms. */
  readonly searchMs: number;
  /** Scrolling the list to its middle → the rows there rendered (median), in ms. */
  readonly scrollMs: number;
  /** Popup JS heap after the filters (CDP Runtime.getHeapUsage), in MB. */
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
}

/** Waits in the page for a condition, returning `performance.now()` when it first held. */
const WAIT_IN_PAGE = `
  window.__cgWaitFor = (check, timeoutMs) => new Promise((resolve, reject) => {
    if (check()) { resolve(performance.now()); return; }
    const observer = new MutationObserver(() => {
      if (check()) { observer.disconnect(); clearTimeout(timer); resolve(performance.now()); }
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    const timer = setTimeout(() => {
      observer.disconnect();
      const status = document.querySelector('[data-matching]');
      const row = document.querySelector('[data-preview-row]');
      reject(new Error('timed out; the list says "' + (status ? status.textContent : 'nothing') + '", first row ' + (row ? row.getAttribute('data-class') + ' ' + row.getAttribute('data-preview-row') : 'none') + ', errors: ' + [...document.querySelectorAll('[role="alert"]')].map((e) => e.textContent).join(' | ')));
    }, timeoutMs);
  });
`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The `ok` value of a raw `{ ok } | { error }` reply. */
function okValue(reply: unknown, what: string): unknown {
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok;
  throw new Error(`${what} failed: ${JSON.stringify(reply)}`);
}

function isPreviewState(value: unknown): value is PreviewState {
  return typeof value === 'object' && value !== null && 'previewId' in value && typeof value.previewId === 'string' && 'status' in value && typeof value.status === 'string';
}

async function previewState(page: Page, previewId: string): Promise<PreviewState> {
  const state = okValue(await requestFromExtensionFrame(page.mainFrame(), { type: 'preview.state', data: { previewId } }), 'preview.state');
  if (!isPreviewState(state)) throw new Error(`preview.state answered ${JSON.stringify(state)}`);
  return state;
}

/** Rows matching a query, asked of the background directly (what the popup must then show). */
async function matchingRows(page: Page, query: Omit<PreviewRowQuery, 'offset' | 'limit'>): Promise<number> {
  const value = okValue(await requestFromExtensionFrame(page.mainFrame(), { type: 'preview.rows', data: { ...query, offset: 0, limit: 1 } }), 'preview.rows');
  if (typeof value === 'object' && value !== null && 'matching' in value && typeof value.matching === 'number') return value.matching;
  throw new Error(`preview.rows answered ${JSON.stringify(value)}`);
}

interface OneRun {
  readonly firstRenderMs: number;
  readonly classFilterMs: number;
  readonly atRiskFilterMs: number;
  readonly searchMs: number;
  readonly scrollMs: number;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
}

async function measureOnce(chromium: ChromiumWithExtension, previewId: string, expected: { rows: number; conflicts: number; atRisk: number; search: string; searchMatches: number }): Promise<OneRun> {
  const page = await chromium.browser.newPage();
  try {
    await page.setViewport({ width: 400, height: 600 });
    await page.evaluateOnNewDocument(WAIT_IN_PAGE);
    // Set before the page's scripts run: the first rows are timed from navigation start.
    await page.evaluateOnNewDocument(`
      window.__cgFirstRows = new Promise((resolve) => {
        const check = () => document.querySelector('[data-preview-row]') !== null && document.querySelector('[data-matching="${expected.rows}"]') !== null;
        const observer = new MutationObserver(() => { if (check()) { observer.disconnect(); resolve(performance.now()); } });
        observer.observe(document, { subtree: true, childList: true, attributes: true });
      });
    `);
    await page.goto(`chrome-extension://${chromium.extensionId}/popup.html#preview=${encodeURIComponent(previewId)}`);
    const firstRenderMs = Number(await page.evaluate(() => Reflect.get(window, '__cgFirstRows')));

    const classFilterMs = await page.evaluate(async (conflicts: number) => {
      const select = document.querySelector<HTMLSelectElement>('#preview-show');
      if (!select) throw new Error('No "Show" filter.');
      const wait: (check: () => boolean, timeoutMs: number) => Promise<number> = Reflect.get(window, '__cgWaitFor');
      const start = performance.now();
      select.value = 'conflict';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      const end = await wait(() => document.querySelector(`[data-matching="${conflicts}"]`) !== null && document.querySelector('[data-preview-row][data-class="conflict"]') !== null, 30_000);
      return end - start;
    }, expected.conflicts);

    const atRiskFilterMs = await page.evaluate(async (atRisk: number, rows: number) => {
      const select = document.querySelector<HTMLSelectElement>('#preview-show');
      if (!select) throw new Error('No "Show" filter.');
      select.value = 'all';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      const wait: (check: () => boolean, timeoutMs: number) => Promise<number> = Reflect.get(window, '__cgWaitFor');
      await wait(() => document.querySelector(`[data-matching="${rows}"]`) !== null && document.querySelector('[data-preview-row]') !== null, 30_000);
      const button = [...document.querySelectorAll('button')].find((element) => element.textContent?.trim() === 'Show files at risk (newer wins)');
      if (!button) throw new Error('No "Show files at risk (newer wins)" button.');
      const start = performance.now();
      button.click();
      const end = await wait(() => document.querySelector(`[data-matching="${atRisk}"]`) !== null && (atRisk === 0 || document.querySelector('[data-preview-row][data-class="conflict"]') !== null), 30_000);
      return end - start;
    }, expected.atRisk, expected.rows);

    const searchMs = await page.evaluate(
      async (search: string, matches: number, rows: number) => {
        const select = document.querySelector<HTMLSelectElement>('#preview-show');
        const input = document.querySelector<HTMLInputElement>('#preview-search');
        if (!select || !input) throw new Error('No filter or search box.');
        select.value = 'all';
        select.dispatchEvent(new Event('change', { bubbles: true }));
        const wait: (check: () => boolean, timeoutMs: number) => Promise<number> = Reflect.get(window, '__cgWaitFor');
        await wait(() => document.querySelector(`[data-matching="${rows}"]`) !== null && document.querySelector('[data-preview-row]') !== null, 30_000);
        const start = performance.now();
        input.value = search;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        const end = await wait(() => document.querySelector(`[data-matching="${matches}"]`) !== null && document.querySelector('[data-preview-row]') !== null, 30_000);
        return end - start;
      },
      expected.search,
      expected.searchMatches,
      expected.rows,
    );

    const scrollMs = await page.evaluate(async (rows: number) => {
      const input = document.querySelector<HTMLInputElement>('#preview-search');
      if (!input) throw new Error('No search box.');
      const wait: (check: () => boolean, timeoutMs: number) => Promise<number> = Reflect.get(window, '__cgWaitFor');
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await wait(() => document.querySelector(`[data-matching="${rows}"]`) !== null && document.querySelector('[data-preview-row]') !== null, 30_000);
      const list = document.querySelector<HTMLElement>('.virtual-list');
      if (!list) throw new Error('No list.');
      const setSize = Number(list.querySelector('[role="listitem"]')?.getAttribute('aria-setsize'));
      const start = performance.now();
      list.scrollTop = list.scrollHeight / 2;
      const end = await wait(() => {
        const rows = [...list.querySelectorAll('[role="listitem"]')];
        const middle = rows.some((row) => Math.abs(Number(row.getAttribute('aria-posinset')) - setSize / 2) < 50);
        return middle && rows.every((row) => row.querySelector('[data-preview-row]') !== null);
      }, 30_000);
      return end - start;
    }, expected.rows);

    const session = await page.createCDPSession();
    await session.send('HeapProfiler.collectGarbage');
    const heap = await session.send('Runtime.getHeapUsage');
    await session.detach();
    return { firstRenderMs, classFilterMs, atRiskFilterMs, searchMs, scrollMs, heapUsedMb: heap.usedSize / 1e6, heapTotalMb: heap.totalSize / 1e6 };
  } finally {
    await page.close();
  }
}

/**
 * The popup's rendering figures for a finished preview the background holds. The caller (the
 * end-to-end part, or {@link prepareLargePreview}) makes the preview; nothing is stubbed.
 */
export async function measurePopupRendering(input: PopupRenderingInput): Promise<PopupRenderingFigures> {
  const probe = await input.chromium.browser.newPage();
  let expected: { rows: number; conflicts: number; atRisk: number; search: string; searchMatches: number };
  try {
    await probe.goto(`chrome-extension://${input.chromium.extensionId}/popup.html#preview=${encodeURIComponent(input.previewId)}`);
    const state = await previewState(probe, input.previewId);
    if (state.status !== 'done' || state.summary === undefined) throw new Error(`Preview ${input.previewId} is ${state.status}, not done: measure a finished preview.`);
    const classes = Object.entries(state.summary.totals.classes).map(([name, totals]) => `${name} ${totals.objects.toLocaleString('en-US')}`);
    console.log(`rows per class: ${classes.join(', ')}`);
    const search = '00042';
    expected = {
      rows: state.summary.totals.objects,
      conflicts: state.summary.totals.classes.conflict.objects,
      atRisk: await matchingRows(probe, { previewId: input.previewId, atRisk: 'newer-wins' }),
      search,
      searchMatches: await matchingRows(probe, { previewId: input.previewId, search }),
    };
  } finally {
    await probe.close();
  }
  const runs: OneRun[] = [];
  for (let i = 0; i < (input.repeats ?? 3); i++) runs.push(await measureOnce(input.chromium, input.previewId, expected));
  const of = (pick: (run: OneRun) => number): number => median(runs.map(pick));
  return {
    rows: expected.rows,
    firstRenderMs: of((run) => run.firstRenderMs),
    classFilterMs: of((run) => run.classFilterMs),
    atRiskFilterMs: of((run) => run.atRiskFilterMs),
    searchMs: of((run) => run.searchMs),
    scrollMs: of((run) => run.scrollMs),
    heapUsedMb: of((run) => run.heapUsedMb),
    heapTotalMb: of((run) => run.heapTotalMb),
  };
}

export function formatPopupFigures(figures: PopupRenderingFigures): string {
  const verdict = (value: number, floor: number): string => (value <= floor ? `ok, floor ${floor} ms` : `OVER the ${floor} ms floor`);
  const ms = (value: number): string => `${value.toFixed(1).padStart(7)} ms`;
  return [
    `popup with a ${figures.rows.toLocaleString('en-US')}-row preview (median of runs, fresh popup each):`,
    `  first render (open → rows on screen)   ${ms(figures.firstRenderMs)}  (${verdict(figures.firstRenderMs, FIRST_RENDER_FLOOR_MS)})`,
    `  filter "Show: Conflict"                ${ms(figures.classFilterMs)}  (${verdict(figures.classFilterMs, FILTER_FLOOR_MS)})`,
    `  filter "at risk, newer wins"           ${ms(figures.atRiskFilterMs)}  (${verdict(figures.atRiskFilterMs, FILTER_FLOOR_MS)})`,
    `  key search (incl. 100 ms debounce)     ${ms(figures.searchMs)}`,
    `  scroll to the middle                   ${ms(figures.scrollMs)}`,
    `  popup JS heap                          ${figures.heapUsedMb.toFixed(1)} MB used of ${figures.heapTotalMb.toFixed(1)} MB`,
  ].join('\n');
}

export interface LargePreviewInput {
  readonly chromium: ChromiumWithExtension;
  readonly connection: BucketConnection;
  readonly wesendit: PreviewWesenditSource;
  /** Give up after this long (default 15 min). */
  readonly timeoutMs?: number;
}

/** Starts a preview from an extension page, as the popup does, and waits until it is done. */
export async function prepareLargePreview(input: LargePreviewInput): Promise<{ previewId: string; seconds: number }> {
  const page = await input.chromium.browser.newPage();
  try {
    await page.goto(`chrome-extension://${input.chromium.extensionId}/popup.html`);
    const started = Date.now();
    const first = okValue(await requestFromExtensionFrame(page.mainFrame(), { type: 'preview.start', data: { connection: { kind: 'direct', connection: input.connection }, wesendit: input.wesendit } }), 'preview.start');
    if (!isPreviewState(first)) throw new Error(`preview.start answered ${JSON.stringify(first)}`);
    const previewId = first.previewId;
    const deadline = started + (input.timeoutMs ?? 15 * 60_000);
    for (;;) {
      const state = await previewState(page, previewId);
      if (state.status === 'done') return { previewId, seconds: (Date.now() - started) / 1000 };
      if (state.status === 'failed' || state.status === 'cancelled') throw new Error(`The preview ${state.status}: ${state.error?.message ?? ''}`);
      if (Date.now() > deadline) throw new Error(`The preview did not finish in time (${state.status}, ${state.progress?.objects ?? 0} objects).`);
      // A benchmark's progress poll, like the popup's own.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await page.close();
  }
}

const BUCKET = 'bench-preview';
const SAME = 1_000;
const CONFLICTS = 1_000;
const BUCKET_ONLY = 500;
/** CG_BENCH_PREVIEW_ENTRIES overrides the manifest's size (a quick check of the harness). */
const MANIFEST_ENTRIES = Number(process.env.CG_BENCH_PREVIEW_ENTRIES ?? 1_000_000);

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** `shared/0000042.txt`: zero-padded so S3 order and number order agree. */
function sharedKey(i: number): string {
  return `shared/${String(i).padStart(7, '0')}.txt`;
}

/** A WeSendit manifest of `MANIFEST_ENTRIES` lines: the shared keys (same or conflicting), the rest only in WeSendit. */
async function writeManifest(path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('path,size,modified,md5\n');
  const newer = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();
  let lines: string[] = [];
  for (let i = 0; i < SAME + CONFLICTS; i++) {
    const body = `object ${i}`;
    const same = i < SAME;
    const content = same ? body : `${body} edited in WeSendit`;
    // Half the conflicts were edited in WeSendit after the bucket's copy was uploaded (now), half
    // long before: "newer wins" overwrites the bucket's copy for the first half only.
    const modified = same ? '2024-06-01T10:00:00Z' : i % 2 === 0 ? newer : '2023-01-01T10:00:00Z';
    lines.push(`${sharedKey(i)},${Buffer.byteLength(content)},${modified},${md5(content)}\n`);
  }
  for (let i = 0; i < MANIFEST_ENTRIES - SAME - CONFLICTS; i++) {
    lines.push(`wesendit/${String(Math.floor(i / 1000)).padStart(4, '0')}/file-${String(i).padStart(7, '0')}.bin,${(i * 7919) % 5_000_000},2024-05-01T08:00:00Z,${md5(String(i))}\n`);
    if (lines.length >= 10_000) {
      await write(lines.join(''));
      lines = [];
    }
  }
  await write(lines.join(''));
  out.end();
  await once(out, 'finish');
}

async function runStandalone(): Promise<void> {
  const { startCephRgw } = await import('../support/ceph-rgw.ts');
  const work = await mkdtemp(join(tmpdir(), 'connect-guard-bench-preview-'));
  const rgw = await startCephRgw({ buckets: [BUCKET] });
  let chromium: ChromiumWithExtension | undefined;
  try {
    const connection: BucketConnection = { endpoint: rgw.endpoint, region: rgw.region, bucket: BUCKET, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
    const client = createS3Client(connection);
    const keys: { key: string; body: string }[] = [];
    for (let i = 0; i < SAME + CONFLICTS; i++) keys.push({ key: sharedKey(i), body: `object ${i}` });
    for (let i = 0; i < BUCKET_ONLY; i++) keys.push({ key: `bucket-only/${String(i).padStart(5, '0')}.txt`, body: `bucket ${i}` });
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < keys.length) {
          const item = keys[next++];
          if (item) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: item.key, Body: item.body }));
        }
      }),
    );
    client.destroy();
    const manifestPath = join(work, 'wesendit-manifest.csv');
    await writeManifest(manifestPath);

    const profileDir = join(work, 'profile');
    // Chromium reads <user-data-dir>/NativeMessagingHosts/ only: the manifest must exist before launch.
    await installHost({ env: process.env, platform: process.platform, extensionIds: [DEV_EXTENSION_ID], userDataDir: profileDir });
    chromium = await launchChromiumWithExtension({ userDataDir: profileDir });
    const prepared = await prepareLargePreview({ chromium, connection, wesendit: { kind: 'manifest', path: manifestPath } });
    console.log(`preview of ${keys.length.toLocaleString('en-US')} bucket objects against a ${MANIFEST_ENTRIES.toLocaleString('en-US')}-entry WeSendit manifest: ${prepared.seconds.toFixed(1)} s`);
    console.log(formatPopupFigures(await measurePopupRendering({ chromium, previewId: prepared.previewId })));
  } finally {
    await chromium?.close();
    await rgw.stop();
    await rm(work, { recursive: true, force: true });
  }
}

// The end-to-end part (10k/100k objects against `connect-guard diff`) calls measurePopupRendering
// with its own preview; alone, this file makes one.
await runStandalone();
