/**
 * The sync plan: what the preview predicted for every key when the user connected, kept beside
 * the backup so the sync result can be reviewed against it later (FORMAT.md beside this file).
 *
 * An NDJSON file: a header line, one line per key in S3 key order, and an end line with the
 * number of keys and the SHA-256 of every byte before it, so a truncated or edited plan is
 * refused instead of being believed. Keys, sizes and hashes only: never a credential.
 *
 * Pure: hashing is handed in ({@link PlanHasher}), so the companion uses Node's crypto and tests
 * may use anything that hashes.
 */
import type { DiffClass, DiffRow } from '../diff/diff-inventories.ts';
import { DIFF_CLASSES } from '../diff/diff-inventories.ts';
import { ConnectGuardError } from '../errors.ts';
import type { InventoryEntry } from '../inventory.ts';
import { compareS3Keys } from '../s3-key-order.ts';

export const PLAN_FORMAT = 'connect-guard-sync-plan';
export const PLAN_VERSION = 1;
/** The plan's file name inside a backup folder. */
export const PLAN_FILE = 'plan.ndjson';

/** Which version stays when both sides hold a key with different content (seed §6). */
export type PlanPolicy = 'wesendit-wins' | 'newer-wins';
export const PLAN_POLICIES: readonly PlanPolicy[] = ['wesendit-wins', 'newer-wins'];

/**
 * Whose content the bucket should hold after the sync: `both` (same content on both sides),
 * `bucket`, `wesendit`, or `undecided` (a tie or a missing modification time: either may win).
 */
export type PlanWinner = 'bucket' | 'wesendit' | 'both' | 'undecided';

/** One side of a key as it was when the plan was made. */
export interface PlanSide {
  readonly size: number;
  /** The true size lies within `size ± sizeTolerance` (WeSendit's file browser rounds). */
  readonly sizeTolerance?: number;
  /** S3 ETag without quotes (bucket side; a WeSendit side read over S3). */
  readonly etag?: string;
  /** Hex MD5 of the content, when known. */
  readonly md5?: string;
  /** Hex SHA-256 of the content (the backup hashed every object it wrote). */
  readonly sha256?: string;
  readonly lastModified?: string;
}

/** One key of the plan: the preview's class, both sides, and who should win. */
export interface PlanEntry {
  readonly key: string;
  readonly class: DiffClass;
  readonly winner: PlanWinner;
  readonly bucket?: PlanSide;
  readonly wesendit?: PlanSide;
}

/** The first line. */
export interface PlanHeader {
  readonly format: typeof PLAN_FORMAT;
  readonly version: typeof PLAN_VERSION;
  readonly bucket: string;
  /** The S3 endpoint URL (no credentials). */
  readonly endpoint?: string;
  /** Only keys under this prefix were planned. */
  readonly prefix?: string;
  readonly policy: PlanPolicy;
  /** ISO 8601. */
  readonly createdAt: string;
  /** Where the WeSendit side came from, in words ("WeSendit file browser", "manifest a.csv", "not previewed"). */
  readonly wesenditSource: string;
  /** The backup folder's name (its UTC time) when the plan was saved beside a backup. */
  readonly backup?: string;
}

/** The last line. */
export interface PlanTrailer {
  readonly end: true;
  readonly entries: number;
  /** Hex SHA-256 of every byte of the file before this line (UTF-8). */
  readonly sha256: string;
}

/** An incremental SHA-256 over UTF-8 text. */
export interface PlanHasher {
  update(text: string): void;
  /** Lower-case hex. */
  digest(): string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HEX64 = /^[0-9a-f]{64}$/;
const WINNERS: readonly PlanWinner[] = ['bucket', 'wesendit', 'both', 'undecided'];

/** The winner under a policy for one diff row. */
export function winnerOf(row: Pick<DiffRow, 'class' | 'outcome'>, policy: PlanPolicy): PlanWinner {
  switch (row.class) {
    case 'only-in-bucket':
      return 'bucket';
    case 'only-in-wesendit':
      return 'wesendit';
    case 'same':
      return 'both';
    default: {
      const outcome = row.outcome === undefined ? undefined : policy === 'wesendit-wins' ? row.outcome.wesenditWins : row.outcome.newerWins;
      const winner = outcome?.winner;
      return winner === 'bucket' || winner === 'wesendit' ? winner : 'undecided';
    }
  }
}

/** A side of a plan from an inventory entry, with the backup's SHA-256 when there is one. */
export function planSide(entry: InventoryEntry, sha256?: string): PlanSide {
  return {
    size: entry.size,
    ...(entry.sizeTolerance ? { sizeTolerance: entry.sizeTolerance } : {}),
    ...(entry.etag ? { etag: entry.etag.replace(/^"|"$/g, '').toLowerCase() } : {}),
    ...(entry.md5 ? { md5: entry.md5.toLowerCase() } : {}),
    ...(sha256 ? { sha256: sha256.toLowerCase() } : {}),
    ...(entry.lastModified ? { lastModified: entry.lastModified } : {}),
  };
}

/**
 * The plan entry of one preview row. `hashes` gives the backup's SHA-256 (and MD5) of the
 * bucket's objects by key, when the plan is saved beside a backup.
 */
export function planEntryFromRow(row: DiffRow, policy: PlanPolicy, hashes?: { readonly sha256?: string; readonly md5?: string }): PlanEntry {
  const bucket = row.bucket === undefined ? undefined : planSide(hashes?.md5 && !row.bucket.md5 ? { ...row.bucket, md5: hashes.md5 } : row.bucket, hashes?.sha256);
  return {
    key: row.key,
    class: row.class,
    winner: winnerOf(row, policy),
    ...(bucket ? { bucket } : {}),
    ...(row.wesendit ? { wesendit: planSide(row.wesendit) } : {}),
  };
}

export function formatPlanHeaderLine(header: PlanHeader): string {
  return JSON.stringify(header) + '\n';
}

export function formatPlanEntryLine(entry: PlanEntry): string {
  return JSON.stringify(entry) + '\n';
}

/**
 * Builds a plan's text line by line and hashes it on the way: `header`, then `entries` as often
 * as needed (in S3 key order), then `end`. Each returns the text to write.
 */
export class PlanTextBuilder {
  private count = 0;
  private previous: string | undefined;

  constructor(private readonly hasher: PlanHasher) {}

  header(header: PlanHeader): string {
    const text = formatPlanHeaderLine(header);
    this.hasher.update(text);
    return text;
  }

  entries(entries: readonly PlanEntry[]): string {
    let text = '';
    for (const entry of entries) {
      if (this.previous !== undefined && compareS3Keys(this.previous, entry.key) >= 0) {
        throw new ConnectGuardError('INTERNAL', `Plan entries must come in S3 key order without repeats: ${JSON.stringify(entry.key)} after ${JSON.stringify(this.previous)}.`);
      }
      this.previous = entry.key;
      text += formatPlanEntryLine(entry);
    }
    this.count += entries.length;
    this.hasher.update(text);
    return text;
  }

  end(): string {
    const trailer: PlanTrailer = { end: true, entries: this.count, sha256: this.hasher.digest() };
    return JSON.stringify(trailer) + '\n';
  }
}

function planError(where: string, why: string): ConnectGuardError {
  return new ConnectGuardError(
    'INVALID_INPUT',
    `${where} is not a usable sync plan: ${why}. Use the plan.ndjson saved beside the backup (or by "connect-guard diff --save-plan"), unedited; if it was damaged, run the preview again and save a new plan.`,
  );
}

function optionalNumber(record: Record<string, unknown>, name: string, path: string): number | undefined {
  const value = record[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`${path}.${name} must be a whole number`);
  return value;
}

function optionalText(record: Record<string, unknown>, name: string, path: string): string | undefined {
  const value = record[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`${path}.${name} must be text`);
  return value;
}

function parseSide(value: unknown, path: string): PlanSide | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw new Error(`${path} must be an object`);
  const size = optionalNumber(value, 'size', path);
  if (size === undefined) throw new Error(`${path}.size is missing`);
  const sha256 = optionalText(value, 'sha256', path);
  if (sha256 !== undefined && !HEX64.test(sha256)) throw new Error(`${path}.sha256 must be 64 hex digits`);
  const fields = {
    sizeTolerance: optionalNumber(value, 'sizeTolerance', path),
    etag: optionalText(value, 'etag', path),
    md5: optionalText(value, 'md5', path),
    sha256,
    lastModified: optionalText(value, 'lastModified', path),
  };
  const side: { -readonly [K in keyof PlanSide]: PlanSide[K] } = { size };
  for (const [name, field] of Object.entries(fields)) if (field !== undefined) Object.assign(side, { [name]: field });
  return side;
}

/** Parses the header line. */
export function parsePlanHeader(line: string, where: string): PlanHeader {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw planError(where, 'its first line is not JSON');
  }
  if (!isRecord(value) || value.format !== PLAN_FORMAT) throw planError(where, 'its first line is not a sync plan header');
  if (value.version !== PLAN_VERSION) {
    throw new ConnectGuardError('UNSUPPORTED_VERSION', `${where} is sync plan version ${String(value.version)}; this Connect Guard reads version ${PLAN_VERSION}. Update Connect Guard.`);
  }
  const policy = PLAN_POLICIES.find((candidate) => candidate === value.policy);
  if (typeof value.bucket !== 'string' || value.bucket === '') throw planError(where, 'the header names no bucket');
  if (policy === undefined) throw planError(where, 'the header names no known policy');
  if (typeof value.createdAt !== 'string' || typeof value.wesenditSource !== 'string') throw planError(where, 'the header lacks createdAt or wesenditSource');
  for (const name of ['endpoint', 'prefix', 'backup'] as const) {
    if (value[name] !== undefined && typeof value[name] !== 'string') throw planError(where, `the header's ${name} is not text`);
  }
  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    bucket: value.bucket,
    ...(typeof value.endpoint === 'string' ? { endpoint: value.endpoint } : {}),
    ...(typeof value.prefix === 'string' ? { prefix: value.prefix } : {}),
    policy,
    createdAt: value.createdAt,
    wesenditSource: value.wesenditSource,
    ...(typeof value.backup === 'string' ? { backup: value.backup } : {}),
  };
}

/** Parses one entry line (not the end line). */
export function parsePlanEntry(line: string, where: string): PlanEntry {
  try {
    const value: unknown = JSON.parse(line);
    if (!isRecord(value)) throw new Error('not an object');
    const { key } = value;
    if (typeof key !== 'string' || key === '') throw new Error('"key" is missing');
    const diffClass = DIFF_CLASSES.find((candidate) => candidate === value.class);
    if (diffClass === undefined) throw new Error('"class" is not a preview class');
    const winner = WINNERS.find((candidate) => candidate === value.winner);
    if (winner === undefined) throw new Error('"winner" is not bucket, wesendit, both or undecided');
    const bucket = parseSide(value.bucket, 'bucket');
    const wesendit = parseSide(value.wesendit, 'wesendit');
    if (bucket === undefined && wesendit === undefined) throw new Error('neither side is given');
    if ((diffClass === 'only-in-bucket') !== (wesendit === undefined) || (diffClass === 'only-in-wesendit') !== (bucket === undefined)) {
      throw new Error(`the sides do not fit the class "${diffClass}"`);
    }
    return { key, class: diffClass, winner, ...(bucket ? { bucket } : {}), ...(wesendit ? { wesendit } : {}) };
  } catch (error) {
    throw planError(where, error instanceof Error ? error.message : String(error));
  }
}

function parseTrailer(line: string): PlanTrailer | undefined {
  if (!line.startsWith('{"end":')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (isRecord(value) && value.end === true && typeof value.entries === 'number' && typeof value.sha256 === 'string') {
      return { end: true, entries: value.entries, sha256: value.sha256 };
    }
  } catch {
    // Falls through: not a trailer, and then not an entry either.
  }
  return undefined;
}

/**
 * Reads a plan line by line (lines without their `\n`). With a hasher it checks the end line's
 * SHA-256; without one, only the count (for a second pass over a file already checked).
 * {@link finish} must be called after the last line: a plan without its end line is truncated.
 */
export class PlanLineReader {
  private headerValue: PlanHeader | undefined;
  private trailer: PlanTrailer | undefined;
  private entries = 0;
  private lineNumber = 0;
  private previous: string | undefined;

  constructor(
    private readonly where: string,
    private readonly hasher?: PlanHasher,
  ) {}

  get header(): PlanHeader | undefined {
    return this.headerValue;
  }

  /** Returns the entry on this line, or undefined for the header and end lines. */
  line(text: string): PlanEntry | undefined {
    this.lineNumber++;
    const where = `${this.where} line ${this.lineNumber}`;
    if (this.trailer !== undefined) {
      if (text.trim() === '') return undefined;
      throw planError(where, 'text follows its end line (it was edited or two plans were joined)');
    }
    if (this.headerValue === undefined) {
      this.headerValue = parsePlanHeader(text, where);
      this.hasher?.update(text + '\n');
      return undefined;
    }
    const trailer = parseTrailer(text);
    if (trailer !== undefined) {
      if (trailer.entries !== this.entries) throw planError(this.where, `its end line counts ${trailer.entries} keys but ${this.entries} were read`);
      if (this.hasher !== undefined && this.hasher.digest() !== trailer.sha256) throw planError(this.where, 'its checksum does not match its content (it was edited or damaged)');
      this.trailer = trailer;
      return undefined;
    }
    this.hasher?.update(text + '\n');
    const entry = parsePlanEntry(text, where);
    if (this.previous !== undefined && compareS3Keys(this.previous, entry.key) >= 0) {
      throw planError(where, `${JSON.stringify(entry.key)} is out of S3 key order or repeated`);
    }
    this.previous = entry.key;
    this.entries++;
    return entry;
  }

  /** Call after the last line. */
  finish(): PlanTrailer {
    if (this.headerValue === undefined) throw planError(this.where, 'it is empty');
    if (this.trailer === undefined) throw planError(this.where, 'it ends before its end line (truncated)');
    return this.trailer;
  }
}

/**
 * Refuses a plan made for another bucket, endpoint or prefix than the one being reviewed, before
 * anything is listed.
 */
export function checkPlanTarget(header: PlanHeader, target: { readonly bucket: string; readonly endpoint?: string }, where: string): void {
  if (header.bucket !== target.bucket) {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `${where} is the plan of bucket ${header.bucket}, not of ${target.bucket}. Review ${header.bucket} with it (--bucket ${header.bucket}), or choose the plan saved beside a backup of ${target.bucket}.`,
    );
  }
}
