/**
 * A backup into another bucket: each object is copied server-side (CopyObject), so its bytes
 * never pass through this machine; the backup folder keeps only the header and manifest.
 */
import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BackupManifestEntry } from '../../../shared/backup/backup-manifest.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';

/** `Key` of the copy in the target bucket. */
export function copyKeyFor(prefix: string, key: string): string {
  return prefix === '' ? key : prefix.endsWith('/') ? prefix + key : `${prefix}/${key}`;
}

/** `CopySource` is `bucket/key`, URL-encoded except for the slashes. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replaceAll('%2F', '/')}`;
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '') || undefined;
}

export interface CopyToBucketInput {
  readonly client: S3Client;
  /** The bucket being backed up. */
  readonly bucket: string;
  /** The object as listed. */
  readonly entry: InventoryEntry;
  /** Where the copy goes: `<prefix><key>` in this bucket. */
  readonly target: { readonly bucket: string; readonly prefix: string };
  readonly signal: AbortSignal;
}

/** Copies one object into the target bucket; returns its manifest entry (with `copyKey`). */
export async function copyToBucket(input: CopyToBucketInput): Promise<BackupManifestEntry> {
  const { client, bucket, entry, target, signal } = input;
  const copyKey = copyKeyFor(target.prefix, entry.key);
  const response = await client.send(new CopyObjectCommand({ Bucket: target.bucket, Key: copyKey, CopySource: copySource(bucket, entry.key) }), { abortSignal: signal });
  const etag = unquote(response.CopyObjectResult?.ETag);
  return { ...entry, copyKey, ...(etag && !entry.etag ? { etag } : {}) };
}
