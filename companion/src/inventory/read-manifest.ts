import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { COLUMN_ALIASES, ColumnarEntries, ManifestErrors, addManifestRow, type ManifestColumn, type RawRecord } from './manifest-rows.ts';

export type ManifestFormat = 'csv' | 'ndjson';

export interface ReadManifestOptions {
  /** Detected from the first line when omitted (`{` → NDJSON, else CSV). */
  readonly format?: ManifestFormat;
  /** Entries per yielded array from `readManifestBatches` (default 1024). */
  readonly batchSize?: number;
}

/**
 * Splits one CSV record (RFC 4180). Returns undefined when a quoted field is still open, so
 * the caller can append the next line (a path may contain a line break).
 */
export function splitCsvRecord(text: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
    i++;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

/** The lines found in one read: byte ranges into `buffer`. */
interface LineBatch {
  readonly buffer: Buffer;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

/**
 * Yields the lines of a file, a read buffer at a time (one await per megabyte, not per line).
 * Lines are split on bytes and each field is decoded on its own, so strings kept from a line
 * (paths) do not pin the read buffer in memory.
 */
async function* readLines(path: string): AsyncGenerator<LineBatch> {
  let rest: Buffer | undefined;
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if (!Buffer.isBuffer(chunk)) continue;
    const buffer: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    if (first) {
      first = false;
      if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) start = 3;
    }
    const starts: number[] = [];
    const ends: number[] = [];
    for (;;) {
      const newline = buffer.indexOf(10, start);
      if (newline < 0) break;
      starts.push(start);
      ends.push(newline > start && buffer[newline - 1] === 13 ? newline - 1 : newline);
      start = newline + 1;
    }
    rest = start < buffer.length ? buffer.subarray(start) : undefined;
    yield { buffer, starts, ends };
  }
  if (rest && rest.length > 0) {
    const end = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length;
    yield { buffer: rest, starts: [0], ends: [end] };
  }
}

async function parseInto(path: string, format: ManifestFormat | undefined, into: ColumnarEntries): Promise<void> {
  const errors = new ManifestErrors(path);
  let lineNumber = 0;
  let detected = format;
  let columns: (ManifestColumn | undefined)[] | undefined;
  let pending = '';
  let pendingStart = 0;
  const fieldEnds: number[] = [];
  for await (const { buffer, starts, ends } of readLines(path)) {
    for (let l = 0; l < starts.length; l++) {
      const start = starts[l] ?? 0;
      const end = ends[l] ?? 0;
      lineNumber++;
      if (detected === undefined) {
        const line = buffer.toString('utf8', start, end);
        if (line.trim() === '') continue;
        detected = line.trimStart().startsWith('{') ? 'ndjson' : 'csv';
      }
      if (detected === 'ndjson') {
        const line = buffer.toString('utf8', start, end);
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          errors.add(lineNumber, 'is not valid JSON.');
          continue;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          errors.add(lineNumber, 'is not a JSON object like {"path":"a.txt","size":5,"modified":"2024-03-01T10:00:00Z"}.');
          continue;
        }
        const object = new Map(Object.entries(value));
        // Snapshot files written by `connect-guard inventory` start and end with marker lines.
        if (object.has('type')) continue;
        addManifestRow(
          {
            path: object.get('path') ?? object.get('key'),
            size: object.get('size'),
            modified: object.get('modified') ?? object.get('lastModified'),
            md5: object.get('md5'),
            etag: object.get('etag'),
          },
          lineNumber,
          errors,
          into,
        );
        continue;
      }
      // CSV. Fast path: a data line without quotes splits on comma bytes.
      if (pending === '' && columns !== undefined && !buffer.subarray(start, end).includes(34)) {
        if (end === start) continue;
        fieldEnds.length = 0;
        let at = start;
        for (;;) {
          const comma = buffer.indexOf(44, at);
          if (comma < 0 || comma >= end) break;
          fieldEnds.push(comma);
          at = comma + 1;
        }
        fieldEnds.push(end);
        if (fieldEnds.length !== columns.length) {
          if (fieldEnds.length === 1 && buffer.toString('utf8', start, end).trim() === '') continue;
          errors.add(lineNumber, `has ${fieldEnds.length} fields, the header has ${columns.length} (quote paths that contain commas: "a,b.txt").`);
          continue;
        }
        const record: RawRecord = { path: undefined, size: undefined, modified: undefined, md5: undefined, etag: undefined };
        let fieldStart = start;
        for (let i = 0; i < columns.length; i++) {
          const fieldEnd = fieldEnds[i] ?? end;
          const column = columns[i];
          if (column !== undefined) record[column] = buffer.toString('utf8', fieldStart, fieldEnd);
          fieldStart = fieldEnd + 1;
        }
        addManifestRow(record, lineNumber, errors, into);
        continue;
      }
      const line = buffer.toString('utf8', start, end);
      if (pending === '' && line.trim() === '') continue;
      const text = pending === '' ? line : `${pending}\n${line}`;
      if (pending === '') pendingStart = lineNumber;
      const cells = splitCsvRecord(text);
      if (cells === undefined) {
        pending = text;
        continue;
      }
      pending = '';
      if (columns === undefined) {
        columns = cells.map((c) => COLUMN_ALIASES[c.trim().toLowerCase()]);
        const unknown = cells.filter((_, i) => columns?.[i] === undefined);
        if (unknown.length > 0 || !columns.includes('path') || !columns.includes('size')) {
          throw new ConnectGuardError(
            'INVALID_INPUT',
            `The manifest ${path} line ${pendingStart} must be a header naming the columns path,size,modified[,md5]` +
              (unknown.length > 0 ? ` (unknown column${unknown.length === 1 ? '' : 's'}: ${unknown.map((u) => JSON.stringify(u)).join(', ')})` : '') +
              '. Example:\npath,size,modified,md5\nphotos/a.jpg,52311,2024-03-01T10:00:00Z,5d41402abc4b2a76b9719d911017c592',
          );
        }
        continue;
      }
      if (cells.length !== columns.length) {
        errors.add(pendingStart, `has ${cells.length} fields, the header has ${columns.length} (quote paths that contain commas: "a,b.txt").`);
        continue;
      }
      const record: RawRecord = { path: undefined, size: undefined, modified: undefined, md5: undefined, etag: undefined };
      columns.forEach((column, i) => {
        if (column !== undefined) record[column] = cells[i];
      });
      addManifestRow(record, pendingStart, errors, into);
    }
  }
  if (pending !== '') errors.add(pendingStart, 'a quoted field is never closed.');
  if (detected !== 'ndjson' && columns === undefined) {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `The manifest ${path} is empty: it needs a header line path,size,modified[,md5] and one line per file (just the header when WeSendit holds no files).`,
    );
  }
  errors.throwIfAny();
}

/**
 * Reads a manifest (the WeSendit side until the extension supplies it): CSV with a header
 * `path,size,modified[,md5]` or NDJSON `{"path","size","modified","md5"?}` per line, validated
 * line by line (errors name line numbers), then sorted into S3 order in memory (≈ 60 bytes per
 * entry plus its path) and yielded in arrays. Duplicate paths are an error.
 */
export async function* readManifestBatches(path: string, options: ReadManifestOptions = {}): AsyncGenerator<InventoryEntry[]> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
  } catch {
    throw new ConnectGuardError('INVALID_INPUT', `The manifest ${path} does not exist or is not a file. Check the path given to --manifest.`);
  }
  const entries = new ColumnarEntries();
  await parseInto(path, options.format, entries);
  const { keys } = entries;
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (compareS3Keys(keys[i - 1] ?? '', keys[i] ?? '') >= 0) {
      sorted = false;
      break;
    }
  }
  const order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (!sorted) order.sort((a, b) => compareS3Keys(keys[a] ?? '', keys[b] ?? '') || a - b);
  for (let i = 1; i < order.length; i++) {
    const a = order[i - 1] ?? 0;
    const b = order[i] ?? 0;
    if (keys[a] === keys[b]) {
      throw new ConnectGuardError(
        'INVALID_INPUT',
        `The manifest ${path} lists ${JSON.stringify(keys[a])} twice (lines ${entries.lineOf(a)} and ${entries.lineOf(b)}). Each path may appear once.`,
      );
    }
  }
  const batchSize = Math.max(1, options.batchSize ?? 1024);
  let batch: InventoryEntry[] = [];
  for (let i = 0; i < order.length; i++) {
    batch.push(entries.entry(order[i] ?? 0));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** `readManifestBatches`, one entry at a time. */
export async function* readManifest(path: string, options: ReadManifestOptions = {}): AsyncGenerator<InventoryEntry> {
  for await (const batch of readManifestBatches(path, options)) yield* batch;
}
