/**
 * The sync review: the plan (what the preview predicted when the user connected) against the
 * bucket as it is now, and WeSendit's side when it can be listed. Every key gets one of three
 * verdicts — as predicted, not yet arrived (seed §8: "short delays are normal"), unexpected —
 * with the proof that decided it, and every unexpected loss or overwrite of the bucket's data
 * is selected for a restore from the backup.
 *
 * Pure and streaming: the plan and the listing are merged in S3 key order like the diff, so a
 * million keys take constant memory. Where an ETag cannot prove equality (a multipart ETag, an
 * encrypted object), the caller's `checkContent` hashes just those objects.
 */
import type { DiffClass } from '../diff/diff-inventories.ts';
import { ConnectGuardError } from '../errors.ts';
import type { InventoryEntry } from '../inventory.ts';
import { compareS3Keys } from '../s3-key-order.ts';
import { compareWithSide, etagIsNotMd5, type ContentHash, type Equality, type Proof } from './prove-content.ts';

export type { ContentHash, Proof } from './prove-content.ts';
import type { PlanEntry, PlanWinner } from './sync-plan.ts';

export type AuditStatus = 'as-predicted' | 'not-yet-arrived' | 'unexpected';
export const AUDIT_STATUSES: readonly AuditStatus[] = ['as-predicted', 'not-yet-arrived', 'unexpected'];

/**
 * What happened to a key:
 * - as predicted: `unchanged` (same stayed same), `visible-in-wesendit` (only in the bucket: kept,
 *   and shown by WeSendit when its side was listed), `written-from-wesendit` (only in WeSendit:
 *   now in the bucket with WeSendit's content), `conflict-resolved` (the predicted side won);
 * - not yet arrived: `not-written-yet` (predicted to be written, missing so far),
 *   `not-overwritten-yet` (WeSendit's version should replace the bucket's; the bucket's is still
 *   there), `not-in-wesendit-yet` (kept in the bucket, not shown by WeSendit yet);
 * - unexpected: `changed-unexpectedly` (predicted to stay, its content changed),
 *   `conflict-won-by-other-side`, `gone-from-bucket` (it was in the bucket: data loss),
 *   `matches-neither` (neither side's content), `extra-key` (neither side had it),
 *   `unverifiable` (its content could not be read or proven).
 */
export type AuditKind =
  | 'unchanged'
  | 'visible-in-wesendit'
  | 'written-from-wesendit'
  | 'conflict-resolved'
  | 'not-written-yet'
  | 'not-overwritten-yet'
  | 'not-in-wesendit-yet'
  | 'changed-unexpectedly'
  | 'conflict-won-by-other-side'
  | 'gone-from-bucket'
  | 'matches-neither'
  | 'extra-key'
  | 'unverifiable';

export const AUDIT_KINDS: Readonly<Record<AuditKind, AuditStatus>> = {
  unchanged: 'as-predicted',
  'visible-in-wesendit': 'as-predicted',
  'written-from-wesendit': 'as-predicted',
  'conflict-resolved': 'as-predicted',
  'not-written-yet': 'not-yet-arrived',
  'not-overwritten-yet': 'not-yet-arrived',
  'not-in-wesendit-yet': 'not-yet-arrived',
  'changed-unexpectedly': 'unexpected',
  'conflict-won-by-other-side': 'unexpected',
  'gone-from-bucket': 'unexpected',
  'matches-neither': 'unexpected',
  'extra-key': 'unexpected',
  unverifiable: 'unexpected',
};

/**
 * rclone check --combined's marks, the plan's expectation as the source and the bucket as the
 * destination: `=` identical, `-` only in the bucket (missing from the plan), `+` missing from
 * the bucket, `*` differs, `!` could not be read or proven.
 */
export type CheckMark = '=' | '-' | '+' | '*' | '!';

/** What a restore from the backup does with a key: put a deleted object back, or overwrite a changed one. */
export type RestoreSelection = 'restore' | 'overwrite';

export interface AuditRow {
  readonly key: string;
  readonly status: AuditStatus;
  readonly kind: AuditKind;
  readonly mark: CheckMark;
  /** The prediction in plain words ("stays as it is", "WeSendit's version replaces the bucket's", …). */
  readonly predicted: string;
  /** What is there now, in plain words. */
  readonly actual: string;
  readonly proof: Proof;
  /** The plan's class; absent for an extra key. */
  readonly planClass?: DiffClass;
  readonly winner?: PlanWinner;
  /** The object in the bucket now. */
  readonly current?: InventoryEntry;
  /** Size that counts in the totals: the object now, else the expected one. */
  readonly bytes: number;
  /** Set for unexpected losses and overwrites the backup can undo. */
  readonly restore?: RestoreSelection;
  /** Its bytes were read and hashed because the listing could not prove them. */
  readonly contentRead?: true;
}

export interface AuditOptions {
  /** WeSendit's side now (S3 order), when it can be listed. */
  readonly wesendit?: AsyncIterable<InventoryEntry | readonly InventoryEntry[]> | Iterable<InventoryEntry>;
  /**
   * Reads and hashes objects whose listing cannot prove what they hold. Called once per batch
   * with the keys that need it. Without it such keys are `unverifiable`.
   */
  readonly checkContent?: (objects: readonly InventoryEntry[]) => Promise<ReadonlyMap<string, ContentHash>>;
  /** Review only these keys ("check again"); others in the plan and the listing are skipped. */
  readonly onlyKeys?: ReadonlySet<string>;
  /** Rows per batch (default 1024). */
  readonly batchSize?: number;
}

type Source<T> = AsyncIterable<T | readonly T[]> | Iterable<T>;

/** Reads a sorted source entry by entry, checking S3 order. */
class Cursor<T extends { readonly key: string }> {
  private buffer: readonly T[] = [];
  private index = 0;
  private finished = false;
  private previous: string | undefined;
  private readonly iterator: AsyncIterator<T | readonly T[]> | Iterator<T>;

  constructor(
    source: Source<T>,
    private readonly label: string,
  ) {
    this.iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  /** The head entry, or undefined at the end. */
  async head(): Promise<T | undefined> {
    while (this.index >= this.buffer.length) {
      if (this.finished) return undefined;
      const next = await this.iterator.next();
      if (next.done) {
        this.finished = true;
        return undefined;
      }
      const value: T | readonly T[] = next.value;
      this.buffer = Array.isArray(value) ? value : [value as T];
      this.index = 0;
    }
    return this.buffer[this.index];
  }

  take(): T {
    const entry = this.buffer[this.index++];
    if (entry === undefined) throw new ConnectGuardError('INTERNAL', 'Audit cursor read past its buffer.');
    if (this.previous !== undefined && compareS3Keys(this.previous, entry.key) >= 0) {
      throw new ConnectGuardError('INVALID_INPUT', `The ${this.label} is not in S3 key order (or lists a key twice): ${JSON.stringify(entry.key)} after ${JSON.stringify(this.previous)}.`);
    }
    this.previous = entry.key;
    return entry;
  }
}

function predictionOf(entry: PlanEntry): string {
  switch (entry.class) {
    case 'same':
      return 'same content on both sides: stays as it is';
    case 'only-in-bucket':
      return 'only in the bucket: stays, and appears in WeSendit';
    case 'only-in-wesendit':
      return "only in WeSendit: written to the bucket with WeSendit's content";
    default:
      return entry.winner === 'bucket'
        ? `${entry.class === 'conflict' ? 'conflict' : 'maybe different'}: the bucket's version stays`
        : entry.winner === 'wesendit'
          ? `${entry.class === 'conflict' ? 'conflict' : 'maybe different'}: WeSendit's version replaces the bucket's`
          : `${entry.class === 'conflict' ? 'conflict' : 'maybe different'}: either version may win (undecided)`;
  }
}

const PROOF_WORDS: Readonly<Record<Proof, string>> = {
  size: 'by size',
  etag: 'by ETag',
  md5: 'by MD5',
  sha256: 'by SHA-256 of its bytes',
  listing: 'by the listing',
  none: 'not proven',
};

interface Judgement {
  readonly kind: AuditKind;
  readonly actual: string;
  readonly proof: Proof;
  readonly restore?: RestoreSelection;
  readonly needsContent?: boolean;
}

/** The bucket's version was to stay: its loss is something the backup can undo. */
function bucketVersionExpected(entry: PlanEntry): boolean {
  return entry.bucket !== undefined && (entry.winner === 'bucket' || entry.winner === 'both' || entry.winner === 'undecided');
}

/**
 * The verdict for one key. `content` is the object's hashes when it was read; `wesenditNow` is
 * WeSendit's entry now, `wesenditListed` whether WeSendit's side was listed at all.
 */
export function judgeKey(
  entry: PlanEntry | undefined,
  current: InventoryEntry | undefined,
  wesenditNow: InventoryEntry | undefined,
  wesenditListed: boolean,
  content: ContentHash | undefined,
): Judgement {
  if (entry === undefined) {
    return { kind: 'extra-key', actual: 'in the bucket, but neither side had it when you connected (written by another tool during the sync?)', proof: 'listing' };
  }
  if (current === undefined) {
    if (entry.bucket !== undefined) {
      return { kind: 'gone-from-bucket', actual: 'gone from the bucket: it was there when you connected', proof: 'listing', restore: 'restore' };
    }
    return { kind: 'not-written-yet', actual: 'not in the bucket yet', proof: 'listing' };
  }
  const encrypts = etagIsNotMd5(entry.bucket);
  const readError = content !== undefined && 'error' in content ? content.error : undefined;
  const vsBucket = entry.bucket ? compareWithSide(current, entry.bucket, content, encrypts) : undefined;
  const vsWesendit = entry.wesendit ? compareWithSide(current, entry.wesendit, content, encrypts) : undefined;
  const expectBucket = entry.winner !== 'wesendit' && entry.bucket !== undefined;
  const expectWesendit = entry.winner !== 'bucket' && entry.wesendit !== undefined;
  const expected: Equality[] = [];
  if (expectBucket && vsBucket) expected.push(vsBucket);
  if (expectWesendit && vsWesendit) expected.push(vsWesendit);

  const hit = expected.find((result) => result.verdict === 'same');
  if (hit !== undefined && hit.verdict === 'same') {
    const matchedBucket = vsBucket?.verdict === 'same' && expectBucket;
    const how = PROOF_WORDS[hit.proof];
    if (entry.class === 'only-in-bucket' && wesenditListed && wesenditNow === undefined) {
      return { kind: 'not-in-wesendit-yet', actual: `in the bucket as it was (${how}), not shown by WeSendit yet`, proof: hit.proof };
    }
    if (entry.class === 'same') return { kind: 'unchanged', actual: `unchanged (${how})`, proof: hit.proof };
    if (entry.class === 'only-in-bucket') return { kind: 'visible-in-wesendit', actual: `kept in the bucket (${how})${wesenditListed ? ', shown by WeSendit' : ''}`, proof: hit.proof };
    if (entry.class === 'only-in-wesendit') return { kind: 'written-from-wesendit', actual: `written with WeSendit's content (${how})`, proof: hit.proof };
    const side = matchedBucket ? "the bucket's version" : "WeSendit's version";
    return { kind: 'conflict-resolved', actual: `${side} won, as predicted (${how})`, proof: hit.proof };
  }

  if (expected.some((result) => result.verdict === 'unproven')) {
    // For a class the preview could not prove either way, the bucket's unchanged version may
    // well be WeSendit's too.
    if (entry.class === 'unknown' && vsBucket?.verdict === 'same') {
      return { kind: 'conflict-resolved', actual: `the bucket's version is unchanged (${PROOF_WORDS[vsBucket.proof]}); whether it equals WeSendit's cannot be proven`, proof: vsBucket.proof };
    }
    if (content === undefined) return { kind: 'unverifiable', actual: 'its listing cannot prove what it holds', proof: 'none', needsContent: true };
    return {
      kind: 'unverifiable',
      actual: readError !== undefined ? `could not be read to check its content: ${readError}` : 'its content cannot be compared with the plan (no hash to compare with)',
      proof: 'none',
    };
  }

  // Every expected side is proven different.
  if (entry.winner === 'wesendit' && vsBucket?.verdict === 'same') {
    // The bucket still holds its own version. Either the sync has not written WeSendit's yet, or
    // the bucket's won: WeSendit's side tells, when it was listed.
    const wesenditGotBucketVersion = wesenditNow !== undefined && entry.bucket !== undefined && compareWithSide(wesenditNow, entry.bucket, undefined, false).verdict === 'same';
    if (wesenditGotBucketVersion) {
      return { kind: 'conflict-won-by-other-side', actual: "the bucket's version won: WeSendit now shows it too, WeSendit's version was overwritten", proof: vsBucket.proof };
    }
    return { kind: 'not-overwritten-yet', actual: `still the bucket's version (${PROOF_WORDS[vsBucket.proof]}): WeSendit's has not been written yet`, proof: vsBucket.proof };
  }
  const restore: RestoreSelection | undefined = bucketVersionExpected(entry) ? 'overwrite' : undefined;
  const proof = expected.find((result): result is Exclude<Equality, { verdict: 'unproven' }> => result.verdict === 'different')?.proof ?? 'none';
  if (entry.winner === 'bucket' && vsWesendit?.verdict === 'same') {
    return { kind: 'conflict-won-by-other-side', actual: `WeSendit's version overwrote the bucket's (${PROOF_WORDS[vsWesendit.proof]})`, proof: vsWesendit.proof, restore: 'overwrite' };
  }
  if (entry.class === 'same' || entry.class === 'only-in-bucket') {
    return { kind: 'changed-unexpectedly', actual: `its content changed (${PROOF_WORDS[proof]})`, proof, ...(restore ? { restore } : {}) };
  }
  return { kind: 'matches-neither', actual: `holds neither side's content (${PROOF_WORDS[proof]})`, proof, ...(restore ? { restore } : {}) };
}

function markOf(kind: AuditKind, current: InventoryEntry | undefined, proof: Proof): CheckMark {
  if (kind === 'extra-key') return '-';
  if (current === undefined) return '+';
  if (kind === 'unverifiable') return '!';
  if (kind === 'unchanged' || kind === 'visible-in-wesendit' || kind === 'written-from-wesendit' || kind === 'conflict-resolved' || kind === 'not-in-wesendit-yet') return '=';
  return proof === 'none' ? '!' : '*';
}

function rowOf(entry: PlanEntry | undefined, current: InventoryEntry | undefined, judgement: Judgement, key: string, contentRead: boolean): AuditRow {
  const expectedSize = entry?.winner === 'wesendit' ? entry.wesendit?.size : (entry?.bucket?.size ?? entry?.wesendit?.size);
  return {
    key,
    status: AUDIT_KINDS[judgement.kind],
    kind: judgement.kind,
    mark: markOf(judgement.kind, current, judgement.proof),
    predicted: entry === undefined ? 'not in the plan' : predictionOf(entry),
    actual: judgement.actual,
    proof: judgement.proof,
    ...(entry ? { planClass: entry.class, winner: entry.winner } : {}),
    ...(current ? { current } : {}),
    bytes: current?.size ?? expectedSize ?? 0,
    ...(judgement.restore ? { restore: judgement.restore } : {}),
    ...(contentRead ? { contentRead: true } : {}),
  };
}

interface Pending {
  readonly entry: PlanEntry | undefined;
  readonly current: InventoryEntry | undefined;
  readonly wesenditNow: InventoryEntry | undefined;
  readonly judgement: Judgement;
}

/**
 * Reviews the sync key by key, in S3 key order and in batches. Both inputs must be in S3 key
 * order (the plan is; a bucket listing is); otherwise `INVALID_INPUT` names the key.
 */
export async function* auditSyncBatches(
  plan: Source<PlanEntry>,
  bucket: Source<InventoryEntry>,
  options: AuditOptions = {},
): AsyncGenerator<AuditRow[], void, undefined> {
  const batchSize = Math.max(1, options.batchSize ?? 1024);
  const planCursor = new Cursor(plan, 'plan');
  const bucketCursor = new Cursor(bucket, 'bucket listing');
  const wesenditCursor = options.wesendit ? new Cursor(options.wesendit, 'WeSendit listing') : undefined;
  const wesenditListed = wesenditCursor !== undefined;
  const only = options.onlyKeys;
  let pending: Pending[] = [];

  const flush = async (): Promise<AuditRow[]> => {
    const toRead = pending.filter((item) => item.judgement.needsContent === true && item.current !== undefined);
    let hashes: ReadonlyMap<string, ContentHash> | undefined;
    if (toRead.length > 0 && options.checkContent) hashes = await options.checkContent(toRead.map((item) => item.current as InventoryEntry));
    const rows: AuditRow[] = [];
    for (const item of pending) {
      const key = item.entry?.key ?? item.current?.key ?? '';
      let judgement = item.judgement;
      let read = false;
      if (judgement.needsContent === true) {
        const content: ContentHash = hashes?.get(key) ?? { error: options.checkContent ? 'not read' : 'the content check was not run' };
        read = 'sha256' in content;
        judgement = judgeKey(item.entry, item.current, item.wesenditNow, wesenditListed, content);
      }
      rows.push(rowOf(item.entry, item.current, judgement, key, read));
    }
    pending = [];
    return rows;
  };

  for (;;) {
    const planHead = await planCursor.head();
    const bucketHead = await bucketCursor.head();
    if (planHead === undefined && bucketHead === undefined) break;
    const order = planHead === undefined ? 1 : bucketHead === undefined ? -1 : compareS3Keys(planHead.key, bucketHead.key);
    const entry = order <= 0 ? planCursor.take() : undefined;
    const current = order >= 0 ? bucketCursor.take() : undefined;
    const key = entry?.key ?? current?.key ?? '';
    let wesenditNow: InventoryEntry | undefined;
    if (wesenditCursor) {
      for (let head = await wesenditCursor.head(); head !== undefined && compareS3Keys(head.key, key) <= 0; head = await wesenditCursor.head()) {
        const taken = wesenditCursor.take();
        if (taken.key === key) wesenditNow = taken;
      }
    }
    if (only !== undefined && !only.has(key)) continue;
    pending.push({ entry, current, wesenditNow, judgement: judgeKey(entry, current, wesenditNow, wesenditListed, undefined) });
    if (pending.length >= batchSize) yield await flush();
  }
  if (pending.length > 0) yield await flush();
}
