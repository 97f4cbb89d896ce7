/**
 * A backup's or restore's progress and a finished backup, in plain words: objects, bytes, rate,
 * time left; where the backup is and what was verified. Shared by the popup's "Back up now" and
 * "Restore last backup" and by the connect hold's frame (hold.html).
 */
import type { JSX } from 'preact';
import type { BackupResultView, MultipartUploadsView, TransferProgressView } from '../../../shared/protocol/views.ts';
import { formatBytes, formatCount, formatDuration, formatRate, plural } from '../preview/preview-format.ts';

const PHASE_WORDS: Readonly<Record<TransferProgressView['phase'], string>> = {
  listing: 'Listing the bucket',
  copying: 'Copying objects',
  verifying: 'Verifying the backup',
  restoring: 'Restoring objects',
};

/** `1.2 MB/s`, or `—` before anything moved. */
export function formatByteRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** One line: `Copying objects: 1,200 of 10,000 objects, 30 MB of 250 MB, 840 objects/s, 12 MB/s, about 10 s left.` */
export function progressLine(progress: TransferProgressView): string {
  const objects = progress.totalObjects === undefined ? plural(progress.objects, 'object') : `${formatCount(progress.objects)} of ${plural(progress.totalObjects, 'object')}`;
  const bytes = progress.totalBytes === undefined ? formatBytes(progress.bytes) : `${formatBytes(progress.bytes)} of ${formatBytes(progress.totalBytes)}`;
  let line = `${PHASE_WORDS[progress.phase]}: ${objects}, ${bytes}, ${formatRate(progress.rate)}, ${formatByteRate(progress.bytesPerSecond)}`;
  if (progress.etaMs !== undefined) line += `, about ${formatDuration(progress.etaMs)} left`;
  return `${line}.`;
}

/** How far along, 0–1, when the totals are known. */
function fraction(progress: TransferProgressView): number | undefined {
  if (progress.totalBytes !== undefined && progress.totalBytes > 0) return Math.min(1, progress.bytes / progress.totalBytes);
  if (progress.totalObjects !== undefined && progress.totalObjects > 0) return Math.min(1, progress.objects / progress.totalObjects);
  return undefined;
}

export interface TransferProgressProps {
  /** Accessible name of the section and its progress bar, e.g. "Backup progress". */
  readonly label: string;
  /** Absent before the companion's first report. */
  readonly progress: TransferProgressView | undefined;
  /** Shown before the first report. */
  readonly starting: string;
  readonly onCancel?: () => void;
  readonly cancelling?: boolean;
}

export function TransferProgress({ label, progress, starting, onCancel, cancelling = false }: TransferProgressProps): JSX.Element {
  const done = progress === undefined ? undefined : fraction(progress);
  return (
    <section class="preview-progress" aria-label={label} aria-busy="true">
      <p role="status">{progress === undefined ? starting : progressLine(progress)}</p>
      {done === undefined ? <progress aria-label={label} /> : <progress aria-label={label} max={1} value={done} />}
      {onCancel !== undefined && (
        <button type="button" class="secondary" disabled={cancelling} onClick={onCancel}>
          Cancel
        </button>
      )}
    </section>
  );
}

/** In-progress multipart uploads, in the seed's terms ("no active uploads or transfers"). */
export function MultipartUploadsNote({ uploads }: { readonly uploads: MultipartUploadsView | undefined }): JSX.Element | null {
  if (uploads === undefined) return null;
  if (!uploads.supported) return <p class="hint">The server cannot list uploads in progress, so Connect Guard cannot tell whether any are running. Make sure no uploads or transfers to the bucket are running.</p>;
  if (uploads.count === 0) return null;
  return (
    <div class="notice" role="alert" aria-label="Uploads in progress">
      <p>
        <strong>{plural(uploads.count, 'upload')} to the bucket {uploads.count === 1 ? 'is' : 'are'} still in progress.</strong> WeSendit advises to make sure no uploads or transfers are running
        before connecting: files still being uploaded are neither in the backup nor safe from the sync.
      </p>
      {uploads.keys.length > 0 && (
        <ul aria-label="Uploads in progress">
          {uploads.keys.map((key) => (
            <li key={key}>
              <code>{key}</code>
            </li>
          ))}
          {uploads.count > uploads.keys.length && <li>… and {plural(uploads.count - uploads.keys.length, 'more')}</li>}
        </ul>
      )}
    </div>
  );
}

/**
 * A finished backup. "Backup verified" appears only when the companion read every object back
 * and it matched: it is the words the accessibility contract promises when the backup is done.
 */
export function BackupResult({ result }: { readonly result: BackupResultView }): JSX.Element {
  return (
    <section aria-label="Backup result">
      {result.verified ? (
        <p class="ok" role="status">
          <strong>Backup verified</strong>
        </p>
      ) : (
        <p class="error" role="alert">
          The backup was written but could not be verified. Run it again before relying on it.
        </p>
      )}
      <dl class="fields" aria-label="Backup">
        <div>
          <dt>Folder</dt>
          <dd>
            <code>{result.folder}</code>
          </dd>
        </div>
        <div>
          <dt>Objects</dt>
          <dd>{formatCount(result.objects)}</dd>
        </div>
        <div>
          <dt>Bytes</dt>
          <dd>{formatBytes(result.bytes)}</dd>
        </div>
        <div>
          <dt>This run</dt>
          <dd>
            {formatCount(result.transferred)} downloaded, {formatCount(result.linked)} unchanged since the previous backup, {formatCount(result.resumed)} resumed; {formatDuration(result.elapsedMs)}
          </dd>
        </div>
      </dl>
      <MultipartUploadsNote uploads={result.multipartUploads} />
    </section>
  );
}
