/**
 * One object of a backup, from the bucket into a file: the GET (the signed reader's, or the SDK's
 * for clients that reader does not serve), SHA-256 and MD5 while the bytes arrive, the write, and
 * retries of a body cut off half-way.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encryptionOf, type ObjectEncryption } from '../../../shared/backup/backup-manifest.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { isRetryableS3Error, s3HttpStatus } from './classify-s3-error.ts';
import type { ReadObject } from './signed-object-reader.ts';

/**
 * When a written file is made durable: `each` fdatasyncs it, `batch` leaves it to the journal's
 * syncfs before its line is written, `none` leaves it to the operating system.
 */
export type Durability = 'each' | 'batch' | 'none';

export interface DownloadObjectInput {
  readonly readObject: ReadObject;
  readonly bucket: string;
  /** The object as listed (its ETag and time fill in what the response lacks). */
  readonly entry: InventoryEntry;
  /** Written first, and removed when the download fails. */
  readonly temporary: string;
  /** Where the file ends up, renamed from `temporary` once complete. */
  readonly final: string;
  readonly durability: Durability;
  readonly signal: AbortSignal;
}

/** What the file holds, and the headers the manifest keeps. */
export interface DownloadedObject {
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
  readonly etag?: string;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
  readonly lastModified?: string;
  /** Encryption whose ETag is not an MD5: such an object is checked by its SHA-256. */
  readonly encryption?: ObjectEncryption;
}

const ATTEMPTS = 4;

/**
 * An object encrypted with a customer-provided key (SSE-C) can be read only with that key, which
 * Connect Guard never holds: the server refuses the GET with 400 (AWS: "The object was stored
 * using a form of Server Side Encryption…"; Ceph: "…with Customer provided keys…"). Named as
 * such, with what to do, instead of "S3 request failed (InvalidRequest)".
 */
function customerKeyRefusal(error: unknown, key: string): ConnectGuardError | undefined {
  const message = error instanceof Error ? error.message : '';
  if (s3HttpStatus(error) !== 400 || !/server side encryption|customer.provided key|SSE-C/i.test(message)) return undefined;
  return new ConnectGuardError(
    'ACCESS_DENIED',
    `${JSON.stringify(key)} is encrypted with a customer-provided key (SSE-C): the server gives its bytes only to a request that carries that key, which Connect Guard does not hold, so it cannot back it up. ` +
      'Back this object up with the program that holds its key, and back up the other folders with --prefix; running the backup again keeps the objects already written.',
    { cause: error },
  );
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '') || undefined;
}

/** GetObject through the SDK, for clients the signed reader does not serve. */
export function sdkObjectReader(client: S3Client): ReadObject {
  return async (bucket, key, signal) => {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    // In Node the SDK's body is the HTTP response.
    const body = response.Body;
    if (!(body instanceof IncomingMessage)) throw new ConnectGuardError('INTERNAL', `The server sent no readable body for ${JSON.stringify(key)}.`);
    const etag = unquote(response.ETag);
    const encryption = encryptionOf(response.ServerSideEncryption, response.SSECustomerAlgorithm);
    return {
      body,
      ...(response.ContentLength !== undefined ? { contentLength: response.ContentLength } : {}),
      ...(etag ? { etag } : {}),
      ...(response.LastModified ? { lastModified: response.LastModified.toISOString() } : {}),
      ...(response.ContentType ? { contentType: response.ContentType } : {}),
      ...(response.Metadata && Object.keys(response.Metadata).length > 0 ? { metadata: response.Metadata } : {}),
      ...(encryption ? { encryption } : {}),
    };
  };
}

const openFile = promisify(fs.open);
const writeVector = promisify(fs.writev);
const syncData = promisify(fs.fdatasync);
const closeFile = promisify(fs.close);
/** Bytes held before they are written out: most objects are written with one call. */
const WRITE_BUFFER = 1024 * 1024;

/**
 * Downloads one object to `final` via a temporary file: SHA-256 and MD5 while the bytes arrive,
 * written in few system calls (plain fs calls: a FileHandle costs more than a small file's
 * write), fdatasync, rename. A body cut off half-way is retried here (the client retries only
 * the request).
 */
export async function downloadObject(input: DownloadObjectInput): Promise<DownloadedObject> {
  const { readObject, bucket, entry, temporary, final, durability, signal } = input;
  for (let attempt = 1; ; attempt++) {
    let fd: number | undefined;
    try {
      const response = await readObject(bucket, entry.key, signal);
      const sha256 = createHash('sha256');
      const md5 = createHash('md5');
      let size = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of response.body) {
        const bytes: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        sha256.update(bytes);
        md5.update(bytes);
        size += bytes.length;
        pending.push(bytes);
        pendingBytes += bytes.length;
        if (pendingBytes >= WRITE_BUFFER) {
          fd ??= await openFile(temporary, 'w');
          await writeVector(fd, pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (response.contentLength !== undefined && size !== response.contentLength) {
        throw Object.assign(new Error(`short body: ${size} of ${response.contentLength} bytes`), { code: 'ECONNRESET' });
      }
      fd ??= await openFile(temporary, 'w');
      if (pending.length > 0) await writeVector(fd, pending);
      if (durability === 'each') await syncData(fd);
      const closing = fd;
      fd = undefined;
      await closeFile(closing);
      await rename(temporary, final);
      const lastModified = response.lastModified ?? entry.lastModified;
      const etag = response.etag ?? entry.etag;
      return {
        size,
        sha256: sha256.digest('hex'),
        md5: md5.digest('hex'),
        ...(etag ? { etag } : {}),
        ...(response.contentType ? { contentType: response.contentType } : {}),
        ...(response.metadata ? { metadata: response.metadata } : {}),
        ...(lastModified ? { lastModified } : {}),
        ...(response.encryption ? { encryption: response.encryption } : {}),
      };
    } catch (error) {
      if (fd !== undefined) await closeFile(fd).catch(() => undefined);
      await rm(temporary, { force: true });
      if (signal.aborted) throw error;
      if (attempt >= ATTEMPTS || !isRetryableS3Error(error)) throw customerKeyRefusal(error, entry.key) ?? error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 200 * 2 ** attempt));
    }
  }
}
