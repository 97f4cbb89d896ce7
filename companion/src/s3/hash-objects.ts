/**
 * Reads objects whose listing cannot prove what they hold (a multipart ETag, an encrypted
 * object) and hashes their bytes — SHA-256 to compare with a backup, MD5 to compare with a
 * file's — without writing them anywhere. Also HEADs single keys, for a review that checks only
 * the keys that had not arrived yet.
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ContentHash } from '../../../shared/audit/audit-sync.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { classifyS3Error, isRetryableS3Error, s3HttpStatus } from './classify-s3-error.ts';
import { sdkObjectReader } from './download-object.ts';

export interface HashProgress {
  /** Objects hashed so far, of `total`. */
  readonly objects: number;
  readonly total: number;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly elapsedMs: number;
}

export interface HashObjectsInput {
  readonly client: S3Client;
  readonly bucket: string;
  readonly objects: readonly InventoryEntry[];
  /** Reads at once (default 8). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: HashProgress) => void;
  readonly endpoint?: string;
}

const ATTEMPTS = 4;

async function hashOne(client: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<{ sha256: string; md5: string; size: number }> {
  const read = sdkObjectReader(client);
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await read(bucket, key, signal);
      const sha256 = createHash('sha256');
      const md5 = createHash('md5');
      let size = 0;
      for await (const chunk of response.body) {
        const bytes: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        sha256.update(bytes);
        md5.update(bytes);
        size += bytes.length;
      }
      if (response.contentLength !== undefined && size !== response.contentLength) {
        throw Object.assign(new Error(`short body: ${size} of ${response.contentLength} bytes`), { code: 'ECONNRESET' });
      }
      return { sha256: sha256.digest('hex'), md5: md5.digest('hex'), size };
    } catch (error) {
      if (signal.aborted || attempt >= ATTEMPTS || !isRetryableS3Error(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 200 * 2 ** attempt));
    }
  }
}

/**
 * Hashes each object's bytes. An object that cannot be read is answered with its error (the
 * review marks it `!`), not thrown: one unreadable object must not hide the others' results.
 * Only a cancel throws.
 */
export async function hashObjects(input: HashObjectsInput): Promise<Map<string, ContentHash>> {
  const started = Date.now();
  const signal = input.signal ?? new AbortController().signal;
  setMaxListeners(64, signal);
  const results = new Map<string, ContentHash>();
  const totalBytes = input.objects.reduce((sum, object) => sum + object.size, 0);
  let objects = 0;
  let bytes = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let object = input.objects[next++]; object !== undefined; object = input.objects[next++]) {
      try {
        const hashed = await hashOne(input.client, input.bucket, object.key, signal);
        results.set(object.key, { sha256: hashed.sha256, md5: hashed.md5 });
      } catch (error) {
        if (signal.aborted) throw error;
        results.set(object.key, { error: s3HttpStatus(error) === 404 ? 'deleted while it was being read' : classifyS3Error(error, { bucket: input.bucket, ...(input.endpoint ? { endpoint: input.endpoint } : {}) }).message });
      }
      objects++;
      bytes += object.size;
      input.onProgress?.({ objects, total: input.objects.length, bytes, totalBytes, elapsedMs: Date.now() - started });
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, input.concurrency ?? 8), Math.max(1, input.objects.length)) }, worker));
  return results;
}

/**
 * HEADs the given keys and returns those that exist, in S3 key order, as a listing would show
 * them ("check again" for the keys that had not arrived).
 */
export async function headObjects(input: { readonly client: S3Client; readonly bucket: string; readonly keys: readonly string[]; readonly signal?: AbortSignal; readonly endpoint?: string }): Promise<InventoryEntry[]> {
  const found: InventoryEntry[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let key = input.keys[next++]; key !== undefined; key = input.keys[next++]) {
      try {
        const head = await input.client.send(new HeadObjectCommand({ Bucket: input.bucket, Key: key }), { ...(input.signal ? { abortSignal: input.signal } : {}) });
        const etag = head.ETag?.replace(/^"|"$/g, '');
        found.push({ key, size: head.ContentLength ?? 0, ...(etag ? { etag } : {}), ...(head.LastModified ? { lastModified: head.LastModified.toISOString() } : {}) });
      } catch (error) {
        if (s3HttpStatus(error) === 404) continue;
        throw classifyS3Error(error, { bucket: input.bucket, ...(input.endpoint ? { endpoint: input.endpoint } : {}) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, Math.max(1, input.keys.length)) }, worker));
  return found.sort((a, b) => compareS3Keys(a.key, b.key));
}
