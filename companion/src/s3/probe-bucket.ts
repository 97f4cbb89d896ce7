import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { classifyS3Error } from './classify-s3-error.ts';
import { listMultipartUploads, type ListMultipartUploadsOutput } from './list-multipart-uploads.ts';

export interface ProbeBucketInput {
  readonly client: S3Client;
  readonly bucket: string;
  /** Named in error messages. */
  readonly endpoint?: string;
  readonly signal?: AbortSignal;
}

export interface ProbeBucketOutput {
  /** Objects on the first listing page (at most 1,000). */
  readonly objects: number;
  /** More objects follow the first page. */
  readonly hasMore: boolean;
  readonly multipartUploads: ListMultipartUploadsOutput;
}

/**
 * The first listing page and the in-progress uploads: an empty bucket (no key, no more pages) is
 * a Fresh Start and needs no backup.
 *
 * @throws ConnectGuardError classified by `classifyS3Error` (wrong keys, missing bucket, …).
 */
export async function probeBucket(input: ProbeBucketInput): Promise<ProbeBucketOutput> {
  const { client, bucket, signal } = input;
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }), signal ? { abortSignal: signal } : {});
    const multipartUploads = await listMultipartUploads(client, bucket, signal);
    return { objects: page.KeyCount ?? page.Contents?.length ?? 0, hasMore: page.IsTruncated === true, multipartUploads };
  } catch (error) {
    if (error instanceof ConnectGuardError) throw error;
    throw classifyS3Error(error, { bucket, ...(input.endpoint !== undefined ? { endpoint: input.endpoint } : {}) });
  }
}
