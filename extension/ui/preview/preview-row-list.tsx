/**
 * The preview's rows: a class filter ("Show"), a key search ("Search keys") and a virtual list
 * whose length is the number of matching rows the background reports. Rows are fetched a page
 * at a time for the visible window only.
 */
import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { DIFF_CLASSES, type DiffClass, type DiffRow } from '../../../shared/diff/diff-inventories.ts';
import type { PreviewRowQuery } from '../../../shared/protocol/extension-protocol.ts';
import { ErrorMessage, messageOf } from '../components/error-message.tsx';
import { CLASS_LABELS, formatCount, formatRowSizes, formatWinner, plural } from './preview-format.ts';
import { PagedRows, type PagedRowsSnapshot } from './preview-paged-rows.ts';
import type { SendToBackground } from './preview-send.ts';
import { VirtualList } from '../components/virtual-list.tsx';

/** All rows, one class, or the bucket files at risk under one policy. */
export type RowFilter = 'all' | DiffClass | 'risk:newer-wins' | 'risk:wesendit-wins';

export const ROW_HEIGHT = 54;
/** Typing pauses this long before the search is sent. */
export const SEARCH_DEBOUNCE_MS = 100;

type RowQuery = Omit<PreviewRowQuery, 'offset' | 'limit'>;

export function rowQuery(previewId: string, filter: RowFilter, search: string): RowQuery {
  const base = { previewId, ...(search === '' ? {} : { search }) };
  if (filter === 'all') return base;
  if (filter === 'risk:newer-wins') return { ...base, atRisk: 'newer-wins' };
  if (filter === 'risk:wesendit-wins') return { ...base, atRisk: 'wesendit-wins' };
  return { ...base, classes: [filter] };
}

function isRowFilter(value: string): value is RowFilter {
  return value === 'all' || value === 'risk:newer-wins' || value === 'risk:wesendit-wins' || DIFF_CLASSES.some((name) => name === value);
}

function RowView({ row }: { readonly row: DiffRow | undefined }): JSX.Element {
  if (row === undefined) return <div class="preview-row loading">Loading…</div>;
  const details = `${CLASS_LABELS[row.class].name} · ${formatRowSizes(row)} · ${row.reason}`;
  const outcome = row.outcome === undefined ? undefined : `Newer wins: ${formatWinner(row.outcome.newerWins)} · WeSendit wins: ${formatWinner(row.outcome.wesenditWins)}`;
  return (
    <div class={`preview-row class-${row.class}`} data-preview-row={row.key} data-class={row.class}>
      <div class="key" title={row.key}>
        {row.lookalikeOf !== undefined && (
          <span class="lookalike" title={`Differs from ${row.lookalikeOf} only by letter case or accents: the two collide on some file systems.`}>
            look-alike{' '}
          </span>
        )}
        {row.key}
      </div>
      <div class="details" title={details}>
        {details}
      </div>
      {outcome !== undefined && (
        <div class="details" title={outcome}>
          {outcome}
        </div>
      )}
    </div>
  );
}

export interface PreviewRowListProps {
  readonly send: SendToBackground;
  readonly previewId: string;
  readonly filter: RowFilter;
  readonly onFilter: (filter: RowFilter) => void;
  /** Viewport of the list in px. */
  readonly height: number;
}

export function PreviewRowList({ send, previewId, filter, onFilter, height }: PreviewRowListProps): JSX.Element {
  const [search, setSearch] = useState('');
  const [appliedSearch, setAppliedSearch] = useState('');
  const rows = useMemo(
    () => new PagedRows<RowQuery, DiffRow>((query, offset, limit) => send('preview.rows', { ...query, offset, limit }), { pageSize: 100 }),
    [send, previewId],
  );
  const [snapshot, setSnapshot] = useState<PagedRowsSnapshot>(rows.current);

  useEffect(() => rows.subscribe(setSnapshot), [rows]);

  useEffect(() => {
    const timer = setTimeout(() => setAppliedSearch(search), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const resetKey = `${previewId}\u0000${filter}\u0000${appliedSearch}`;
  useEffect(() => {
    rows.setQuery(rowQuery(previewId, filter, appliedSearch));
  }, [rows, resetKey]);

  const onRange = useCallback((start: number, end: number) => rows.ensureRange(start, end), [rows]);
  const matching = snapshot.matching;

  return (
    <section class="preview-rows" aria-label="Files">
      <div class="row filters">
        <div class="field">
          <label for="preview-show">Show</label>
          <select
            id="preview-show"
            value={filter}
            onChange={(event) => {
              const value = event.currentTarget.value;
              if (isRowFilter(value)) onFilter(value);
            }}
          >
            <option value="all">All files</option>
            {DIFF_CLASSES.map((name) => (
              <option key={name} value={name}>
                {CLASS_LABELS[name].name}
              </option>
            ))}
            <option value="risk:newer-wins">At risk if newer wins</option>
            <option value="risk:wesendit-wins">At risk if WeSendit wins</option>
          </select>
        </div>
        <div class="field grow">
          <label for="preview-search">Search keys</label>
          <input id="preview-search" type="search" value={search} autoComplete="off" spellcheck={false} onInput={(event) => setSearch(event.currentTarget.value)} />
        </div>
      </div>
      <p class="hint" role="status" data-matching={matching ?? ''}>
        {matching === undefined ? 'Loading files…' : matching === 0 ? 'No file matches.' : `${plural(matching, 'file')} ${filter === 'all' && appliedSearch === '' ? 'in the preview' : 'match'}.`}
      </p>
      <ErrorMessage message={snapshot.error === undefined ? undefined : messageOf(snapshot.error)} />
      <VirtualList
        label={`Files (${formatCount(matching ?? 0)})`}
        length={matching ?? 0}
        rowHeight={ROW_HEIGHT}
        height={height}
        resetKey={resetKey}
        onRange={onRange}
        renderRow={(index) => <RowView row={rows.rowAt(index)} />}
      />
    </section>
  );
}
