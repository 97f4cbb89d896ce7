import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DiffRow } from '../diff/diff-inventories.ts';
import { diffInventories } from '../diff/diff-inventories.ts';
import { PlanLineReader, PlanTextBuilder, checkPlanTarget, planEntryFromRow, winnerOf, type PlanEntry, type PlanHasher, type PlanHeader } from './sync-plan.ts';

function sha256(): PlanHasher {
  const hash = createHash('sha256');
  return { update: (text) => void hash.update(text, 'utf8'), digest: () => hash.copy().digest('hex') };
}

const HEADER: PlanHeader = { format: 'connect-guard-sync-plan', version: 1, bucket: 'usr-1-itm-2-nas', endpoint: 'http://127.0.0.1:7480', policy: 'wesendit-wins', createdAt: '2026-12-06T16:00:00Z', wesenditSource: 'manifest' };

async function rows(): Promise<DiffRow[]> {
  const out: DiffRow[] = [];
  for await (const row of diffInventories(
    [
      { key: 'a', size: 1, etag: 'aa'.repeat(16), lastModified: '2026-01-01T00:00:00Z' },
      { key: 'b', size: 2, etag: 'bb'.repeat(16), lastModified: '2026-01-02T00:00:00Z' },
    ],
    [
      { key: 'b', size: 3, md5: 'cc'.repeat(16), lastModified: '2026-01-01T00:00:00Z' },
      { key: 'c', size: 4, md5: 'dd'.repeat(16) },
    ],
  ))
    out.push(row);
  return out;
}

function write(entries: readonly PlanEntry[]): string {
  const builder = new PlanTextBuilder(sha256());
  return builder.header(HEADER) + builder.entries(entries) + builder.end();
}

function read(text: string): { entries: PlanEntry[]; header: PlanHeader | undefined } {
  const reader = new PlanLineReader('plan.ndjson', sha256());
  const entries: PlanEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const entry = reader.line(line);
    if (entry) entries.push(entry);
  }
  reader.finish();
  return { entries, header: reader.header };
}

describe('sync plan', () => {
  it('predicts the winner per policy', async () => {
    const [a, b, c] = await rows();
    expect(a && winnerOf(a, 'wesendit-wins')).toBe('bucket');
    // b: bucket newer, different sizes.
    expect(b && winnerOf(b, 'wesendit-wins')).toBe('wesendit');
    expect(b && winnerOf(b, 'newer-wins')).toBe('bucket');
    expect(c && winnerOf(c, 'newer-wins')).toBe('wesendit');
  });

  it('round-trips, with the backup hashes on the bucket side', async () => {
    const entries = (await rows()).map((row) => planEntryFromRow(row, 'wesendit-wins', row.bucket ? { sha256: 'ef'.repeat(32) } : undefined));
    const text = write(entries);
    const back = read(text);
    expect(back.header).toEqual(HEADER);
    expect(back.entries).toEqual(entries);
    expect(back.entries[0]?.bucket?.sha256).toBe('ef'.repeat(32));
    expect(text).not.toMatch(/secret/i);
  });

  it('refuses a truncated plan', async () => {
    const text = write((await rows()).map((row) => planEntryFromRow(row, 'newer-wins')));
    const lines = text.trim().split('\n');
    expect(() => read(lines.slice(0, -1).join('\n'))).toThrow(/truncated/);
    expect(() => read(lines.slice(0, 2).join('\n'))).toThrow(/truncated/);
    expect(() => read('')).toThrow(/empty/);
  });

  it('refuses a tampered plan', async () => {
    const text = write((await rows()).map((row) => planEntryFromRow(row, 'newer-wins')));
    expect(() => read(text.replace('"winner":"bucket"', '"winner":"wesendit"'))).toThrow(/checksum does not match/);
    const lines = text.trim().split('\n');
    // A line removed and the count kept: the count catches it.
    expect(() => read([lines[0], lines[2], lines[3], lines[4]].join('\n'))).toThrow(/counts 3 keys but 2/);
    expect(() => read(text + text)).toThrow(/follows its end line/);
  });

  it('refuses lines that are not entries, naming the line', () => {
    const builder = new PlanTextBuilder(sha256());
    const text = builder.header(HEADER) + '{"key":"x","class":"nonsense","winner":"bucket","bucket":{"size":1}}\n';
    expect(() => read(text)).toThrow(/line 2.*"class"/);
  });

  it('refuses a plan of another bucket, naming both', () => {
    expect(() => checkPlanTarget(HEADER, { bucket: 'other' }, 'plan.ndjson')).toThrow(/plan of bucket usr-1-itm-2-nas, not of other/);
    expect(() => checkPlanTarget(HEADER, { bucket: 'usr-1-itm-2-nas' }, 'plan.ndjson')).not.toThrow();
  });

  it('keeps entries in S3 order', () => {
    const builder = new PlanTextBuilder(sha256());
    builder.header(HEADER);
    expect(() => builder.entries([{ key: 'b', class: 'only-in-bucket', winner: 'bucket', bucket: { size: 1 } }, { key: 'a', class: 'only-in-bucket', winner: 'bucket', bucket: { size: 1 } }])).toThrow(/S3 key order/);
  });
});
