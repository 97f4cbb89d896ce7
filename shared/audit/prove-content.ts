/**
 * Proving what an object in the bucket holds, against one side of the plan: by size, ETag
 * equality, MD5, or (after reading its bytes) SHA-256. Only proof counts; anything else is
 * "unproven" and the object is read, or reported as unverifiable.
 */
import type { InventoryEntry } from '../inventory.ts';
import type { PlanSide } from './sync-plan.ts';

/** Content hashes of an object read from the bucket, or why it could not be read. */
export type ContentHash = { readonly sha256: string; readonly md5: string } | { readonly error: string };

/** How the bucket's content was compared with what the plan expected. */
export type Proof = 'size' | 'etag' | 'md5' | 'sha256' | 'listing' | 'none';

const PLAIN_MD5 = /^[0-9a-f]{32}$/;

function clean(etag: string | undefined): string | undefined {
  if (etag === undefined || etag === '') return undefined;
  return etag.replace(/^"|"$/g, '').toLowerCase();
}

/** The MD5 a side vouches for: its own, or an ETag that is an MD5 (not when the bucket encrypts). */
function md5Of(side: PlanSide): string | undefined {
  if (side.md5) return side.md5.toLowerCase();
  const etag = clean(side.etag);
  return etag !== undefined && PLAIN_MD5.test(etag) ? etag : undefined;
}

/**
 * A plain-looking ETag that is not the MD5 of the object's bytes: the bucket encrypts (SSE-KMS,
 * SSE-C), so ETags prove nothing but their own equality.
 */
export function etagIsNotMd5(side: PlanSide | undefined): boolean {
  const etag = clean(side?.etag);
  return side?.md5 !== undefined && etag !== undefined && PLAIN_MD5.test(etag) && etag !== side.md5.toLowerCase();
}

export type Equality = { readonly verdict: 'same' | 'different'; readonly proof: Proof } | { readonly verdict: 'unproven' };

const UNPROVEN: Equality = { verdict: 'unproven' };

/**
 * Does the object now hold this side's content? Proven by size (different), ETag equality, MD5
 * (a plain ETag against a known MD5, unless the bucket encrypts) or, after a read, SHA-256 or MD5
 * of the bytes; anything else is unproven.
 */
export function compareWithSide(current: InventoryEntry, side: PlanSide, content: ContentHash | undefined, encrypts: boolean): Equality {
  const tolerance = side.sizeTolerance ?? 0;
  if (Math.abs(current.size - side.size) > tolerance) return { verdict: 'different', proof: 'size' };
  const etag = clean(current.etag);
  const sideEtag = clean(side.etag);
  if (etag !== undefined && etag === sideEtag) return { verdict: 'same', proof: 'etag' };
  if (content !== undefined && 'sha256' in content) {
    if (side.sha256 !== undefined) return { verdict: content.sha256 === side.sha256 ? 'same' : 'different', proof: 'sha256' };
    const md5 = md5Of(side);
    if (md5 !== undefined && !(encrypts && side.md5 === undefined)) return { verdict: content.md5 === md5 ? 'same' : 'different', proof: 'md5' };
  }
  // A listing's MD5 (a WeSendit side) or plain ETag (not when the bucket encrypts).
  const currentMd5 = current.md5?.toLowerCase() ?? (!encrypts && etag !== undefined && PLAIN_MD5.test(etag) ? etag : undefined);
  if (tolerance === 0 && currentMd5 !== undefined) {
    const md5 = md5Of(side);
    if (md5 !== undefined) return { verdict: currentMd5 === md5 ? 'same' : 'different', proof: 'md5' };
  }
  if (current.size === 0 && side.size === 0 && tolerance === 0) return { verdict: 'same', proof: 'size' };
  return UNPROVEN;
}
