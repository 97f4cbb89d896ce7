import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { SnapshotWriter, readSnapshotBatches } from './snapshot-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'cg-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string): Promise<InventoryEntry[]> {
  const out: InventoryEntry[] = [];
  for await (const batch of readSnapshotBatches(path, 2)) out.push(...batch);
  return out;
}

describe('snapshot file', () => {
  const entries: InventoryEntry[] = [
    { key: 'a b+c%2F', size: 1, lastModified: '2024-03-01T10:00:00.000Z', etag: 'a'.repeat(32) },
    { key: 'a/😀', size: 2, etag: `${'b'.repeat(32)}-3` },
    { key: 'z', size: 0 },
  ];

  it('round-trips entries and renames into place only when complete', async () => {
    const path = join(dir, 'ok.ndjson');
    const writer = await SnapshotWriter.open(path, { source: 's3://b', endpoint: 'http://127.0.0.1:1' });
    await writer.write(entries);
    expect(existsSync(path)).toBe(false);
    expect(await writer.close()).toEqual({ objects: 3, bytes: 3 });
    expect(await readAll(path)).toEqual(entries);
  });

  it('refuses a snapshot cut short', async () => {
    const path = join(dir, 'cut.ndjson');
    const writer = await SnapshotWriter.open(path, { source: 's3://b' });
    await writer.write(entries);
    await writer.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    writeFileSync(path, lines.slice(0, -1).join('\n') + '\n');
    await expect(readAll(path)).rejects.toThrow(/incomplete \(no end line\)/);
    writeFileSync(path, 'path,size\n');
    await expect(readAll(path)).rejects.toThrow(/line 1: is not valid JSON/);
  });
});
