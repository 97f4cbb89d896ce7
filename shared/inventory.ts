/**
 * One object of an inventory: a bucket listing, a local folder, a manifest or WeSendit's own
 * file list. Keys are S3 keys (a local path uses `/` separators, relative to its root).
 */
export interface InventoryEntry {
  readonly key: string;
  readonly size: number;
  /**
   * The size is rounded (WeSendit's file browser shows "1.2 MB"): the true size lies within
   * `size ± sizeTolerance` bytes. Absent: `size` is exact.
   */
  readonly sizeTolerance?: number;
  /** ISO 8601, when the source knows it. */
  readonly lastModified?: string;
  /** S3 ETag without quotes: an MD5 hex, or `md5hex-N` for a multipart upload. */
  readonly etag?: string;
  /** Content MD5 in hex, when known (local files, manifests). */
  readonly md5?: string;
  /**
   * Multipart ETags this source can vouch for, by part size in bytes, e.g. a local file hashed
   * for the part sizes common S3 tools use. `{ 8388608: 'abc…-3' }`.
   */
  readonly multipartEtags?: Readonly<Record<number, string>>;
}
