// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { diffInventoryBatches, type DiffRow } from '../../../shared/diff/diff-inventories.ts';
import { DiffTally } from '../../../shared/diff/summarize-diff.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import type { ConnectFormSummary, PreviewRowPage, PreviewState, RequestData } from '../../../shared/protocol/extension-protocol.ts';
import { PreviewPanel, nextPreviewState, type PreviewPanelProps } from './preview-panel.tsx';
import { attachHost, detachHost, fakeBackground, type Handlers } from '../components/test-support.ts';

const FORM: ConnectFormSummary = {
  formId: 'form-1',
  provider: 'Other S3',
  endpoint: 'http://127.0.0.1:7480',
  region: '',
  bucket: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'AKIAFAKEFORTESTS0001',
  hasSecret: true,
  origin: 'http://127.0.0.1:8080',
  tabId: 7,
};

const BUCKET: InventoryEntry[] = [
  { key: 'docs/a.txt', size: 100, etag: '0cc175b9c0f1b6a831c399e269772661', lastModified: '2024-03-01T10:00:00Z' },
  { key: 'docs/b.txt', size: 2_000, etag: '92eb5ffee6ae2fec3ad71c777531578f', lastModified: '2024-03-01T10:00:00Z' },
  { key: 'only-bucket.bin', size: 5_000_000, etag: '4a8a08f09d37b73795649038408b5f33' },
];
const WESENDIT: InventoryEntry[] = [
  { key: 'docs/a.txt', size: 100, md5: '0cc175b9c0f1b6a831c399e269772661', lastModified: '2024-02-01T10:00:00Z' },
  { key: 'docs/b.txt', size: 3_000, md5: '8277e0910d750195b448797616e091ad', lastModified: '2024-04-01T10:00:00Z' },
  { key: 'new/c.txt', size: 700, md5: 'e1671797c52e15f763380b45e841ec32' },
];

async function diffRows(): Promise<DiffRow[]> {
  const rows: DiffRow[] = [];
  for await (const batch of diffInventoryBatches(BUCKET, WESENDIT)) rows.push(...batch);
  return rows;
}

function runningState(previewId = 'p-1'): PreviewState {
  return {
    previewId,
    status: 'listing',
    startedAt: '2026-11-27T05:00:00Z',
    bucket: { endpoint: FORM.endpoint, bucket: FORM.bucket, accessKeyId: FORM.accessKey },
    wesenditObjects: 3,
    progress: { phase: 'listing', objects: 12_345, bytes: 3_400_000, rate: 2_469, elapsedMs: 5_000 },
    etaMs: 65_000,
  };
}

async function doneState(previewId = 'p-1'): Promise<{ state: PreviewState; rows: DiffRow[] }> {
  const rows = await diffRows();
  const tally = new DiffTally();
  tally.addBatch(rows);
  return {
    rows,
    state: {
      ...runningState(previewId),
      status: 'done',
      summary: { totals: tally.totals, rows: rows.length, bucketObjects: BUCKET.length, wesenditObjects: WESENDIT.length, elapsedMs: 1_200 },
      advice: 'integrate',
    },
  };
}

/** `preview.rows` over an in-memory row list, as the background answers it. */
function answerRows(rows: readonly DiffRow[]) {
  return (query: RequestData<'preview.rows'>): PreviewRowPage => {
    const matching = rows.filter(
      (row) =>
        (query.classes === undefined || query.classes.length === 0 || query.classes.includes(row.class)) &&
        (query.search === undefined || row.key.toLowerCase().includes(query.search.toLowerCase())) &&
        (query.atRisk === undefined || row.class === 'conflict'),
    );
    return { matching: matching.length, offset: query.offset, rows: matching.slice(query.offset, query.offset + query.limit) };
  };
}

let host: HTMLElement;

beforeEach(() => {
  host = attachHost();
});

afterEach(() => {
  detachHost(host);
  vi.restoreAllMocks();
});

async function mount(props: Partial<PreviewPanelProps> & Pick<PreviewPanelProps, 'send'>): Promise<void> {
  await act(() => {
    render(<PreviewPanel wesenditTab={{ kind: 'tab-id', tabId: 7 }} vaultUnlock="panel" pollMs={5} {...props} />, host);
  });
}

/** Waits for a condition on the rendered panel (replies and polls are asynchronous). */
async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Panel text: ${host.textContent}`);
    await act(() => new Promise((resolve) => setTimeout(resolve, 5)));
  }
}

function button(name: string): HTMLButtonElement | undefined {
  return [...host.querySelectorAll('button')].find((element) => element.textContent?.trim() === name);
}

function labelled(name: string): HTMLInputElement | HTMLSelectElement | undefined {
  const label = [...host.querySelectorAll('label')].find((element) => element.textContent?.trim() === name);
  const id = label?.getAttribute('for');
  if (!id) return undefined;
  const control = host.querySelector(`#${id}`);
  return control instanceof HTMLInputElement || control instanceof HTMLSelectElement ? control : undefined;
}

async function click(element: HTMLElement | undefined): Promise<void> {
  if (!element) throw new Error('Nothing to click.');
  await act(() => element.click());
}

async function type(element: HTMLInputElement | HTMLSelectElement | undefined, value: string): Promise<void> {
  if (!element) throw new Error('Nothing to type into.');
  await act(() => {
    element.value = value;
    element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

const BASE: Handlers = {
  'companion.status': () => ({ available: true, version: '0.1.0', protocolVersion: 2 }),
  'connectForm.latest': () => FORM,
  'preview.latest': () => null,
  'storage.list': () => [],
};

describe('PreviewPanel', () => {
  it('previews the latest connect form: progress, then totals, advice, files at risk and rows', async () => {
    const { state: done, rows } = await doneState();
    let polls = 0;
    const { send, calls } = fakeBackground({
      ...BASE,
      'preview.start': () => runningState(),
      'preview.state': () => (++polls < 2 ? runningState() : done),
      'preview.rows': answerRows(rows),
    });
    await mount({ send });
    await waitFor(() => host.textContent?.includes(FORM.bucket), 'the form');
    expect(host.textContent).toContain(FORM.accessKey);
    expect(host.textContent).toContain('entered (not shown)');

    await click(button('Preview connect'));
    expect(calls.find((call) => call.type === 'preview.start')?.data).toEqual({ connection: { kind: 'form', formId: 'form-1' }, wesendit: { kind: 'tab', tabId: 7 } });
    const progress = await waitFor(() => host.querySelector('[aria-label="Preview progress"] [role="status"]')?.textContent, 'progress');
    expect(progress).toBe('Listing the bucket: 12,345 objects, 3.4 MB, 2,469 objects/s, about 1 min 5 s left.');
    expect(button('Cancel')).toBeDefined();
    expect(button('Preview connect')?.disabled).toBe(true);

    await waitFor(() => host.querySelector('.preview-classes'), 'the totals');
    const objects = (name: string): string | undefined => host.querySelector(`tr[data-class="${name}"] td`)?.textContent ?? undefined;
    expect([objects('only-in-bucket'), objects('only-in-wesendit'), objects('same'), objects('conflict'), objects('unknown')]).toEqual(['1', '1', '1', '1', '0']);
    expect(host.querySelector('tr[data-class="only-in-bucket"] td + td')?.textContent).toBe('5 MB');
    expect(host.textContent).toContain('Integrating Existing Data — back up first');
    expect(host.textContent).toContain('Create a full backup of the existing bucket.');
    await waitFor(() => host.querySelector('[data-policy="newer-wins"]')?.textContent?.includes('the bucket’s copy'), 'the bucket files at risk');
    expect(host.querySelector('[data-policy="newer-wins"]')?.textContent).toContain('If the newer version wins: 1 of 1 conflicting file loses the bucket’s copy; 2 KB of versions overwritten in all.');
    expect(host.querySelector('[data-policy="wesendit-wins"]')?.textContent).toContain('If WeSendit’s version wins: 1 of 1 conflicting file loses the bucket’s copy; 2 KB of versions overwritten in all.');
    expect(button('Preview connect')?.disabled).toBe(false);

    await waitFor(() => host.querySelectorAll('[data-preview-row]').length === 4, 'four rows');
    expect(host.querySelector('[data-preview-row="docs/b.txt"]')?.textContent).toContain('Newer wins: WeSendit · WeSendit wins: WeSendit');

    await click(button('Show files at risk (newer wins)'));
    await waitFor(() => host.querySelectorAll('[data-preview-row]').length === 1, 'the at-risk rows');
    expect(labelled('Show')?.value).toBe('risk:newer-wins');
    expect(calls.filter((call) => call.type === 'preview.rows').at(-1)?.data).toMatchObject({ previewId: 'p-1', atRisk: 'newer-wins', offset: 0 });
  });

  it('shows totals, advice and at risk while the rows load, keeps polling, and opens the list and export when done', async () => {
    const { state: done, rows } = await doneState();
    const loading = (rowsLoaded: number): PreviewState => ({ ...done, status: 'loading-rows', rowsLoaded, rowsTotal: rows.length });
    let current: PreviewState = loading(1);
    const { send, calls } = fakeBackground({
      ...BASE,
      'preview.start': () => runningState(),
      'preview.state': () => current,
      'preview.rows': answerRows(rows),
    });
    await mount({ send });
    await waitFor(() => host.textContent?.includes(FORM.bucket), 'the form');
    await click(button('Preview connect'));

    await waitFor(() => host.querySelector('.preview-classes'), 'the totals while rows load');
    expect(host.querySelector('.preview-result')?.getAttribute('data-status')).toBe('loading-rows');
    expect(host.textContent).toContain('Integrating Existing Data — back up first');
    // The conflicts come from the totals; the bucket-file count waits for every row.
    expect(host.querySelector('[data-policy="newer-wins"]')?.textContent).toContain('If the newer version wins: 1 conflicting file; 2 KB of versions overwritten in all.');
    expect(host.querySelector('[aria-label="Files"] [role="status"]')?.textContent).toBe('Loading rows: 1 of 4…');
    expect(button('Export CSV')?.disabled).toBe(true);
    expect(button('Export NDJSON')?.disabled).toBe(true);
    expect(button('Preview connect')?.disabled).toBe(true);
    expect(button('Cancel')).toBeDefined();
    expect(host.querySelectorAll('[data-preview-row]')).toHaveLength(0);

    current = loading(3);
    await waitFor(() => host.querySelector('[aria-label="Files"] [role="status"]')?.textContent === 'Loading rows: 3 of 4…', 'more rows counted');
    expect(calls.filter((call) => call.type === 'preview.rows')).toHaveLength(0);

    current = done;
    await waitFor(() => host.querySelectorAll('[data-preview-row]').length === 4, 'four rows');
    expect(button('Export CSV')?.disabled).toBe(false);
    await waitFor(() => host.querySelector('[data-policy="newer-wins"]')?.textContent?.includes('1 of 1 conflicting file loses the bucket’s copy'), 'the bucket files at risk');
    const polls = calls.filter((call) => call.type === 'preview.state').length;
    await act(() => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(calls.filter((call) => call.type === 'preview.state').length).toBe(polls);
  });

  it('restores the latest preview on open and filters by class and key search', async () => {
    const { state, rows } = await doneState();
    const answer = answerRows(rows);
    const searches: (string | undefined)[] = [];
    const { send, calls } = fakeBackground({
      ...BASE,
      'preview.latest': () => state,
      'preview.rows': (query) => {
        searches.push(query.search);
        return answer(query);
      },
    });
    await mount({ send });
    await waitFor(() => host.querySelectorAll('[data-preview-row]').length === 4, 'the restored rows');
    expect(calls.some((call) => call.type === 'preview.start')).toBe(false);

    await type(labelled('Show'), 'same');
    await waitFor(() => host.querySelectorAll('[data-preview-row]').length === 1, 'the same-content rows');
    expect(host.querySelector('[data-preview-row]')?.getAttribute('data-preview-row')).toBe('docs/a.txt');

    await type(labelled('Show'), 'all');
    const before = searches.length;
    await type(labelled('Search keys'), 'd');
    await type(labelled('Search keys'), 'do');
    await type(labelled('Search keys'), 'DOCS/');
    await waitFor(() => host.querySelectorAll('[data-preview-row]').length === 2, 'the search result');
    // Debounced: only the last search was sent.
    expect(searches.slice(before)).toEqual(['DOCS/']);
    expect(host.textContent).toContain('2 files match.');
  });

  it('shows the rows of the latest filter when an earlier filter’s reply comes last', async () => {
    const { state, rows } = await doneState();
    const answer = answerRows(rows);
    const held: (() => void)[] = [];
    const { send } = fakeBackground({
      ...BASE,
      'preview.latest': () => state,
      'preview.rows': (query) =>
        query.classes?.[0] === 'conflict' ? new Promise<PreviewRowPage>((resolve) => held.push(() => resolve(answer(query)))) : answer(query),
    });
    await mount({ send });
    await waitFor(() => host.querySelectorAll('[data-preview-row]').length === 4, 'the rows');
    await type(labelled('Show'), 'conflict');
    await waitFor(() => held.length === 1, 'the conflict request');
    await type(labelled('Show'), 'only-in-bucket');
    await waitFor(() => host.querySelectorAll('[data-preview-row]').length === 1, 'the only-in-bucket rows');
    await act(() => held[0]?.());
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    const keys = [...host.querySelectorAll('[data-preview-row]')].map((row) => row.getAttribute('data-preview-row'));
    expect(keys).toEqual(['only-bucket.bin']);
  });

  it('cancels a running preview', async () => {
    const { send, calls } = fakeBackground({
      ...BASE,
      'preview.latest': () => runningState('p-9'),
      'preview.state': () => runningState('p-9'),
      'preview.cancel': () => ({ ...runningState('p-9'), status: 'cancelled' }),
    });
    await mount({ send });
    await waitFor(() => button('Cancel'), 'the Cancel button');
    await click(button('Cancel'));
    await waitFor(() => host.textContent?.includes('Preview cancelled. Nothing was changed.'), 'the cancelled note');
    expect(calls.find((call) => call.type === 'preview.cancel')?.data).toEqual({ previewId: 'p-9' });
    // A poll already on its way when Cancel answered must not bring the progress back, and polling stops.
    const polls = (): number => calls.filter((call) => call.type === 'preview.state').length;
    await act(() => new Promise((resolve) => setTimeout(resolve, 40)));
    const settled = polls();
    await act(() => new Promise((resolve) => setTimeout(resolve, 40)));
    expect(polls()).toBe(settled);
    expect(host.textContent).toContain('Preview cancelled. Nothing was changed.');
    expect(button('Cancel')).toBeUndefined();
  });

  it('explains a failed connection with the doctor’s checks, failing ones first', async () => {
    const failed: PreviewState = {
      ...runningState(),
      status: 'failed',
      error: { code: 'WRONG_SECRET_KEY', message: 'The Secret Key does not match the Access Key.' },
      doctor: {
        ok: false,
        checks: [
          { name: 'endpoint', status: 'pass', message: 'The server answers.' },
          { name: 'secret key', status: 'fail', code: 'WRONG_SECRET_KEY', message: 'The Secret Key is wrong: if it was lost, new credentials must be generated.' },
        ],
      },
    };
    const { send } = fakeBackground({ ...BASE, 'preview.latest': () => failed });
    await mount({ send });
    await waitFor(() => host.querySelector('ul.doctor'), 'the doctor');
    expect(host.querySelector('[role="alert"]')?.textContent).toBe('The Secret Key does not match the Access Key.');
    const checks = [...host.querySelectorAll('ul.doctor li')].map((item) => item.getAttribute('data-status'));
    expect(checks).toEqual(['fail', 'pass']);
    expect(host.querySelector('ul.doctor li')?.textContent).toContain('Failed — secret key: The Secret Key is wrong');
  });

  it('asks for the vault passphrase when a saved storage needs the vault unlocked', async () => {
    let unlocked = false;
    const { send, calls } = fakeBackground({
      ...BASE,
      'connectForm.latest': () => null,
      'storage.list': () => {
        if (!unlocked) throw new ConnectGuardError('VAULT_LOCKED', 'The vault is locked. Unlock it with your passphrase.');
        return [{ id: 's-1', storageName: 'NAS', permissions: 'Read & Write', allowedIps: '', serverAddress: 's3.example.test', bucketName: 'nas', accessKey: 'AK', createdAt: '', updatedAt: '' }];
      },
      'vault.unlock': (data) => {
        unlocked = data.passphrase === 'correct horse battery staple';
        if (!unlocked) throw new ConnectGuardError('WRONG_PASSPHRASE', 'Wrong passphrase.');
        return { exists: true, unlocked: true, storageCount: 1 };
      },
      'preview.start': () => runningState(),
      'preview.state': () => runningState(),
    });
    await mount({ send });
    await waitFor(() => labelled('Bucket'), 'the typed connection (no form)');
    await click(host.querySelector<HTMLInputElement>('input[value="vault"]') ?? undefined);
    await waitFor(() => button('Unlock'), 'the unlock prompt');
    await type(labelled('Vault passphrase'), 'correct horse battery staple');
    await click(button('Unlock'));
    const select = await waitFor(() => labelled('Saved storage'), 'the saved storages');
    await type(select, 's-1');
    await click(button('Preview connect'));
    await waitFor(() => calls.some((call) => call.type === 'preview.start'), 'the start');
    expect(calls.find((call) => call.type === 'preview.start')?.data).toEqual({ connection: { kind: 'vault', storageId: 's-1' }, wesendit: { kind: 'tab', tabId: 7 } });
    expect((labelled('Vault passphrase')?.value ?? '')).toBe('');
  });

  it('sends typed credentials, and saves them to the vault on request', async () => {
    const { send, calls } = fakeBackground({
      ...BASE,
      'connectForm.latest': () => null,
      'storage.saveConnection': () => ({ storageId: 's-2', verified: true }),
      'preview.start': () => runningState(),
      'preview.state': () => runningState(),
    });
    await mount({ send, wesenditTab: { kind: 'tab-id', tabId: undefined } });
    await waitFor(() => labelled('Bucket'), 'the typed connection');
    await click(button('Preview connect'));
    expect(host.querySelector('[role="alert"]')?.textContent).toBe('Fill in the bucket’s endpoint, bucket, access key, secret key.');
    await type(labelled('Endpoint'), ' http://127.0.0.1:7480 ');
    await type(labelled('Bucket'), 'photos');
    await type(labelled('Access key'), 'AKIAFAKE');
    const secret = labelled('Secret key');
    expect(secret?.getAttribute('type')).toBe('password');
    await type(secret, 'fake-secret-for-tests');
    await click(host.querySelector<HTMLInputElement>('input[value="empty"]') ?? undefined);
    await click(button('Preview connect'));
    await waitFor(() => calls.some((call) => call.type === 'preview.start'), 'the start');
    expect(calls.find((call) => call.type === 'preview.start')?.data).toEqual({
      connection: { kind: 'direct', connection: { endpoint: 'http://127.0.0.1:7480', bucket: 'photos', accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake-secret-for-tests' } },
      wesendit: { kind: 'empty' },
    });

    await click(button('Save to vault'));
    await waitFor(() => calls.some((call) => call.type === 'storage.saveConnection'), 'the save');
    expect(calls.find((call) => call.type === 'storage.saveConnection')?.data).toMatchObject({ storageName: 'photos', source: { kind: 'direct' } });
  });

  it('says how to install the companion when it is not answering', async () => {
    const { send } = fakeBackground({ ...BASE, 'companion.status': () => ({ available: false, error: { code: 'COMPANION_UNAVAILABLE', message: 'Specified native messaging host not found.' } }) });
    await mount({ send });
    const notice = await waitFor(() => host.querySelector('[aria-label="Companion missing"]'), 'the companion notice');
    expect(notice.textContent).toContain('npx connect-guard install-host');
    expect(notice.textContent).toContain('Specified native messaging host not found.');
  });

  it('pre-selects the connect form named in the page address and reads "this tab"', async () => {
    const { send, calls } = fakeBackground({ ...BASE, 'connectForm.get': (data) => ({ ...FORM, formId: data.formId }), 'preview.start': () => runningState(), 'preview.state': () => runningState() });
    await mount({ send, formId: 'form-42', wesenditTab: { kind: 'form-tab' } });
    await waitFor(() => host.textContent?.includes(FORM.bucket), 'the form');
    expect(calls.some((call) => call.type === 'connectForm.latest')).toBe(false);
    await click(button('Preview connect'));
    await waitFor(() => calls.some((call) => call.type === 'preview.start'), 'the start');
    expect(calls.find((call) => call.type === 'preview.start')?.data).toEqual({ connection: { kind: 'form', formId: 'form-42' }, wesendit: { kind: 'tab' } });
  });

  it('exports the report from every part as one file', async () => {
    const { state, rows } = await doneState();
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      if (blob instanceof Blob) blobs.push(blob);
      return 'blob:report';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const { send } = fakeBackground({
      ...BASE,
      'preview.latest': () => state,
      'preview.rows': answerRows(rows),
      'preview.export': (data) => ({ fileName: `preview.${data.format}`, mimeType: 'text/csv', parts: 3, text: `part${data.part}\n` }),
    });
    await mount({ send });
    await waitFor(() => button('Export CSV'), 'the export buttons');
    expect(button('Export NDJSON')).toBeDefined();
    await click(button('Export CSV'));
    await waitFor(() => host.textContent?.includes('Saved preview.csv.'), 'the saved note');
    expect(clicked).toEqual(['preview.csv']);
    expect(await blobs[0]?.text()).toBe('part0\npart1\npart2\n');
    expect(blobs[0]?.type).toBe('text/csv');
  });
});

describe('nextPreviewState', () => {
  it('keeps an ended preview when a late poll says it is still running', () => {
    const cancelled: PreviewState = { ...runningState(), status: 'cancelled' };
    expect(nextPreviewState(cancelled, runningState())).toBe(cancelled);
  });

  it('keeps a done preview when a late poll says its rows are loading, and a shown summary when a late poll says listing', () => {
    const base = runningState();
    const done: PreviewState = { ...base, status: 'done' };
    const loading: PreviewState = { ...base, status: 'loading-rows', rowsLoaded: 1, rowsTotal: 4 };
    expect(nextPreviewState(done, loading)).toBe(done);
    expect(nextPreviewState(loading, base)).toBe(loading);
    expect(nextPreviewState(base, loading)).toBe(loading);
    expect(nextPreviewState(loading, done)).toBe(done);
  });

  it('drops a reply for another preview and takes progress of the current one', () => {
    const current = runningState('p-2');
    expect(nextPreviewState(current, runningState('p-1'))).toBe(current);
    const later = { ...runningState('p-2'), wesenditObjects: 9 };
    expect(nextPreviewState(current, later)).toBe(later);
    expect(nextPreviewState(undefined, later)).toBeUndefined();
  });
});
