import { predictOutcome, type DiffRow } from '../../../shared/diff/diff-inventories.ts';
import { formatBytes } from '../../../shared/diff/format-bytes.ts';
import type { S3Client } from '../s3/s3-client.ts';
import type { CliIo } from './cli-io.ts';
import { ProgressReporter } from './progress-reporter.ts';

/**
 * `diff --check-content`: an "unknown" row whose WeSendit file has an MD5 becomes same or
 * conflict once the bucket object's bytes are read and hashed (rclone check --download does the
 * same). Only those objects are read; the rest of the diff stays a listing.
 */
export class ContentChecker {
  private objects = 0;
  private bytes = 0;
  private decided = 0;
  private unreadable = 0;
  private readonly progress: ProgressReporter;
  private readonly started = Date.now();

  constructor(
    private readonly s3: { readonly client: S3Client; readonly bucket: string },
    private readonly io: CliIo,
    json: boolean,
  ) {
    this.progress = ProgressReporter.for(io.stderr, json, 'Check content');
  }

  async resolve(rows: readonly DiffRow[]): Promise<readonly DiffRow[]> {
    const wanted = rows.filter((row) => row.class === 'unknown' && row.bucket !== undefined && row.wesendit?.md5 !== undefined && row.wesendit.sizeTolerance === undefined);
    if (wanted.length === 0) return rows;
    const { hashObjects } = await import('../s3/hash-objects.ts');
    const hashes = await hashObjects({
      client: this.s3.client,
      bucket: this.s3.bucket,
      objects: wanted.flatMap((row) => (row.bucket ? [row.bucket] : [])),
      signal: this.io.signal,
      onProgress: (event) => {
        const elapsedMs = Date.now() - this.started;
        this.progress.update({ objects: this.objects + event.objects, bytes: this.bytes + event.bytes, elapsedMs, rate: elapsedMs > 0 ? ((this.objects + event.objects) * 1000) / elapsedMs : 0 });
      },
    });
    for (const row of wanted) {
      this.objects++;
      this.bytes += row.bucket?.size ?? 0;
    }
    return rows.map((row) => {
      const hash = hashes.get(row.key);
      if (hash === undefined || row.bucket === undefined || row.wesendit?.md5 === undefined) return row;
      if ('error' in hash) {
        this.unreadable++;
        return { ...row, reason: `${row.reason}; reading the object failed: ${hash.error}` };
      }
      this.decided++;
      if (hash.md5 === row.wesendit.md5.toLowerCase()) return { ...row, class: 'same', reason: "content read: its MD5 equals the WeSendit file's", outcome: undefined };
      return { ...row, class: 'conflict', reason: "content read: its MD5 differs from the WeSendit file's", outcome: predictOutcome(row.bucket, row.wesendit) };
    });
  }

  done(): void {
    this.progress.done();
  }

  /** One line for the summary. */
  describe(): string {
    if (this.objects === 0) return 'Check content: no unknown row had a WeSendit MD5 to compare with; nothing was read.\n';
    return `Check content: read ${this.objects.toLocaleString('en-US')} objects (${formatBytes(this.bytes)}); ${this.decided.toLocaleString('en-US')} unknown rows decided${this.unreadable > 0 ? `, ${this.unreadable} could not be read` : ''}.\n`;
  }
}
