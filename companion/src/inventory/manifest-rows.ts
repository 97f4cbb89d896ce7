/**
 * What a manifest row is, whatever the file's format: the columns (and the names a header may
 * give them), the checks a row must pass (errors name the line), and the compact store valid
 * rows go into. `read-manifest.ts` reads the file's CSV or NDJSON records and hands each row here.
 */
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';

const MAX_KEY_BYTES = 1024;
const MAX_REPORTED_ERRORS = 10;
const MD5_HEX = /^[0-9a-fA-F]{32}$/;
const SURROGATE = /[\uD800-\uDFFF]/;
const ETAG = /^"?[0-9a-fA-F]{32}(-[1-9][0-9]{0,4})?"?$/;
/** ISO 8601 with a zone, or a bare date (UTC midnight). */
const ISO_TIME = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d))?$/i;

export type ManifestColumn = 'path' | 'size' | 'modified' | 'md5' | 'etag';

/** Header names a manifest may use, lower-cased, and the column each names. */
export const COLUMN_ALIASES: Record<string, ManifestColumn> = {
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
export class ColumnarEntries {
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

/** A row's fields as read from the file, before any check. */
export interface RawRecord {
  path: unknown;
  size: unknown;
  modified: unknown;
  md5: unknown;
  etag: unknown;
}

/** Invalid rows: all counted, the first few named by line, thrown together at the end. */
export class ManifestErrors {
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

/** Checks one row and adds it to `into`, or records in `errors` why it is not valid. */
export function addManifestRow(record: RawRecord, line: number, errors: ManifestErrors, into: ColumnarEntries): void {
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
