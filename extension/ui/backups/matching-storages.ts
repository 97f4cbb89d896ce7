/**
 * The saved storages that reach a backup's bucket: the same bucket name and, when the backup
 * recorded its endpoint, the same S3 endpoint however either was written (`s3.example.com`,
 * `https://s3.example.com/`, or an AWS region name the background turns into its endpoint).
 */
import type { StorageSummary } from '../../../shared/credentials.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';

/** An AWS region as a storage's S3 Server Address may hold it (resolve-connection-source.ts reads it the same way). */
const AWS_REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/;

/** One spelling per endpoint, for comparing. */
export function endpointKey(address: string): string {
  const trimmed = address.trim();
  const url = AWS_REGION.test(trimmed) ? `https://s3.${trimmed}.amazonaws.com` : trimmed;
  try {
    return parseEndpoint(url).url.toLowerCase();
  } catch {
    return url.toLowerCase().replace(/\/+$/, '');
  }
}

export interface BackupBucket {
  readonly bucket: string;
  /** The endpoint the backup was taken from, when it recorded one. */
  readonly endpoint?: string;
}

export function storagesForBackup(storages: readonly StorageSummary[], backup: BackupBucket): StorageSummary[] {
  const endpoint = backup.endpoint === undefined ? undefined : endpointKey(backup.endpoint);
  return storages.filter((storage) => storage.bucketName.trim() === backup.bucket && (endpoint === undefined || endpointKey(storage.serverAddress) === endpoint));
}
