import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { isRetryableS3Error } from './classify-s3-error.ts';

/** S3's rules for multipart uploads: at most 10,000 parts of at least 5 MiB (the last may be smaller). */
const MAX_PARTS = 10_000;
const MIN_PART = 5 * 1024 * 1024;
const ATTEMPTS = 4;

/**
 * The part size for a file: the preferred size, or larger where the file would need more than
 * 10,000 parts (a 5 TiB object, S3's largest, gets parts of about 525 MiB), in whole MiB.
 */
export function partSizeFor(size: number, preferred: number): number {
  const MiB = 1024 * 1024;
  const needed = Math.max(preferred, MIN_PART, Math.ceil(size / MAX_PARTS));
  return Math.ceil(needed / MiB) * MiB;
}

export interface UploadFileMultipartInput {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  /** The file to upload. */
  readonly path: string;
  /** Its size, as the backup's manifest records it. */
  readonly size: number;
  /** Preferred part size (see {@link partSizeFor}). */
  readonly partSize: number;
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Called after each part with the bytes it carried. */
  readonly onPart?: (bytes: number) => void;
}

/**
 * Uploads a file of any size S3 allows as a multipart upload, one part in memory at a time, each
 * with its Content-MD5 (the server refuses a part damaged on the way). A failure aborts the
 * upload, so no invisible parts are left taking space.
 *
 * @returns the ETag a correct upload has (MD5 of the parts' MD5s, `-` the part count), for the
 *   check after the restore.
 */
export async function uploadFileMultipart(input: UploadFileMultipartInput): Promise<{ etag: string; parts: number }> {
  const { client, bucket, key, signal } = input;
  const partSize = partSizeFor(input.size, input.partSize);
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ...(input.contentType ? { ContentType: input.contentType } : {}),
      ...(input.metadata ? { Metadata: { ...input.metadata } } : {}),
    }),
    { abortSignal: signal },
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`The server started no multipart upload for ${JSON.stringify(key)} (no UploadId).`);
  const file = await open(input.path, 'r');
  try {
    const parts: { PartNumber: number; ETag: string }[] = [];
    const md5s: Buffer[] = [];
    const buffer = Buffer.allocUnsafe(Math.min(partSize, input.size));
    for (let offset = 0, number = 1; offset < input.size; offset += partSize, number++) {
      const length = Math.min(partSize, input.size - offset);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      if (bytesRead !== length) throw new Error(`${input.path} is shorter than the ${input.size} bytes the backup recorded.`);
      const body = buffer.subarray(0, length);
      const md5 = createHash('md5').update(body).digest();
      const partNumber = number;
      const uploaded = await withRetries(signal, () =>
        client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: length, ContentMD5: md5.toString('base64') }), { abortSignal: signal }),
      );
      parts.push({ PartNumber: partNumber, ETag: uploaded.ETag ?? `"${md5.toString('hex')}"` });
      md5s.push(md5);
      input.onPart?.(length);
    }
    await withRetries(signal, () => client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), { abortSignal: signal }));
    return { etag: `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}`, parts: parts.length };
  } catch (error) {
    // Best effort: parts of an unfinished upload are invisible yet take space (and cost money).
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw error;
  } finally {
    await file.close();
  }
}

async function withRetries<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (signal.aborted || attempt >= ATTEMPTS || !isRetryableS3Error(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 200 * 2 ** attempt));
    }
  }
}
