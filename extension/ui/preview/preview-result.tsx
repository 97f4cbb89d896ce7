/**
 * A preview's result as the panel shows it: progress while it runs; then the totals, the advice
 * and what is at risk as soon as the companion sends them, the rows counted in while they arrive,
 * and the list and the report once every row is stored; or the error with the doctor's checks.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { DiffPreviewSummary } from '../../../shared/protocol/views.ts';
import type { PreviewState } from '../../../shared/protocol/extension-protocol.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { PreviewExport } from './preview-export.tsx';
import { formatCount, formatDuration, plural } from './preview-format.ts';
import { PreviewRowList, type RowFilter } from './preview-row-list.tsx';
import type { SendToBackground } from './preview-send.ts';
import { AdviceView, AtRiskView, ClassTable, DoctorView, PreviewProgressView } from './preview-summary.tsx';

export function isRunning(state: PreviewState | undefined): boolean {
  return state !== undefined && (state.status === 'reading-wesendit' || state.status === 'listing');
}

export function PreviewResult({
  state,
  send,
  filter,
  onFilter,
  onCancel,
  cancelling,
  listHeight,
}: {
  readonly state: PreviewState;
  readonly send: SendToBackground;
  readonly filter: RowFilter;
  readonly onFilter: (filter: RowFilter) => void;
  readonly onCancel: () => void;
  readonly cancelling: boolean;
  readonly listHeight: number;
}): JSX.Element {
  const target = (
    <p class="hint preview-target">
      Bucket <strong>{state.bucket.bucket}</strong>
      {state.bucket.endpoint === '' ? '' : ` on ${state.bucket.endpoint}`}, access key {state.bucket.accessKeyId}
    </p>
  );
  if (isRunning(state)) {
    return (
      <div class="preview-result" data-status={state.status}>
        {target}
        <PreviewProgressView state={state} onCancel={onCancel} cancelling={cancelling} />
      </div>
    );
  }
  if (state.status === 'cancelled') {
    return (
      <div class="preview-result" data-status={state.status}>
        {target}
        <p role="status">Preview cancelled. Nothing was changed.</p>
      </div>
    );
  }
  if (state.status === 'failed') {
    return (
      <div class="preview-result" data-status={state.status}>
        {target}
        <ErrorMessage message={state.error?.message ?? 'The preview failed.'} />
        {state.doctor !== undefined && <DoctorView report={state.doctor} />}
      </div>
    );
  }
  const summary = state.summary;
  if (summary === undefined || (state.status !== 'done' && state.status !== 'loading-rows')) {
    return (
      <div class="preview-result" data-status={state.status}>
        {target}
        <ErrorMessage message="The preview finished without a summary. Run it again." />
      </div>
    );
  }
  return <DoneResult state={state} summary={summary} target={target} send={send} filter={filter} onFilter={onFilter} listHeight={listHeight} onCancel={onCancel} cancelling={cancelling} />;
}

/** The list's place while the rows still arrive: the summary above is already complete. */
function RowsLoading({ loaded, total, onCancel, cancelling }: { readonly loaded: number; readonly total: number; readonly onCancel: () => void; readonly cancelling: boolean }): JSX.Element {
  return (
    <section class="preview-rows" aria-label="Files" aria-busy="true">
      <p class="hint" role="status" data-rows-loaded={loaded} data-rows-total={total}>
        Loading rows: {formatCount(loaded)} of {formatCount(total)}…
      </p>
      <progress aria-label="Rows loaded" value={loaded} max={Math.max(1, total)} />
      <button type="button" class="secondary" disabled={cancelling} onClick={onCancel}>
        Cancel
      </button>
    </section>
  );
}

/**
 * How many bucket files each policy overwrites: the background's at-risk filter, counted without
 * rows; asked once every row is stored (`ready`), since a count over part of the rows would mislead.
 */
function useBucketFilesAtRisk(send: SendToBackground, previewId: string, ready: boolean): { newerWins?: number; wesenditWins?: number } {
  const [counts, setCounts] = useState<{ newerWins?: number; wesenditWins?: number }>({});
  useEffect(() => {
    let live = true;
    setCounts({});
    if (!ready) return;
    Promise.all([send('preview.rows', { previewId, offset: 0, limit: 0, atRisk: 'newer-wins' }), send('preview.rows', { previewId, offset: 0, limit: 0, atRisk: 'wesendit-wins' })]).then(
      ([newer, wesendit]) => {
        if (live) setCounts({ newerWins: newer.matching, wesenditWins: wesendit.matching });
      },
      // The totals still tell the conflicts; only the bucket-side count is missing.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [send, previewId, ready]);
  return counts;
}

function DoneResult({
  state,
  summary,
  target,
  send,
  filter,
  onFilter,
  listHeight,
  onCancel,
  cancelling,
}: {
  readonly state: PreviewState;
  readonly summary: DiffPreviewSummary;
  readonly target: JSX.Element;
  readonly send: SendToBackground;
  readonly filter: RowFilter;
  readonly onFilter: (filter: RowFilter) => void;
  readonly listHeight: number;
  readonly onCancel: () => void;
  readonly cancelling: boolean;
}): JSX.Element {
  const done = state.status === 'done';
  const bucketFiles = useBucketFilesAtRisk(send, state.previewId, done);
  return (
    <div class="preview-result" data-status={state.status}>
      {target}
      <p role="status">
        Compared {plural(summary.bucketObjects, 'bucket object')} with {plural(summary.wesenditObjects, 'WeSendit file')} in {formatDuration(summary.elapsedMs)}.
      </p>
      <ClassTable classes={summary.totals.classes} />
      {summary.totals.lookalikes > 0 && <p class="hint">{plural(summary.totals.lookalikes, 'key differs', 'keys differ')} from another only by letter case or accents: they collide on some file systems (marked “look-alike”).</p>}
      {state.advice !== undefined && <AdviceView advice={state.advice} />}
      <AtRiskView state={state} bucketFiles={bucketFiles} onShow={(policy) => onFilter(policy === 'newer-wins' ? 'risk:newer-wins' : 'risk:wesendit-wins')} />
      <PreviewExport send={send} previewId={state.previewId} disabled={!done} />
      {done ? (
        <PreviewRowList send={send} previewId={state.previewId} filter={filter} onFilter={onFilter} height={listHeight} />
      ) : (
        <RowsLoading loaded={state.rowsLoaded ?? 0} total={state.rowsTotal ?? summary.rows} onCancel={onCancel} cancelling={cancelling} />
      )}
    </div>
  );
}
