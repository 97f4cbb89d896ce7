import { describe, expect, it } from 'vitest';
import { diffInventories } from './diff-inventories.ts';
import { summarizeDiff } from './summarize-diff.ts';
import {
  describeMultipartUploads,
  formatCsvCell,
  formatDiffCsvHeader,
  formatDiffRowCsv,
  formatDiffRowJson,
  formatDiffSummary,
  formatDiffTotalsJson,
} from './format-diff-report.ts';

/** A minimal RFC 4180 reader, to prove the writer round-trips. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = (): void => {
    record.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endCell();
    else if (ch === '\r' && text[i + 1] === '\n') {
      endCell();
      records.push(record);
      record = [];
      i++;
    } else cell += ch;
  }
  return records;
}

describe('formatCsvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    [42, '42'],
    [undefined, ''],
  ])('%j → %s', (input, expected) => {
    expect(formatCsvCell(input)).toBe(expected);
  });
});

describe('reports', () => {
  const bucket = [
    { key: '=cmd|calc', size: 3, etag: 'a'.repeat(32), lastModified: '2024-01-01T00:00:00Z' },
    { key: 'a,"quoted"\nkey', size: 5, etag: 'a'.repeat(32) },
  ];
  const wesendit = [
    { key: '=cmd|calc', size: 4, md5: 'b'.repeat(32), lastModified: '2024-02-01T00:00:00Z' },
    { key: 'new.txt', size: 9 },
  ];

  it('CSV round-trips hostile keys and defuses formulas', async () => {
    let csv = formatDiffCsvHeader();
    for await (const row of diffInventories(bucket, wesendit)) csv += formatDiffRowCsv(row);
    const records = parseCsv(csv);
    expect(records[0]?.[0]).toBe('key');
    expect(records.map((r) => r[0])).toEqual(['key', "'=cmd|calc", 'a,"quoted"\nkey', 'new.txt']);
    expect(records.every((r) => r.length === records[0]?.length)).toBe(true);
    expect(records[1]?.[1]).toBe('conflict');
    expect(records[1]?.[10]).toBe('wesendit');
  });

  it('NDJSON rows and totals parse back', async () => {
    const lines: string[] = [];
    for await (const row of diffInventories(bucket, wesendit)) lines.push(formatDiffRowJson(row));
    const totals = await summarizeDiff(diffInventories(bucket, wesendit));
    lines.push(formatDiffTotalsJson(totals, { multipartUploads: { supported: true, count: 0 } }));
    const parsed = lines.map((l) => JSON.parse(l) as { type: string; class?: string; objects?: number });
    expect(parsed.map((p) => p.type)).toEqual(['row', 'row', 'row', 'totals']);
    expect(parsed.slice(0, 3).map((p) => p.class)).toEqual(['conflict', 'only-in-bucket', 'only-in-wesendit']);
    expect(parsed[3]?.objects).toBe(3);
  });

  it('summary gives counts, risk, look-alikes and the Integrating Existing Data advice', async () => {
    const totals = await summarizeDiff(diffInventories([...bucket, { key: 'new.TXT', size: 1 }].sort((x, y) => (x.key < y.key ? -1 : 1)), wesendit));
    const text = formatDiffSummary(totals, { bucketSource: 's3://b', multipartUploads: { supported: true, count: 2 } });
    expect(text).toMatch(/Conflict \(different content: may be overwritten\)\s+1/);
    expect(text).toMatch(/If WeSendit's version wins: +1 conflict, 3 B of the bucket's data lost/);
    expect(text).toMatch(/"new.txt" looks like "new.TXT"/);
    expect(text).toMatch(/2 uploads in progress/);
    expect(text).toMatch(/Strategy 2, Integrating Existing Data/);
    expect(text).toMatch(/Create a full backup of the bucket first/);
  });

  it('summary advises a Fresh Start for an empty bucket', async () => {
    const totals = await summarizeDiff(diffInventories([], wesendit));
    expect(formatDiffSummary(totals)).toMatch(/bucket is empty\. Strategy 1, Fresh Start/);
  });

  it.each([
    [{ supported: true, count: 0 } as const, 'no active uploads'],
    [{ supported: true, count: 1 } as const, '1 upload in progress'],
    [{ supported: false, reason: 'NotImplemented' } as const, 'the server does not support listing them (NotImplemented)'],
  ])('multipart upload status %j', (status, text) => {
    expect(describeMultipartUploads(status)).toContain(text);
  });
});
