import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { diffInventories, type DiffRow } from '../../../shared/diff/diff-inventories.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { PreviewRowStore } from './preview-rows.ts';

const md5 = (n: number): string => n.toString(16).padStart(32, '0');

async function diffRows(bucket: InventoryEntry[], wesendit: InventoryEntry[]): Promise<DiffRow[]> {
  const rows: DiffRow[] = [];
  for await (const row of diffInventories(bucket, wesendit)) rows.push(row);
  return rows;
}

/** Rows as they arrive in the background: parsed from JSON (undefined fields dropped). */
function overTheWire(rows: readonly DiffRow[]): DiffRow[] {
  const parsed: unknown = JSON.parse(JSON.stringify(rows));
  if (!Array.isArray(parsed)) throw new Error('not an array');
  const out: DiffRow[] = [];
  for (const value of parsed) {
    // The rows were DiffRows a moment ago; JSON only dropped undefined fields.
    const sent = value as DiffRow;
    out.push({ ...sent, bucket: sent.bucket, wesendit: sent.wesendit, outcome: sent.outcome, lookalikeOf: sent.lookalikeOf });
  }
  return out;
}

describe('PreviewRowStore', () => {
  it('gives back every row exactly as received, whatever fields its entries had', async () => {
    const bucket: InventoryEntry[] = [
      { key: 'A.txt', size: 5, lastModified: '2026-01-02T03:04:05.000Z', etag: md5(1) },
      { key: 'big.bin', size: 20_000_000, lastModified: '2026-01-02T03:04:05.000Z', etag: `${md5(2)}-4` },
      { key: 'conflict.txt', size: 3, lastModified: '2026-05-01T00:00:00.000Z', etag: md5(3) },
      { key: 'odd.txt', size: 1, lastModified: '2026-01-02', etag: '"QUOTED"' },
      { key: 'same.txt', size: 4, lastModified: '2026-01-01T00:00:00.000Z', etag: md5(4) },
    ];
    const wesendit: InventoryEntry[] = [
      { key: 'a.txt', size: 5, md5: md5(1) },
      { key: 'big.bin', size: 20_000_000, lastModified: '2025-01-01T00:00:00.000Z', multipartEtags: { 5242880: `${md5(9)}-4` } },
      { key: 'conflict.txt', size: 3, lastModified: '2026-06-01T00:00:00+02:00', md5: md5(5) },
      { key: 'same.txt', size: 4, md5: md5(4) },
      { key: 'w.txt', size: 0, md5: 'NOT-HEX' },
      { key: 'x-rounded.txt', size: 1_200_000, sizeTolerance: 50_000 },
    ];
    const rows = overTheWire(await diffRows(bucket, wesendit));
    const store = new PreviewRowStore();
    store.append(rows.slice(0, 2));
    store.append(rows.slice(2));
    expect(store.length).toBe(rows.length);
    expect([...store.rows()]).toEqual(rows);
    expect(store.row(0)).not.toHaveProperty('bucket.md5');
  });

  it('comes back whole from a snapshot stored by structured clone (a worker restart): every row, filter and search', async () => {
    const bucket: InventoryEntry[] = [];
    const wesendit: InventoryEntry[] = [];
    for (let i = 0; i < 3000; i++) {
      const key = `Dir ${i % 7}/Fïle-${String(i).padStart(5, '0')}.bin`;
      if (i % 5 !== 1) bucket.push({ key, size: i, lastModified: i % 9 === 0 ? '2026-01-02' : '2026-01-02T03:04:05.000Z', etag: i % 11 === 0 ? `${md5(i)}-3` : i % 13 === 0 ? '"odd"' : md5(i) });
      if (i % 5 !== 2) wesendit.push({ key: i % 17 === 0 ? key.toUpperCase() : key, size: i % 3 === 0 ? i + 1 : i, ...(i % 4 === 0 ? { md5: md5(i) } : { lastModified: '2027-01-01T00:00:00.000Z' }) });
    }
    const rows = overTheWire(await diffRows(bucket.sort((a, b) => (a.key < b.key ? -1 : 1)), wesendit.sort((a, b) => (a.key < b.key ? -1 : 1))));
    const store = new PreviewRowStore();
    store.append(rows);
    const restored = PreviewRowStore.fromSnapshot(structuredClone(store.snapshot()));
    expect(restored.length).toBe(rows.length);
    expect([...restored.rows()]).toEqual(rows);
    expect(restored.averageKeyLength).toBe(store.averageKeyLength);
    for (const filter of [{}, { classes: ['conflict' as const] }, { search: 'fïle-0001' }, { atRisk: 'newer-wins' as const }, { classes: ['unknown' as const, 'same' as const], search: 'dir 3' }]) {
      expect(restored.query(filter, 5, 200)).toEqual(store.query(filter, 5, 200));
    }
    // The restored store keeps growing like any other.
    restored.append(rows.slice(0, 3));
    expect(restored.row(rows.length + 2)).toEqual(rows[2]);
  });

  it('refuses a damaged snapshot instead of showing wrong rows', () => {
    const store = new PreviewRowStore();
    store.append([{ key: 'a', class: 'only-in-bucket', reason: 'r', bucket: { key: 'a', size: 1 }, wesendit: undefined, outcome: undefined, lookalikeOf: undefined }]);
    const snapshot = store.snapshot();
    expect(() => PreviewRowStore.fromSnapshot({ ...snapshot, keys: [] })).toThrow(RangeError);
    expect(() => PreviewRowStore.fromSnapshot({ ...snapshot, bucket: { ...snapshot.bucket, size: new Float64Array(0) } })).toThrow(/size column/);
  });

  it('filters by class, case-insensitive key search and at-risk policy, in pages', async () => {
    const bucket: InventoryEntry[] = [];
    const wesendit: InventoryEntry[] = [];
    for (let i = 0; i < 100; i++) {
      const key = `Photos/IMG_${String(i).padStart(3, '0')}.jpg`;
      if (i % 4 === 0) bucket.push({ key, size: i, etag: md5(i), lastModified: '2026-01-01T00:00:00.000Z' });
      else if (i % 4 === 1) wesendit.push({ key, size: i, md5: md5(i) });
      else if (i % 4 === 2) {
        bucket.push({ key, size: i, etag: md5(i) });
        wesendit.push({ key, size: i, md5: md5(i) });
      } else {
        // Conflicts: bucket newer on odd tens, WeSendit newer otherwise.
        const bucketNewer = Math.floor(i / 10) % 2 === 1;
        bucket.push({ key, size: i, etag: md5(i), lastModified: bucketNewer ? '2026-06-01T00:00:00.000Z' : '2026-01-01T00:00:00.000Z' });
        wesendit.push({ key, size: i, md5: md5(i + 1000), lastModified: bucketNewer ? '2026-01-01T00:00:00.000Z' : '2026-06-01T00:00:00.000Z' });
      }
    }
    const rows = overTheWire(await diffRows(bucket, wesendit));
    const store = new PreviewRowStore();
    store.append(rows);
    const expectKeys = (predicate: (row: DiffRow) => boolean): string[] => rows.filter(predicate).map((row) => row.key);
    const keys = (page: { rows: readonly DiffRow[] }): string[] => page.rows.map((row) => row.key);

    expect(store.query({}, 0, 1000).matching).toBe(100);
    expect(keys(store.query({ classes: ['conflict'] }, 0, 1000))).toEqual(expectKeys((row) => row.class === 'conflict'));
    expect(keys(store.query({ classes: ['same', 'only-in-bucket'] }, 0, 1000))).toEqual(expectKeys((row) => row.class === 'same' || row.class === 'only-in-bucket'));
    // Case-insensitive, and narrowing as the user types.
    expect(keys(store.query({ search: 'img_01' }, 0, 1000))).toEqual(expectKeys((row) => row.key.includes('IMG_01')));
    expect(keys(store.query({ search: 'IMG_012' }, 0, 1000))).toEqual(['Photos/IMG_012.jpg']);
    expect(store.query({ search: 'img_0' }, 0, 1000).matching).toBe(100);
    expect(store.query({ search: 'a.b' }, 0, 1000).matching).toBe(0);
    // Wesendit wins: every conflict loses the bucket's version. Newer wins: only where WeSendit is newer.
    expect(keys(store.query({ atRisk: 'wesendit-wins' }, 0, 1000))).toEqual(expectKeys((row) => row.class === 'conflict'));
    expect(keys(store.query({ atRisk: 'newer-wins' }, 0, 1000))).toEqual(expectKeys((row) => row.class === 'conflict' && row.outcome?.newerWins.winner === 'wesendit'));
    expect(store.query({ atRisk: 'newer-wins' }, 0, 1000).matching).toBeGreaterThan(0);
    expect(store.query({ atRisk: 'newer-wins' }, 0, 1000).matching).toBeLessThan(25);
    // Paging and bounds.
    const page = store.query({ classes: ['conflict'] }, 20, 3);
    expect(page).toMatchObject({ matching: 25, offset: 20 });
    expect(keys(page)).toEqual(expectKeys((row) => row.class === 'conflict').slice(20, 23));
    expect(store.query({}, 5000, 10)).toEqual({ matching: 100, offset: 100, rows: [] });
    expect(store.query({}, 0, 5000).rows).toHaveLength(100);
    // Rows appended later are seen by the same filter.
    store.append(overTheWire(await diffRows([{ key: 'zz/IMG_999.jpg', size: 1 }], [])));
    expect(store.query({ search: 'img_9' }, 0, 1000).matching).toBe(expectKeys((row) => row.key.includes('IMG_9')).length + 1);
  });

  it('holds 1,000,000 rows and filters them exactly (time and memory figures printed)', async () => {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    const collect = (): void => {
      if (typeof gc === 'function') gc();
    };
    collect();
    const memory = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = memory();
    const store = new PreviewRowStore();
    const classes = ['only-in-bucket', 'only-in-wesendit', 'same', 'conflict', 'unknown'] as const;
    const started = performance.now();
    let appendMs = 0;
    for (let chunk = 0; chunk < 1000; chunk++) {
      const rows: unknown[] = [];
      for (let n = 0; n < 1000; n++) {
        const i = chunk * 1000 + n;
        const key = `customers/${String(i % 997).padStart(4, '0')}/Projects/report-${String(i).padStart(7, '0')}.pdf`;
        const kind = classes[i % 10 < 4 ? 0 : i % 10 < 6 ? 1 : i % 10 < 8 ? 2 : i % 10 < 9 ? 3 : 4];
        const bucket = { key, size: 1000 + i, lastModified: '2026-03-04T05:06:07.000Z', etag: md5(i) };
        const wesendit = { key, size: 1000 + i, lastModified: '2026-03-05T05:06:07.000Z', md5: md5(kind === 'conflict' ? i + 1 : i) };
        const outcome = {
          newerWins: { winner: 'wesendit', reason: 'WeSendit’s version is newer', loss: `the bucket’s version (${1000 + i} B) is overwritten`, bytesAtRisk: 1000 + i },
          wesenditWins: { winner: 'wesendit', reason: 'WeSendit’s version always wins', loss: `the bucket’s version (${1000 + i} B) is overwritten`, bytesAtRisk: 1000 + i },
        };
        rows.push({
          key,
          class: kind,
          reason: kind === 'same' ? 'MD5 equal' : kind === 'conflict' ? 'same size, MD5 differs' : kind === 'unknown' ? 'multipart ETag vs size only' : 'only on one side',
          ...(kind !== 'only-in-wesendit' ? { bucket } : {}),
          ...(kind !== 'only-in-bucket' ? { wesendit } : {}),
          ...(kind === 'conflict' || kind === 'unknown' ? { outcome } : {}),
        });
      }
      const parsed: unknown = JSON.parse(JSON.stringify(rows));
      if (!Array.isArray(parsed)) throw new Error('not an array');
      const t0 = performance.now();
      // Shaped above as rows over the wire.
      store.append(parsed as DiffRow[]);
      appendMs += performance.now() - t0;
    }
    const ingestMs = performance.now() - started;
    collect();
    const heapMb = (memory() - before) / 1e6;
    store.prepare();
    const time = (run: () => unknown): number => {
      const t0 = performance.now();
      run();
      return performance.now() - t0;
    };
    const firstPage = time(() => store.query({}, 0, 100));
    const atRiskFirst = time(() => store.query({ atRisk: 'wesendit-wins' }, 0, 100));
    const classFilter = time(() => store.query({ classes: ['conflict'] }, 0, 100));
    const classAgain = time(() => store.query({ classes: ['conflict'] }, 500, 100));
    const searchCold = time(() => store.query({ search: 'projects/report-0' }, 0, 100));
    const searchTyped = time(() => store.query({ search: 'projects/report-00123' }, 0, 100));
    const searchFresh = time(() => store.query({ search: 'REPORT-0999' }, 0, 100));
    const atRisk = time(() => store.query({ atRisk: 'newer-wins' }, 0, 100));
    const combined = time(() => store.query({ classes: ['conflict', 'unknown'], search: '0042/' }, 0, 100));
    console.log(
      `1M rows: heap + typed arrays ${heapMb.toFixed(0)} MB, append ${appendMs.toFixed(0)} ms (generation + JSON ${(ingestMs - appendMs).toFixed(0)} ms); first page ${firstPage.toFixed(1)} ms; class filter ${classFilter.toFixed(1)} ms (cached page ${classAgain.toFixed(2)} ms); ` +
        `search cold ${searchCold.toFixed(1)} ms, narrowed ${searchTyped.toFixed(1)} ms, other ${searchFresh.toFixed(1)} ms; at-risk ${atRisk.toFixed(1)} ms (first query of all ${atRiskFirst.toFixed(1)} ms); class+search ${combined.toFixed(1)} ms`,
    );
    expect(store.length).toBe(1_000_000);
    expect(store.query({ classes: ['conflict'] }, 0, 1).matching).toBe(100_000);
    expect(store.query({ search: 'REPORT-0999' }, 0, 1).matching).toBe(1000);
    // The figures above are printed, not asserted: speed and memory targets live in bench:preview.
  }, 120_000);
});
