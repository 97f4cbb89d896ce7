import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';

export type ManifestFormat = 'csv' | 'ndjson';

export interface ReadManifestOptions {
  /** Detected from the first line when omitted (`{` → NDJSON, else CSV). */
  readonly format?: ManifestFormat;
  /** Entries per yielded array from `readManifestBatches` (default 1024). */
  readonly batchSize?: number;
}

const MAX_KEY_BYTES = 1024;
const MAX_REPORTED_ERRORS = 10;
const MD5_HEX = /^[0-9a-fA-F]{32}$/;
const SURROGATE = /[\uD800-\uDFFF]/;
const ETAG = /^"?[0-9a-fA-F]{32}(-[1-9][0-9]{0,4})?"?$/;
/** ISO 8601 with a zone, or a bare date (UTC midnight). */
const ISO_TIME = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d))?$/i;
const COLUMN_ALIASES: Record<string, 'path' | 'size' | 'modified' | 'md5' | 'etag'> = {
  path: 'path',
  key: 'path',
  size: 'size',
  modified: 'modified',
  lastmodified: 'modified',
  last_modified: 'modified',
  md5: 'md5',
  etag: 'etag',
};

/**
 * Entries kept column by column (typed arrays for numbers and MD5s): about 60 bytes per entry
 * plus the key's text, so a million-line manifest can be sorted in memory.
 */
class ColumnarEntries {
  keys: string[] = [];
  private sizes = new Float64Array(1024);
  private times = new Float64Array(1024);
  private md5s = Buffer.alloc(1024 * 16);
  private hasMd5 = new Uint8Array(1024);
  private lines = new Uint32Array(1024);
  private readonly etags = new Map<number, string>();

  get length(): number {
    return this.keys.length;
  }

  push(key: string, size: number, time: number, md5: string | undefined, etag: string | undefined, line: number): void {
    const i = this.keys.length;
    if (i === this.sizes.length) this.grow();
    this.keys.push(key);
    this.sizes[i] = size;
    this.times[i] = time;
    this.lines[i] = line;
    if (md5 !== undefined) {
      this.hasMd5[i] = 1;
      this.md5s.write(md5, i * 16, 16, 'hex');
    }
    if (etag !== undefined) this.etags.set(i, etag);
  }

  lineOf(i: number): number {
    return this.lines[i] ?? 0;
  }

  entry(i: number): InventoryEntry {
    const key = this.keys[i] ?? '';
    const size = this.sizes[i] ?? 0;
    const time = this.times[i] ?? Number.NaN;
    const lastModified = Number.isNaN(time) ? undefined : new Date(time).toISOString();
    let md5: string | undefined;
    if (this.hasMd5[i] === 1) md5 = this.md5s.toString('hex', i * 16, i * 16 + 16);
    const etag = this.etags.get(i);
    return { key, size, lastModified, md5, etag };
  }

  private grow(): void {
    const grow64 = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.sizes = grow64(this.sizes);
    this.times = grow64(this.times);
    const md5s = Buffer.alloc(this.md5s.length * 2);
    this.md5s.copy(md5s);
    this.md5s = md5s;
    const hasMd5 = new Uint8Array(this.hasMd5.length * 2);
    hasMd5.set(this.hasMd5);
    this.hasMd5 = hasMd5;
    const lines = new Uint32Array(this.lines.length * 2);
    lines.set(this.lines);
    this.lines = lines;
  }
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

interface RawRecord {
  path: unknown;
  size: unknown;
  modified: unknown;
  md5: unknown;
  etag: unknown;
}

class ManifestErrors {
  readonly messages: string[] = [];
  count = 0;
  constructor(private readonly file: string) {}
  add(line: number, message: string): void {
    this.count++;
    if (this.messages.length < MAX_REPORTED_ERRORS) this.messages.push(`line ${line}: ${message}`);
  }
  throwIfAny(): void {
    if (this.count === 0) return;
    const more = this.count > this.messages.length ? `\n  … and ${this.count - this.messages.length} more` : '';
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `The manifest ${this.file} has ${this.count} invalid line${this.count === 1 ? '' : 's'}:\n  ${this.messages.join('\n  ')}${more}\n` +
        'Each entry needs path, size (bytes), modified (ISO 8601, e.g. 2024-03-01T10:00:00Z) and optionally md5 (32 hex digits).',
    );
  }
}

function validate(record: RawRecord, line: number, errors: ManifestErrors, into: ColumnarEntries): void {
  const { path, size, modified, md5, etag } = record;
  if (typeof path !== 'string' || path === '') return errors.add(line, 'path is missing.');
  if (path.includes('\0')) return errors.add(line, `path ${JSON.stringify(path)} contains a NUL character.`);
  if (SURROGATE.test(path) && /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(path)) {
    return errors.add(line, `path ${JSON.stringify(path)} is not valid Unicode (a lone surrogate).`);
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: short paths need no count.
  if (path.length > MAX_KEY_BYTES / 3 && Buffer.byteLength(path) > MAX_KEY_BYTES) return errors.add(line, `path is ${Buffer.byteLength(path)} bytes long; S3 keys have at most ${MAX_KEY_BYTES}.`);
  let bytes: number;
  if (typeof size === 'number') bytes = size;
  else if (typeof size === 'string' && /^\d+$/.test(size.trim())) bytes = Number(size.trim());
  else return errors.add(line, `size ${JSON.stringify(size ?? '')} is not a whole number of bytes.`);
  if (!Number.isSafeInteger(bytes) || bytes < 0) return errors.add(line, `size ${JSON.stringify(size)} is not a whole number of bytes.`);
  let time = Number.NaN;
  if (modified !== undefined && modified !== null && modified !== '') {
    if (typeof modified !== 'string' || !ISO_TIME.test(modified.trim()) || Number.isNaN(Date.parse(modified.trim()))) {
      return errors.add(
        line,
        `modified ${JSON.stringify(modified)} is not an ISO 8601 time with a zone (e.g. 2024-03-01T10:00:00Z or 2024-03-01T12:00:00+02:00).`,
      );
    }
    time = Date.parse(modified.trim());
  }
  let md5Text: string | undefined;
  if (md5 !== undefined && md5 !== null && md5 !== '') {
    if (typeof md5 !== 'string' || !MD5_HEX.test(md5.trim())) return errors.add(line, `md5 ${JSON.stringify(md5)} is not 32 hexadecimal digits.`);
    md5Text = md5.trim().toLowerCase();
  }
  let etagText: string | undefined;
  if (etag !== undefined && etag !== null && etag !== '') {
    if (typeof etag !== 'string' || !ETAG.test(etag.trim())) return errors.add(line, `etag ${JSON.stringify(etag)} is not an S3 ETag (32 hex digits, optionally -N).`);
    etagText = etag.trim().replaceAll('"', '').toLowerCase();
  }
  into.push(path, bytes, time, md5Text, etagText, line);
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

type Column = 'path' | 'size' | 'modified' | 'md5' | 'etag';

async function parseInto(path: string, format: ManifestFormat | undefined, into: ColumnarEntries): Promise<void> {
  const errors = new ManifestErrors(path);
  let lineNumber = 0;
  let detected = format;
  let columns: (Column | undefined)[] | undefined;
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
        validate(
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
        validate(record, lineNumber, errors, into);
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
      validate(record, pendingStart, errors, into);
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
