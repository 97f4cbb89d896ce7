import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isRetryableS3Error } from './classify-s3-error.ts';

const ATTEMPTS = 4;

/**
 * The SHA-256 of an object's bytes as the bucket serves them, read as a stream (never held in
 * memory). For objects whose ETag is not an MD5 of their bytes (multipart, SSE-KMS, SSE-C), this
 * is how Connect Guard tells whether they still hold what a backup proved.
 */
export async function hashObjectContent(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), signal ? { abortSignal: signal } : {});
      const body = response.Body;
      if (body === undefined || !(Symbol.asyncIterator in body)) throw new Error(`The server sent no body for ${JSON.stringify(key)}.`);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        size += chunk.length;
      }
      return { sha256: hash.digest('hex'), size };
    } catch (error) {
      if (signal?.aborted || attempt >= ATTEMPTS || !isRetryableS3Error(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 200 * 2 ** attempt));
    }
  }
}

/** SHA-256 of many objects, a few at a time: key → hex digest. */
export async function hashObjectsContent(client: S3Client, bucket: string, keys: readonly string[], signal?: AbortSignal, concurrency = 8): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let key = keys[next++]; key !== undefined; key = keys[next++]) hashes.set(key, (await hashObjectContent(client, bucket, key, signal)).sha256);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  return hashes;
}
