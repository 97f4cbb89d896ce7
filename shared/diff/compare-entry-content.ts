import type { InventoryEntry } from '../inventory.ts';
import { formatBytes, formatPartSize } from './format-bytes.ts';

/** What can be said about two entries with the same key. */
export interface ContentComparison {
  readonly verdict: 'same' | 'conflict' | 'unknown';
  /** Plain words, e.g. "MD5 equal" or "sizes differ (1.2 MB vs 800 KB)". */
  readonly reason: string;
}

const PLAIN_MD5 = /^[0-9a-f]{32}$/;
const MULTIPART_ETAG = /^([0-9a-f]{32})-([1-9][0-9]{0,4})$/;

const SAME_MD5: ContentComparison = { verdict: 'same', reason: 'MD5 equal' };
const SAME_ETAG: ContentComparison = { verdict: 'same', reason: 'ETag equal' };
const SAME_EMPTY: ContentComparison = { verdict: 'same', reason: 'both empty' };
const DIFFERENT_MD5: ContentComparison = { verdict: 'conflict', reason: 'same size, MD5 differs' };

/** ETags arrive quoted from some tools (`"abc…"`) and in upper case from others. */
function cleanEtag(etag: string | undefined): string | undefined {
  if (etag === undefined || etag === '') return undefined;
  const unquoted = etag.charCodeAt(0) === 34 ? etag.slice(1, -1) : etag;
  return unquoted.toLowerCase();
}

/** The content MD5 an entry vouches for: its md5, or an ETag that is a plain MD5. */
function plainMd5(entry: InventoryEntry): string | undefined {
  if (entry.md5) return entry.md5.toLowerCase();
  const etag = cleanEtag(entry.etag);
  return etag !== undefined && PLAIN_MD5.test(etag) ? etag : undefined;
}

function multipartEtag(entry: InventoryEntry): { etag: string; parts: number } | undefined {
  const etag = cleanEtag(entry.etag);
  if (etag === undefined) return undefined;
  const match = MULTIPART_ETAG.exec(etag);
  return match ? { etag, parts: Number(match[2]) } : undefined;
}

/**
 * Part sizes that split `size` bytes into exactly `parts` parts: ceil(size / p) === parts.
 * Returned as an inclusive range, or undefined when none does.
 */
export function partSizeRange(size: number, parts: number): { min: number; max: number } | undefined {
  if (parts < 1 || size < 1) return undefined;
  const min = Math.ceil(size / parts);
  const max = parts === 1 ? Number.POSITIVE_INFINITY : Math.ceil(size / (parts - 1)) - 1;
  return min <= max ? { min, max } : undefined;
}

function formatMiB(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(2))} MiB`;
}

function describeRange(range: { min: number; max: number } | undefined): string {
  if (!range) return 'no part size fits';
  if (range.max === Number.POSITIVE_INFINITY) return `a part size of at least ${formatMiB(range.min)} fits`;
  return `part sizes from ${formatMiB(range.min)} to ${formatMiB(range.max)} fit`;
}

const SIDE_NAMES = { bucket: 'the bucket', wesendit: 'the WeSendit side' } as const;

/**
 * Matches a multipart ETag (`md5-N`) against hashes the other side computed for known part
 * sizes. Equality is proven only by an exact match; anything else stays unknown, since the
 * uploader may have used a part size nobody hashed.
 */
function compareMultipart(
  multipart: { etag: string; parts: number },
  size: number,
  other: InventoryEntry,
  otherSide: 'bucket' | 'wesendit',
): ContentComparison {
  const short = `${multipart.etag.slice(0, 8)}…-${multipart.parts}`;
  const otherName = otherSide === 'wesendit' ? 'the WeSendit file' : 'the bucket object';
  const candidates = other.multipartEtags;
  const tried: number[] = [];
  if (candidates) {
    for (const partSizeText of Object.keys(candidates)) {
      const partSize = Number(partSizeText);
      const candidate = cleanEtag(candidates[partSize]);
      if (candidate === multipart.etag) {
        return {
          verdict: 'same',
          reason: `multipart ETag ${short} matches ${otherName} hashed with ${formatPartSize(partSize)} parts`,
        };
      }
      tried.push(partSize);
    }
  }
  const range = partSizeRange(size, multipart.parts);
  const fitting = tried.filter((p) => range !== undefined && p >= range.min && p <= range.max);
  if (fitting.length > 0) {
    return {
      verdict: 'unknown',
      reason:
        `multipart ETag ${short} does not match ${otherName} hashed with ` +
        `${fitting.map(formatPartSize).join(' or ')} parts: the content differs, or the upload used another part size (${describeRange(range)})`,
    };
  }
  const hasMd5 = plainMd5(other) !== undefined;
  return {
    verdict: 'unknown',
    reason:
      `multipart ETag ${short} cannot be compared with ${hasMd5 ? `${otherName}'s MD5` : otherName}: ` +
      `the part size is not known (${describeRange(range)})`,
  };
}

/** "1.2 MB" or, for a size the file browser rounded, "1.2 MB ± 50 KB". */
function describeSize(entry: InventoryEntry): string {
  return entry.sizeTolerance ? `${formatBytes(entry.size)} ± ${formatBytes(entry.sizeTolerance)}` : formatBytes(entry.size);
}

/**
 * Decides whether two entries with the same key hold the same content, and says why in plain
 * words. Only proof counts: equal sizes alone are "unknown", never "same". A size WeSendit's file
 * browser showed rounded ("1.2 MB") proves neither equality nor a difference within its rounding:
 * such sizes conflict only when they differ by more than both roundings together.
 */
export function compareEntryContent(bucket: InventoryEntry, wesendit: InventoryEntry): ContentComparison {
  const rounding = (bucket.sizeTolerance ?? 0) + (wesendit.sizeTolerance ?? 0);
  if (Math.abs(bucket.size - wesendit.size) > rounding) {
    return {
      verdict: 'conflict',
      reason:
        rounding === 0
          ? `sizes differ (${formatBytes(bucket.size)} in the bucket vs ${formatBytes(wesendit.size)} in WeSendit)`
          : `sizes differ by more than WeSendit's rounding (${describeSize(bucket)} in the bucket vs ${describeSize(wesendit)} in WeSendit)`,
    };
  }
  if (rounding === 0 && bucket.size === 0) return SAME_EMPTY;

  const bucketMd5 = plainMd5(bucket);
  const wesenditMd5 = plainMd5(wesendit);
  if (bucketMd5 !== undefined && wesenditMd5 !== undefined) {
    if (bucketMd5 === wesenditMd5) return SAME_MD5;
    return rounding === 0 ? DIFFERENT_MD5 : { verdict: 'conflict', reason: 'MD5 differs' };
  }

  const bucketMultipart = multipartEtag(bucket);
  const wesenditMultipart = multipartEtag(wesendit);
  if (bucketMultipart && wesenditMultipart) {
    if (bucketMultipart.etag === wesenditMultipart.etag) return SAME_ETAG;
    if (bucketMultipart.parts === wesenditMultipart.parts) {
      // Same size and same part count: the part size is the same only if both tools chose it.
      return {
        verdict: 'unknown',
        reason: `multipart ETags differ (${bucketMultipart.etag.slice(0, 8)}…-${bucketMultipart.parts} vs ${wesenditMultipart.etag.slice(0, 8)}…-${wesenditMultipart.parts}); the part sizes may differ`,
      };
    }
    return {
      verdict: 'unknown',
      reason: `multipart ETags with different part counts (${bucketMultipart.parts} vs ${wesenditMultipart.parts}) cannot be compared`,
    };
  }
  if (bucketMultipart) return compareMultipart(bucketMultipart, bucket.size, wesendit, 'wesendit');
  if (wesenditMultipart) return compareMultipart(wesenditMultipart, wesendit.size, bucket, 'bucket');

  const missing =
    bucketMd5 === undefined && wesenditMd5 === undefined
      ? 'neither side has a hash'
      : `${bucketMd5 === undefined ? SIDE_NAMES.bucket : SIDE_NAMES.wesendit} has no hash`;
  if (rounding > 0) {
    return { verdict: 'unknown', reason: `sizes agree within WeSendit's rounding (${describeSize(bucket)} in the bucket, ${describeSize(wesendit)} in WeSendit) but ${missing}` };
  }
  return { verdict: 'unknown', reason: `sizes equal (${formatBytes(bucket.size)}) but ${missing}` };
}
