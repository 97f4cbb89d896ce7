import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';

/**
 * Snapshot file (`connect-guard inventory --out x.ndjson`): NDJSON, one line per object in S3
 * order, between a header line and an end line, so a snapshot cut short by an interrupted
 * listing is recognised instead of read as a smaller bucket:
 *
 *     {"type":"snapshot","version":1,"source":"s3://bucket","endpoint":"…","createdAt":"…"}
 *     {"key":"a.txt","size":5,"lastModified":"…","etag":"…"}
 *     {"type":"end","objects":1,"bytes":5}
 */
export interface SnapshotHeader {
  readonly source: string;
  readonly endpoint?: string;
}

export interface SnapshotEnd {
  readonly objects: number;
  readonly bytes: number;
}

/** Streams entries to `path` (via `path.partial`, renamed when complete). */
const CHUNK_CHARACTERS = 64 * 1024;

export class SnapshotWriter {
  private objects = 0;
  private bytes = 0;
  private pending = '';

  private constructor(
    private readonly path: string,
    private readonly stream: WriteStream,
  ) {}

  static async open(path: string, header: SnapshotHeader): Promise<SnapshotWriter> {
    const stream = createWriteStream(`${path}.partial`, { encoding: 'utf8' });
    await once(stream, 'open');
    const writer = new SnapshotWriter(path, stream);
    await writer.writeLine(JSON.stringify({ type: 'snapshot', version: 1, ...header, createdAt: new Date().toISOString() }));
    return writer;
  }

  private async writeLine(text: string): Promise<void> {
    if (!this.stream.write(text + '\n')) await once(this.stream, 'drain');
  }

  /**
   * Entries are collected into chunks of about 64 KB before they reach the file stream: a
   * listing hands them over one at a time, and a stream write per entry (a buffer, a callback,
   * a queued writev part) cost more CPU than listing the entry did.
   */
  async write(entries: readonly InventoryEntry[]): Promise<void> {
    for (const entry of entries) {
      this.objects++;
      this.bytes += entry.size;
      this.pending += JSON.stringify(entry) + '\n';
    }
    if (this.pending.length >= CHUNK_CHARACTERS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  /** Writes the end line and renames the file into place. */
  async close(): Promise<SnapshotEnd> {
    await this.flush();
    const end = { objects: this.objects, bytes: this.bytes };
    await this.writeLine(JSON.stringify({ type: 'end', ...end }));
    this.stream.end();
    await once(this.stream, 'finish');
    await rename(`${this.path}.partial`, this.path);
    return end;
  }

  /** Drops the partial file (listing failed or was cancelled). */
  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(`${this.path}.partial`, { force: true });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a snapshot written by SnapshotWriter, in arrays of entries; checks header and end. */
export async function* readSnapshotBatches(path: string, batchSize = 1024): AsyncGenerator<InventoryEntry[]> {
  let input;
  try {
    input = createReadStream(path, { encoding: 'utf8' });
    await once(input, 'open');
  } catch {
    throw new ConnectGuardError('INVALID_INPUT', `The snapshot ${path} does not exist or cannot be read. Create it with "connect-guard inventory --bucket … --out ${path}".`);
  }
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let ended: SnapshotEnd | undefined;
  let objects = 0;
  let batch: InventoryEntry[] = [];
  const fail = (message: string): never => {
    throw new ConnectGuardError('INVALID_INPUT', `The snapshot ${path} line ${lineNumber}: ${message}`);
  };
  for await (const line of lines) {
    lineNumber++;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      fail('is not valid JSON. Is this a snapshot written by "connect-guard inventory --out"?');
    }
    if (!isRecord(value)) return fail('is not a JSON object.');
    if (lineNumber === 1) {
      if (value.type !== 'snapshot') fail('does not start with a snapshot header. For a file list of the WeSendit side use --manifest.');
      continue;
    }
    if (ended) fail('follows the end line.');
    if (value.type === 'end') {
      ended = { objects: Number(value.objects), bytes: Number(value.bytes) };
      if (ended.objects !== objects) fail(`the end line counts ${ended.objects} objects, the file holds ${objects}.`);
      continue;
    }
    const { key, size, lastModified, etag, md5 } = value;
    if (typeof key !== 'string' || typeof size !== 'number') return fail('is not an entry with "key" and "size".');
    batch.push({
      key,
      size,
      lastModified: typeof lastModified === 'string' ? lastModified : undefined,
      etag: typeof etag === 'string' ? etag : undefined,
      md5: typeof md5 === 'string' ? md5 : undefined,
    });
    objects++;
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (!ended) {
    throw new ConnectGuardError('INVALID_INPUT', `The snapshot ${path} is incomplete (no end line): the listing that wrote it was interrupted. Run "connect-guard inventory" again.`);
  }
  if (batch.length > 0) yield batch;
}
