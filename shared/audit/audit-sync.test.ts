import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../inventory.ts';
import { auditSyncBatches, type AuditKind, type AuditRow, type ContentHash } from './audit-sync.ts';
import { AuditTally, auditVerdict } from './audit-totals.ts';
import { formatAuditCsvHeader, formatAuditRowCsv, formatAuditRowJson, formatAuditSummary } from './format-audit-report.ts';
import type { PlanEntry } from './sync-plan.ts';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

const A = md5('a');
const B = md5('b');
const C = md5('c');
const MULTI_OLD = `${md5('parts-old')}-3`;
const MULTI_NEW = `${md5('parts-new')}-2`;

async function review(plan: PlanEntry[], bucket: InventoryEntry[], options: Parameters<typeof auditSyncBatches>[2] = {}): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  for await (const batch of auditSyncBatches(plan, bucket, { batchSize: 2, ...options })) rows.push(...batch);
  return rows;
}

interface Case {
  readonly name: string;
  readonly entry: PlanEntry | undefined;
  readonly current: InventoryEntry | undefined;
  readonly wesendit?: InventoryEntry | 'absent';
  readonly content?: ContentHash;
  readonly kind: AuditKind;
  readonly mark: string;
  readonly restore?: 'restore' | 'overwrite';
  readonly proof?: string;
}

const K = 'photos/x.jpg';
const CASES: readonly Case[] = [
  { name: 'same stays same', entry: { key: K, class: 'same', winner: 'both', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: A } }, current: { key: K, size: 1, etag: A }, kind: 'unchanged', mark: '=', proof: 'etag' },
  { name: 'same changed', entry: { key: K, class: 'same', winner: 'both', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: A } }, current: { key: K, size: 1, etag: B }, kind: 'changed-unexpectedly', mark: '*', restore: 'overwrite', proof: 'md5' },
  { name: 'same gone', entry: { key: K, class: 'same', winner: 'both', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: A } }, current: undefined, kind: 'gone-from-bucket', mark: '+', restore: 'restore' },
  { name: 'only in bucket kept', entry: { key: K, class: 'only-in-bucket', winner: 'bucket', bucket: { size: 1, etag: A } }, current: { key: K, size: 1, etag: A }, kind: 'visible-in-wesendit', mark: '=' },
  { name: 'only in bucket kept, WeSendit shows it', entry: { key: K, class: 'only-in-bucket', winner: 'bucket', bucket: { size: 1, etag: A } }, current: { key: K, size: 1, etag: A }, wesendit: { key: K, size: 1, md5: A }, kind: 'visible-in-wesendit', mark: '=' },
  { name: 'only in bucket, not in WeSendit yet', entry: { key: K, class: 'only-in-bucket', winner: 'bucket', bucket: { size: 1, etag: A } }, current: { key: K, size: 1, etag: A }, wesendit: 'absent', kind: 'not-in-wesendit-yet', mark: '=' },
  { name: 'only in bucket, resized', entry: { key: K, class: 'only-in-bucket', winner: 'bucket', bucket: { size: 1, etag: A } }, current: { key: K, size: 2, etag: B }, kind: 'changed-unexpectedly', mark: '*', restore: 'overwrite', proof: 'size' },
  { name: 'only in bucket, deleted', entry: { key: K, class: 'only-in-bucket', winner: 'bucket', bucket: { size: 1, etag: A } }, current: undefined, kind: 'gone-from-bucket', mark: '+', restore: 'restore' },
  { name: 'only in WeSendit arrived', entry: { key: K, class: 'only-in-wesendit', winner: 'wesendit', wesendit: { size: 1, md5: A } }, current: { key: K, size: 1, etag: A }, kind: 'written-from-wesendit', mark: '=', proof: 'md5' },
  { name: 'only in WeSendit not yet', entry: { key: K, class: 'only-in-wesendit', winner: 'wesendit', wesendit: { size: 1, md5: A } }, current: undefined, kind: 'not-written-yet', mark: '+' },
  { name: 'only in WeSendit, wrong bytes', entry: { key: K, class: 'only-in-wesendit', winner: 'wesendit', wesendit: { size: 1, md5: A } }, current: { key: K, size: 1, etag: C }, kind: 'matches-neither', mark: '*' },
  { name: 'conflict, WeSendit wins as predicted', entry: { key: K, class: 'conflict', winner: 'wesendit', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: { key: K, size: 1, etag: B }, kind: 'conflict-resolved', mark: '=' },
  { name: 'conflict, bucket wins as predicted', entry: { key: K, class: 'conflict', winner: 'bucket', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: { key: K, size: 1, etag: A }, kind: 'conflict-resolved', mark: '=' },
  { name: 'conflict, WeSendit won instead of the bucket', entry: { key: K, class: 'conflict', winner: 'bucket', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: { key: K, size: 1, etag: B }, kind: 'conflict-won-by-other-side', mark: '*', restore: 'overwrite' },
  { name: 'conflict, bucket still there, WeSendit untouched', entry: { key: K, class: 'conflict', winner: 'wesendit', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: { key: K, size: 1, etag: A }, wesendit: { key: K, size: 1, md5: B }, kind: 'not-overwritten-yet', mark: '*' },
  { name: 'conflict, bucket won instead of WeSendit', entry: { key: K, class: 'conflict', winner: 'wesendit', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: { key: K, size: 1, etag: A }, wesendit: { key: K, size: 1, md5: A }, kind: 'conflict-won-by-other-side', mark: '*' },
  { name: 'conflict, neither', entry: { key: K, class: 'conflict', winner: 'wesendit', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: { key: K, size: 1, etag: C }, kind: 'matches-neither', mark: '*' },
  { name: 'conflict undecided, neither: the bucket version is lost', entry: { key: K, class: 'conflict', winner: 'undecided', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: { key: K, size: 1, etag: C }, kind: 'matches-neither', mark: '*', restore: 'overwrite' },
  { name: 'conflict undecided, either is fine', entry: { key: K, class: 'conflict', winner: 'undecided', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: { key: K, size: 1, etag: B }, kind: 'conflict-resolved', mark: '=' },
  { name: 'conflict, gone', entry: { key: K, class: 'conflict', winner: 'wesendit', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: B } }, current: undefined, kind: 'gone-from-bucket', mark: '+', restore: 'restore' },
  { name: 'extra key', entry: undefined, current: { key: K, size: 1, etag: A }, kind: 'extra-key', mark: '-' },
  {
    name: 'multipart re-uploaded with another part size, same bytes (SHA-256)',
    entry: { key: K, class: 'same', winner: 'both', bucket: { size: 9, etag: MULTI_OLD, sha256: sha('nine') }, wesendit: { size: 9, md5: md5('nine') } },
    current: { key: K, size: 9, etag: MULTI_NEW },
    content: { sha256: sha('nine'), md5: md5('nine') },
    kind: 'unchanged',
    mark: '=',
    proof: 'sha256',
  },
  {
    name: 'multipart re-uploaded with other bytes (SHA-256)',
    entry: { key: K, class: 'same', winner: 'both', bucket: { size: 9, etag: MULTI_OLD, sha256: sha('nine') }, wesendit: { size: 9, md5: md5('nine') } },
    current: { key: K, size: 9, etag: MULTI_NEW },
    content: { sha256: sha('NINE'), md5: md5('NINE') },
    kind: 'changed-unexpectedly',
    mark: '*',
    restore: 'overwrite',
    proof: 'sha256',
  },
  {
    name: 'multipart that cannot be read',
    entry: { key: K, class: 'same', winner: 'both', bucket: { size: 9, etag: MULTI_OLD, sha256: sha('nine') }, wesendit: { size: 9, md5: md5('nine') } },
    current: { key: K, size: 9, etag: MULTI_NEW },
    content: { error: 'AccessDenied' },
    kind: 'unverifiable',
    mark: '!',
  },
  {
    name: 'encrypted bucket: a new plain ETag proves nothing, the bytes do',
    entry: { key: K, class: 'same', winner: 'both', bucket: { size: 4, etag: md5('random'), md5: md5('four'), sha256: sha('four') }, wesendit: { size: 4, md5: md5('four') } },
    current: { key: K, size: 4, etag: md5('other random') },
    content: { sha256: sha('four'), md5: md5('four') },
    kind: 'unchanged',
    mark: '=',
    proof: 'sha256',
  },
  {
    name: 'only in WeSendit written as multipart, proven by MD5 of the bytes',
    entry: { key: K, class: 'only-in-wesendit', winner: 'wesendit', wesendit: { size: 9, md5: md5('nine') } },
    current: { key: K, size: 9, etag: MULTI_NEW },
    content: { sha256: sha('nine'), md5: md5('nine') },
    kind: 'written-from-wesendit',
    mark: '=',
    proof: 'md5',
  },
];

describe('auditSyncBatches: one verdict per key', () => {
  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const read: string[] = [];
      const wesendit = testCase.wesendit === undefined ? undefined : testCase.wesendit === 'absent' ? [] : [testCase.wesendit];
      const rows = await review(testCase.entry ? [testCase.entry] : [], testCase.current ? [testCase.current] : [], {
        ...(wesendit ? { wesendit } : {}),
        ...(testCase.content
          ? {
              checkContent: async (objects) => {
                read.push(...objects.map((object) => object.key));
                return new Map(objects.map((object) => [object.key, testCase.content as ContentHash]));
              },
            }
          : {}),
      });
      expect(rows).toHaveLength(1);
      const [row] = rows;
      expect(row?.kind).toBe(testCase.kind);
      expect(row?.mark).toBe(testCase.mark);
      expect(row?.restore).toBe(testCase.restore);
      if (testCase.proof) expect(row?.proof).toBe(testCase.proof);
      // Only what the listing cannot prove is read.
      expect(read.length > 0).toBe(testCase.content !== undefined);
    });
  }

  it('without a content check, an unprovable key is unverifiable, never as predicted', async () => {
    const rows = await review([{ key: K, class: 'same', winner: 'both', bucket: { size: 9, etag: MULTI_OLD, sha256: sha('nine') }, wesendit: { size: 9, md5: md5('nine') } }], [{ key: K, size: 9, etag: MULTI_NEW }]);
    expect(rows[0]?.kind).toBe('unverifiable');
    expect(rows[0]?.status).toBe('unexpected');
  });
});

describe('auditSyncBatches: a whole review', () => {
  const plan: PlanEntry[] = [
    { key: 'a-same', class: 'same', winner: 'both', bucket: { size: 1, etag: A }, wesendit: { size: 1, md5: A } },
    { key: 'b-lost', class: 'only-in-bucket', winner: 'bucket', bucket: { size: 10, etag: A } },
    { key: 'c-late', class: 'only-in-wesendit', winner: 'wesendit', wesendit: { size: 5, md5: B } },
    { key: 'd-arrived', class: 'only-in-wesendit', winner: 'wesendit', wesendit: { size: 1, md5: B } },
    { key: 'e-overwritten', class: 'conflict', winner: 'bucket', bucket: { size: 3, etag: A }, wesendit: { size: 3, md5: B } },
  ];
  const bucket: InventoryEntry[] = [
    { key: 'a-same', size: 1, etag: A },
    { key: 'd-arrived', size: 1, etag: B },
    { key: 'd-extra', size: 7, etag: C },
    { key: 'e-overwritten', size: 3, etag: B },
  ];

  it('counts statuses, kinds and bytes, selects the restore, keeps key order', async () => {
    const rows = await review(plan, bucket);
    expect(rows.map((row) => row.key)).toEqual(['a-same', 'b-lost', 'c-late', 'd-arrived', 'd-extra', 'e-overwritten']);
    const tally = new AuditTally();
    tally.addBatch(rows);
    const totals = tally.totals;
    expect(totals.objects).toBe(6);
    expect(totals.statuses['as-predicted']).toEqual({ objects: 2, bytes: 2 });
    expect(totals.statuses['not-yet-arrived']).toEqual({ objects: 1, bytes: 5 });
    expect(totals.statuses.unexpected).toEqual({ objects: 3, bytes: 20 });
    expect(totals.kinds['gone-from-bucket'].objects).toBe(1);
    expect(totals.kinds['extra-key'].objects).toBe(1);
    expect(totals.kinds['conflict-won-by-other-side'].objects).toBe(1);
    expect(tally.restoreKeys).toEqual([
      { key: 'b-lost', selection: 'restore' },
      { key: 'e-overwritten', selection: 'overwrite' },
    ]);
    expect(totals.restore).toEqual({ objects: 2, bytes: 13 });
    expect(tally.pendingKeys).toEqual(['c-late']);
    expect(auditVerdict(totals)).toBe('unexpected');
  });

  it('"check again" reviews only the keys asked for', async () => {
    const rows = await review(plan, [...bucket, { key: 'c-late', size: 5, etag: B }].sort((x, y) => (x.key < y.key ? -1 : 1)), { onlyKeys: new Set(['c-late']) });
    expect(rows.map((row) => [row.key, row.kind])).toEqual([['c-late', 'written-from-wesendit']]);
  });

  it('refuses a listing out of S3 order, naming the key', async () => {
    await expect(review(plan, [bucket[1] as InventoryEntry, bucket[0] as InventoryEntry])).rejects.toThrow(/"a-same" after "d-arrived"/);
  });

  it('writes rclone check marks, sorted, with the prediction beside them', async () => {
    const rows = await review(plan, bucket);
    const ndjson = rows.map(formatAuditRowJson);
    expect(ndjson.map((line) => (JSON.parse(line) as { mark: string }).mark)).toEqual(['=', '+', '+', '=', '-', '*']);
    expect(JSON.parse(ndjson[5] ?? '{}')).toMatchObject({ key: 'e-overwritten', status: 'unexpected', kind: 'conflict-won-by-other-side', predicted: "conflict: the bucket's version stays", restore: 'overwrite' });
    const csv = formatAuditCsvHeader() + rows.map(formatAuditRowCsv).join('');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('mark,key,status,kind,predicted,actual,proof,plan_class,winner,size,etag,restore');
    expect(lines.slice(1).map((line) => line.slice(0, 3))).toEqual(['"="', '"+"', '"+"', '"="', '"-"', '"*"']);
    expect(lines[2]).toContain('b-lost,unexpected,gone-from-bucket');
  });

  it('summarises with the restore advice when something was lost', async () => {
    const rows = await review(plan, bucket);
    const tally = new AuditTally();
    tally.addBatch(rows);
    const text = formatAuditSummary(tally.totals, { plan: { format: 'connect-guard-sync-plan', version: 1, bucket: 'b', policy: 'wesendit-wins', createdAt: '2026-01-01T00:00:00Z', wesenditSource: 'manifest' } }, rows);
    expect(text).toMatch(/Unexpected\s+3/);
    expect(text).toContain('gone from the bucket (data loss)');
    expect(text).toContain('2 objects');
  });
});
