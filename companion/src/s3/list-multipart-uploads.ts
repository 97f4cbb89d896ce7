import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3ErrorCode, s3HttpStatus } from './classify-s3-error.ts';

export interface InProgressUpload {
  readonly key: string;
  readonly uploadId: string;
  /** ISO 8601, when the server says. */
  readonly initiated?: string;
}

export type ListMultipartUploadsOutput =
  | { readonly supported: true; readonly uploads: readonly InProgressUpload[] }
  | { readonly supported: false; readonly reason: string };

const unsupportedCodes = new Set(['NotImplemented', 'MethodNotAllowed', 'UnsupportedOperation', 'XNotImplemented']);

/**
 * In-progress multipart uploads of a bucket: the seed's "make sure no active uploads or
 * transfers are running". A server that cannot list them is reported as such, never as "none".
 *
 * @throws the SDK's error for anything else (wrong keys, missing bucket …): classify it with
 *   `classifyS3Error`.
 */
export async function listMultipartUploads(client: S3Client, bucket: string, signal?: AbortSignal): Promise<ListMultipartUploadsOutput> {
  const uploads: InProgressUpload[] = [];
  try {
    // The SDK has no paginator for this operation (two markers instead of a token).
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}), ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}) }),
        signal ? { abortSignal: signal } : {},
      );
      for (const upload of page.Uploads ?? []) {
        if (upload.Key === undefined || upload.UploadId === undefined) continue;
        uploads.push({ key: upload.Key, uploadId: upload.UploadId, ...(upload.Initiated ? { initiated: upload.Initiated.toISOString() } : {}) });
      }
      if (!page.IsTruncated || (page.NextKeyMarker === keyMarker && page.NextUploadIdMarker === uploadIdMarker)) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  } catch (error) {
    const code = s3ErrorCode(error);
    const status = s3HttpStatus(error);
    if ((code !== undefined && unsupportedCodes.has(code)) || status === 501 || status === 405) {
      return {
        supported: false,
        reason: `This server cannot list in-progress multipart uploads (${code ?? `HTTP ${status}`}), so Connect Guard cannot confirm that no uploads or transfers are running: check that no tool is still writing to the bucket.`,
      };
    }
    throw error;
  }
  return { supported: true, uploads };
}
