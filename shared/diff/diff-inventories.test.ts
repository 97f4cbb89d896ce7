import { describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../inventory.ts';
import { diffInventories, diffInventoryBatches, type DiffRow } from './diff-inventories.ts';
import { summarizeDiff } from './summarize-diff.ts';
import { ConnectGuardError } from '../errors.ts';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const C = 'c'.repeat(32);
const MiB = 1024 * 1024;

async function collect(bucket: InventoryEntry[], wesendit: InventoryEntry[]): Promise<DiffRow[]> {
  const rows: DiffRow[] = [];
  for await (const row of diffInventories(bucket, wesendit)) rows.push(row);
  return rows;
}

async function one(bucket: InventoryEntry, wesendit: InventoryEntry): Promise<DiffRow> {
  const rows = await collect([bucket], [wesendit]);
  expect(rows).toHaveLength(1);
  const [row] = rows;
  if (!row) throw new Error('no row');
  return row;
}

describe('diffInventories classes and reasons', () => {
  it.each<[string, InventoryEntry, InventoryEntry, DiffRow['class'], string | RegExp]>([
    ['equal MD5 (etag vs md5)', { key: 'k', size: 5, etag: A }, { key: 'k', size: 5, md5: A }, 'same', 'MD5 equal'],
    ['quoted upper-case ETag', { key: 'k', size: 5, etag: `"${A.toUpperCase()}"` }, { key: 'k', size: 5, md5: A }, 'same', 'MD5 equal'],
    ['different MD5', { key: 'k', size: 5, etag: A }, { key: 'k', size: 5, md5: B }, 'conflict', 'same size, MD5 differs'],
    ['different sizes', { key: 'k', size: 1_200_000, etag: A }, { key: 'k', size: 800_000 }, 'conflict', 'sizes differ (1.2 MB in the bucket vs 800 KB in WeSendit)'],
    ['both empty without hashes', { key: 'k', size: 0 }, { key: 'k', size: 0 }, 'same', 'both empty'],
    ['equal size, no hash on WeSendit side', { key: 'k', size: 42, etag: A }, { key: 'k', size: 42 }, 'unknown', 'sizes equal (42 B) but the WeSendit side has no hash'],
    ['equal size, no hash on either side', { key: 'k', size: 42 }, { key: 'k', size: 42 }, 'unknown', 'sizes equal (42 B) but neither side has a hash'],
    [
      'multipart ETag matched by a local part hash',
      { key: 'k', size: 20 * MiB, etag: `${C}-3` },
      { key: 'k', size: 20 * MiB, md5: A, multipartEtags: { [8 * MiB]: `${C}-3`, [16 * MiB]: `${B}-2` } },
      'same',
      'multipart ETag cccccccc…-3 matches the WeSendit file hashed with 8 MiB parts',
    ],
    [
      'multipart ETag, fitting part size hashed but no match',
      { key: 'k', size: 20 * MiB, etag: `${C}-3` },
      { key: 'k', size: 20 * MiB, md5: A, multipartEtags: { [8 * MiB]: `${A}-3` } },
      'unknown',
      /does not match the WeSendit file hashed with 8 MiB parts/,
    ],
    [
      'multipart ETag vs plain MD5 only',
      { key: 'k', size: 20 * MiB, etag: `${C}-3` },
      { key: 'k', size: 20 * MiB, md5: A },
      'unknown',
      /cannot be compared with the WeSendit file's MD5: the part size is not known \(part sizes from 6\.67 MiB to 10 MiB fit\)/,
    ],
    ['equal multipart ETags', { key: 'k', size: 20 * MiB, etag: `${C}-3` }, { key: 'k', size: 20 * MiB, etag: `${C}-3` }, 'same', 'ETag equal'],
    // WeSendit's file browser shows "1.2 MB": anything from 1,150,000 to 1,250,000 bytes.
    ['identical file, WeSendit size rounded, no hash', { key: 'k', size: 1_234_567, etag: A }, { key: 'k', size: 1_200_000, sizeTolerance: 50_000 }, 'unknown', "sizes agree within WeSendit's rounding (1.2 MB in the bucket, 1.2 MB ± 50 KB in WeSendit) but the WeSendit side has no hash"],
    ['identical file, rounded size, MD5 shown', { key: 'k', size: 1_234_567, etag: A }, { key: 'k', size: 1_200_000, sizeTolerance: 50_000, md5: A }, 'same', 'MD5 equal'],
    ['rounded size within rounding, MD5 differs', { key: 'k', size: 1_234_567, etag: A }, { key: 'k', size: 1_200_000, sizeTolerance: 50_000, md5: B }, 'conflict', 'MD5 differs'],
    ['rounded size, differs by more than the rounding', { key: 'k', size: 1_300_001, etag: A }, { key: 'k', size: 1_200_000, sizeTolerance: 50_000 }, 'conflict', /^sizes differ by more than WeSendit's rounding/],
    ['rounded "0 KB" is not proven empty', { key: 'k', size: 0 }, { key: 'k', size: 0, sizeTolerance: 500 }, 'unknown', /within WeSendit's rounding/],
    ['different multipart ETags', { key: 'k', size: 20 * MiB, etag: `${C}-3` }, { key: 'k', size: 20 * MiB, etag: `${A}-2` }, 'unknown', /different part counts/],
  ])('%s', async (_name, bucket, wesendit, expectedClass, reason) => {
    const row = await one(bucket, wesendit);
    expect(row.class).toBe(expectedClass);
    if (typeof reason === 'string') expect(row.reason).toBe(reason);
    else expect(row.reason).toMatch(reason);
    expect(row.outcome === undefined).toBe(expectedClass === 'same');
  });

  it('emits only-in rows in S3 order with their side', async () => {
    const rows = await collect(
      [{ key: 'a', size: 1 }, { key: 'c', size: 3 }],
      [{ key: 'b', size: 2 }, { key: 'd', size: 4 }],
    );
    expect(rows.map((r) => [r.key, r.class])).toEqual([
      ['a', 'only-in-bucket'],
      ['b', 'only-in-wesendit'],
      ['c', 'only-in-bucket'],
      ['d', 'only-in-wesendit'],
    ]);
    expect(rows[0]?.reason).toBe('only in the bucket: will appear in WeSendit');
    expect(rows[1]?.reason).toBe('only in WeSendit: will be written to the bucket');
  });

  it('merges astral keys in UTF-8 order, not UTF-16 order', async () => {
    // UTF-16 puts 😀 (surrogates) before U+FF01; UTF-8 (S3) puts it after.
    const rows = await collect([{ key: '\uFF01', size: 1 }, { key: '😀', size: 1 }], [{ key: '😀', size: 1, md5: A }]);
    expect(rows.map((r) => r.key)).toEqual(['\uFF01', '😀']);
    expect(rows[1]?.class).toBe('unknown');
  });

  it('accepts batches and single entries mixed, and batches its output', async () => {
    async function* source(): AsyncGenerator<InventoryEntry | InventoryEntry[]> {
      yield [{ key: 'a', size: 1 }, { key: 'b', size: 1 }];
      yield { key: 'c', size: 1 };
    }
    const batches: DiffRow[][] = [];
    for await (const batch of diffInventoryBatches(source(), [], { batchSize: 2 })) batches.push(batch);
    expect(batches.map((b) => b.map((r) => r.key))).toEqual([['a', 'b'], ['c']]);
  });
});

describe('diffInventories predicted winners', () => {
  const bucket = { key: 'k', size: 4_200_000, etag: A, lastModified: '2024-03-01T10:00:00.000Z' };
  it('newer WeSendit version wins under both policies', async () => {
    const row = await one(bucket, { key: 'k', size: 1_000_000, md5: B, lastModified: '2024-05-02T08:00:00Z' });
    expect(row.outcome?.newerWins.winner).toBe('wesendit');
    expect(row.outcome?.newerWins.loss).toBe("the bucket's 2024-03-01 version (4.2 MB) is overwritten");
    expect(row.outcome?.newerWins.bytesAtRisk).toBe(4_200_000);
    expect(row.outcome?.wesenditWins.winner).toBe('wesendit');
    expect(row.outcome?.wesenditWins.loss).toBe("the bucket's 2024-03-01 version (4.2 MB) is overwritten");
  });
  it('newer bucket version wins under newer-wins, loses under WeSendit-wins', async () => {
    const row = await one(bucket, { key: 'k', size: 1_000_000, md5: B, lastModified: '2023-01-01T00:00:00Z' });
    expect(row.outcome?.newerWins.winner).toBe('bucket');
    expect(row.outcome?.newerWins.loss).toBe("WeSendit's 2023-01-01 version (1 MB) is overwritten by the bucket version");
    expect(row.outcome?.newerWins.bytesAtRisk).toBe(1_000_000);
    expect(row.outcome?.wesenditWins.bytesAtRisk).toBe(4_200_000);
  });
  it('same time is a tie, said plainly', async () => {
    const row = await one(bucket, { key: 'k', size: 1, md5: B, lastModified: '2024-03-01T10:00:00Z' });
    expect(row.outcome?.newerWins.winner).toBe('tie');
    expect(row.outcome?.newerWins.reason).toMatch(/both modified at 2024-03-01T10:00:00Z/);
    expect(row.outcome?.newerWins.bytesAtRisk).toBe(4_200_000);
  });
  it('a missing time makes newer-wins unknown', async () => {
    const row = await one(bucket, { key: 'k', size: 1, md5: B });
    expect(row.outcome?.newerWins.winner).toBe('unknown');
    expect(row.outcome?.newerWins.reason).toBe('cannot tell which is newer: the WeSendit side has no modification time');
  });
});

describe('diffInventories look-alikes', () => {
  it('flags case-only and NFC/NFD twins, across and within sides', async () => {
    const nfd = 'cafe\u0301.txt';
    const nfc = 'caf\u00e9.txt';
    const rows = await collect(
      [{ key: 'Photo.jpg', size: 1 }, { key: nfd, size: 1 }, { key: 'x', size: 1 }],
      [{ key: 'X', size: 1 }, { key: nfc, size: 1 }, { key: 'photo.jpg', size: 1 }],
    );
    const flagged = Object.fromEntries(rows.map((r) => [r.key, r.lookalikeOf]));
    expect(flagged).toEqual({ X: undefined, 'Photo.jpg': undefined, [nfd]: undefined, 'photo.jpg': 'Photo.jpg', [nfc]: nfd, x: 'X' });
  });
  it('does not flag the same key present on both sides', async () => {
    const row = await one({ key: 'Same', size: 1 }, { key: 'Same', size: 1 });
    expect(row.lookalikeOf).toBeUndefined();
  });
  it('can be switched off', async () => {
    const rows: DiffRow[] = [];
    for await (const r of diffInventories([{ key: 'A', size: 1 }, { key: 'a', size: 1 }], [], { lookalikes: false })) rows.push(r);
    expect(rows.every((r) => r.lookalikeOf === undefined)).toBe(true);
  });
});

describe('diffInventories input checks', () => {
  it.each([
    ['unsorted bucket', [{ key: 'b', size: 1 }, { key: 'a', size: 1 }], [], /bucket inventory is not in S3 key order: "a" \(entry 2\) comes after "b"/],
    ['duplicate WeSendit key', [], [{ key: 'a', size: 1 }, { key: 'a', size: 1 }], /WeSendit inventory lists the key "a" twice \(entry 2\)/],
    // JavaScript's default sort would put 😀 first; S3 order puts it last.
    ['UTF-16 sorted astral keys', [{ key: '😀', size: 1 }, { key: '\uFF01', size: 1 }], [], /not in S3 key order/],
  ])('%s → clear error', async (_name, bucket, wesendit, message) => {
    const run = collect(bucket, wesendit);
    await expect(run).rejects.toBeInstanceOf(ConnectGuardError);
    await expect(collect(bucket, wesendit)).rejects.toThrow(message);
  });
});

describe('summarizeDiff', () => {
  it('totals objects and bytes per class and bytes at risk per policy', async () => {
    const rows = diffInventories(
      [
        { key: 'both-conflict-newer-bucket', size: 100, etag: A, lastModified: '2024-02-01T00:00:00Z' },
        { key: 'both-conflict-newer-wesendit', size: 200, etag: A, lastModified: '2024-01-01T00:00:00Z' },
        { key: 'both-same', size: 10, etag: A },
        { key: 'both-unknown', size: 7 },
        { key: 'only-bucket', size: 1000 },
      ],
      [
        { key: 'Only-bucket', size: 3 },
        { key: 'both-conflict-newer-bucket', size: 50, md5: B, lastModified: '2024-01-01T00:00:00Z' },
        { key: 'both-conflict-newer-wesendit', size: 20, md5: B, lastModified: '2024-02-01T00:00:00Z' },
        { key: 'both-same', size: 10, md5: A },
        { key: 'both-unknown', size: 7 },
      ],
    );
    const totals = await summarizeDiff(rows);
    expect(totals.objects).toBe(6);
    expect(totals.classes['only-in-bucket']).toEqual({ objects: 1, bucketBytes: 1000, wesenditBytes: 0 });
    expect(totals.classes['only-in-wesendit']).toEqual({ objects: 1, bucketBytes: 0, wesenditBytes: 3 });
    expect(totals.classes.same).toEqual({ objects: 1, bucketBytes: 10, wesenditBytes: 10 });
    expect(totals.classes.conflict).toEqual({ objects: 2, bucketBytes: 300, wesenditBytes: 70 });
    expect(totals.classes.unknown).toEqual({ objects: 1, bucketBytes: 7, wesenditBytes: 7 });
    // Newer wins: WeSendit's 50 B lost on the first, the bucket's 200 B on the second.
    expect(totals.atRisk.newerWins).toEqual({ objects: 2, bytes: 250, undecided: 0 });
    expect(totals.atRisk.wesenditWins).toEqual({ objects: 2, bytes: 300, undecided: 0 });
    expect(totals.atRisk.unknownNewerWins).toEqual({ objects: 1, bytes: 7, undecided: 1 });
    expect(totals.lookalikes).toBe(1);
    expect(totals.examples.lookalike[0]?.key).toBe('only-bucket');
  });
});
