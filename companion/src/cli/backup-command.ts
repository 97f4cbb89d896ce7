import { formatBytes } from '../../../shared/diff/format-bytes.ts';
import type { TransferProgress } from '../../../shared/protocol/views.ts';
import type { BackupMultipartUploads } from '../../../shared/backup/backup-manifest.ts';
import { UsageError, parseCommandArgs, parsePositiveInteger, type CliIo } from './cli-io.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import type { ProgressOutput } from './progress-reporter.ts';
import { S3_OPTIONS, S3_OPTIONS_HELP, openS3 } from './s3-options.ts';

export const BACKUP_HELP = `Usage: connect-guard backup --bucket NAME --endpoint URL [options]

Makes a full, verified backup of a bucket before you connect it to WeSendit ("Create a full
backup of the existing bucket"): every object is downloaded (SHA-256 computed while writing),
listed in a manifest (key, size, ETag, SHA-256, last modified), and read back to verify it.
An interrupted backup is resumed by running the same command again; objects that did not change
since the last verified backup are hard-linked from it instead of downloaded.
In-progress multipart uploads are reported: their files are not in the backup.

Options:
  --bucket NAME         the bucket to back up
  --to DIR              backups folder (default ~/ConnectGuard/backups); the backup goes to
                        DIR/BUCKET/UTC-TIME/ (objects/, manifest.ndjson, backup.json)
  --to-bucket B[/PFX]   copy the objects server-side into bucket B (under prefix PFX) instead of
                        downloading them; the manifest still goes to the folder above
  --prefix TEXT         only keys starting with TEXT
  --resume FOLDER       resume the unfinished backup in FOLDER (by default the newest unfinished
                        backup of the bucket under --to is resumed by itself)
  --fresh               start a new backup even when the newest one is unfinished
  --full                download every object (no hard links from the previous backup)
  --skip-verify         do not read the backup back (it is then "complete", not "verified")
  --concurrency N       downloads at once (default 64)
  --json                progress and result as NDJSON ({"type":"progress",…} on stderr, {"type":"result",…} on stdout)
  -h, --help            this help

Restore later with: connect-guard restore --from FOLDER

${S3_OPTIONS_HELP}

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  ...S3_OPTIONS,
  bucket: { type: 'string' },
  to: { type: 'string' },
  'to-bucket': { type: 'string' },
  prefix: { type: 'string' },
  fresh: { type: 'boolean' },
  resume: { type: 'string' },
  full: { type: 'boolean' },
  'skip-verify': { type: 'boolean' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A progress event of a backup or restore, as the CLI shows it. */
export type PhaseProgressEvent = TransferProgress<string>;

const PHASE_LABELS: Record<string, string> = { listing: 'Listing', copying: 'Backing up', verifying: 'Verifying', restoring: 'Restoring' };

/** Progress with totals and ETA: one line redrawn on a terminal, NDJSON with --json, nothing otherwise. */
export function phaseProgress(output: ProgressOutput, json: boolean): { update(event: PhaseProgressEvent): void; done(): void } {
  let drawn = false;
  let phase = '';
  let lastDraw = 0;
  return {
    update(event) {
      if (json) {
        output.write(JSON.stringify({ type: 'progress', step: event.phase, ...event }) + '\n');
        return;
      }
      if (!output.isTTY) return;
      const now = Date.now();
      if (event.phase === phase && now - lastDraw < 100) return;
      if (event.phase !== phase && drawn) output.write('\n');
      phase = event.phase;
      lastDraw = now;
      const count = event.totalObjects !== undefined ? `${event.objects.toLocaleString('en-US')}/${event.totalObjects.toLocaleString('en-US')} objects` : `${event.objects.toLocaleString('en-US')} objects`;
      const bytes = event.totalBytes !== undefined ? `${formatBytes(event.bytes)}/${formatBytes(event.totalBytes)}` : formatBytes(event.bytes);
      const eta = event.etaMs !== undefined ? ` · ETA ${Math.ceil(event.etaMs / 1000)} s` : '';
      output.write(`\r\x1b[2K${PHASE_LABELS[event.phase] ?? event.phase}: ${count} · ${bytes} · ${Math.round(event.rate).toLocaleString('en-US')}/s · ${formatBytes(event.bytesPerSecond)}/s${eta}`);
      drawn = true;
    },
    done() {
      if (drawn) output.write('\n');
      drawn = false;
    },
  };
}

export function describeBackupUploads(status: BackupMultipartUploads): string {
  if (!status.supported) return `In-progress uploads: ${status.reason}`;
  if (status.count === 0) return 'In-progress uploads: none.';
  const shown = status.keys.slice(0, 5).map((key) => JSON.stringify(key)).join(', ');
  return `In-progress uploads: ${status.count} (${shown}${status.count > 5 ? ', …' : ''}). Their files are not in this backup: wait for them to finish (or abort them) and back up again before you connect.`;
}

/** `B` or `B/prefix/`. */
function parseBucketTarget(value: string): { bucket: string; prefix: string } {
  const slash = value.indexOf('/');
  const bucket = slash === -1 ? value : value.slice(0, slash);
  if (bucket === '') throw new UsageError(`--to-bucket needs a bucket name, e.g. --to-bucket my-backups/nas/ (got "${value}").`, 'backup');
  return { bucket, prefix: slash === -1 ? '' : value.slice(slash + 1) };
}

export async function runBackup(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('backup', args, OPTIONS);
  if (values.help) {
    io.stdout.write(BACKUP_HELP);
    return EXIT.ok;
  }
  if (!values.bucket) throw new UsageError('--bucket is required (the bucket to back up).', 'backup');
  const bucket = values.bucket;
  if (values.to !== undefined && values.to.trim() === '') throw new UsageError('--to needs a folder.', 'backup');
  const concurrency = parsePositiveInteger('backup', 'concurrency', values.concurrency, 64);
  if (values.resume !== undefined && values.fresh) throw new UsageError('--resume and --fresh contradict each other.', 'backup');
  const toBucket = values['to-bucket'] !== undefined ? parseBucketTarget(values['to-bucket']) : undefined;
  const json = values.json === true;
  if (values.resume !== undefined) {
    const { readBackupHeader } = await import('../backup/backup-folder.ts');
    const header = await readBackupHeader(values.resume);
    if (header.status === 'verified' || (header.status === 'complete' && values['skip-verify'] === true)) throw new UsageError(`${values.resume} holds a finished backup: nothing to resume.`, 'backup');
    if (header.bucket !== bucket) throw new UsageError(`${values.resume} is a backup of ${header.bucket}, not of ${bucket}.`, 'backup');
  }
  const s3 = await openS3('backup', values, io);
  const { backupBucket } = await import('../s3/backup-bucket.ts');
  const progress = phaseProgress(io.stderr, json);
  let result;
  try {
    result = await backupBucket({
      client: s3.client,
      bucket,
      endpoint: s3.endpoint,
      concurrency,
      ...(values.prefix ? { prefix: values.prefix } : {}),
      ...(values.to ? { root: values.to } : {}),
      ...(values.resume ? { folder: values.resume } : {}),
      ...(toBucket ? { toBucket } : {}),
      resume: values.fresh ? 'never' : 'auto',
      incremental: values.full !== true,
      verify: values['skip-verify'] !== true,
      signal: io.signal,
      onProgress: (event) => progress.update(event),
    });
  } finally {
    progress.done();
    s3.client.destroy();
  }
  if (json) {
    const { header: _header, ...rest } = result;
    io.stdout.write(JSON.stringify({ type: 'result', ...rest, status: result.header.status }) + '\n');
    return EXIT.ok;
  }
  const seconds = result.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(result.objects / seconds) : result.objects;
  io.stdout.write(
    `Backup of ${bucket} ${result.verified ? 'verified' : 'complete (not verified)'}: ${result.objects.toLocaleString('en-US')} objects (${formatBytes(result.bytes)}) in ${seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} objects/s).\n` +
      `  ${toBucket ? 'Copied server-side' : 'Downloaded'}: ${result.transferred.toLocaleString('en-US')} (${formatBytes(result.transferredBytes)})` +
      (result.linked > 0 ? ` · unchanged, linked from the previous backup: ${result.linked.toLocaleString('en-US')}` : '') +
      (result.resumed > 0 ? ` · finished earlier (resumed): ${result.resumed.toLocaleString('en-US')}` : '') +
      (result.verifiedEarlier > 0 ? ` · verified by the interrupted run: ${result.verifiedEarlier.toLocaleString('en-US')}` : '') +
      '\n' +
      `  ${describeBackupUploads(result.multipartUploads)}\n` +
      `Folder: ${result.folder}\n` +
      `Restore with: connect-guard restore --from ${JSON.stringify(result.folder)}\n`,
  );
  return EXIT.ok;
}
