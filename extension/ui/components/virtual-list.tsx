/**
 * A fixed-row-height list that renders only the rows in view (plus a few above and below), so a
 * list of a million rows costs the same as one of fifty. Rows are addressed by index; the
 * caller fetches and caches their data (see preview-paged-rows.ts).
 */
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * Browsers cap an element's height (Chromium near 33.5 million px, Firefox lower); beyond this
 * the scroll range is compressed and scroll positions are mapped onto the rows proportionally.
 */
export const MAX_SCROLL_PX = 8_000_000;

export interface VisibleWindow {
  /** First rendered row (inclusive, overscan included). */
  readonly start: number;
  /** Last rendered row (exclusive). */
  readonly end: number;
  /** Height of the scrollable content, in px. */
  readonly contentHeight: number;
  /** Top of row `start` inside the scrollable content, in px. */
  readonly top: number;
}

/** Which rows a viewport at `scrollTop` shows: pure, so it is tested on its own. */
export function visibleWindow(scrollTop: number, viewport: number, length: number, rowHeight: number, overscan: number): VisibleWindow {
  const total = length * rowHeight;
  const contentHeight = Math.min(total, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, contentHeight - viewport);
  const clamped = Math.min(Math.max(0, scrollTop), maxScroll);
  // Offset into the full (uncompressed) list that the viewport's top edge shows.
  const offset = total === contentHeight || maxScroll === 0 ? clamped : (clamped * (total - viewport)) / maxScroll;
  const first = Math.floor(offset / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(length, Math.ceil((offset + viewport) / rowHeight) + overscan);
  return { start, end: Math.max(start, end), contentHeight, top: clamped + (start * rowHeight - offset) };
}

export interface VirtualListProps {
  readonly length: number;
  readonly rowHeight: number;
  /** Viewport height in px until the element can be measured (and in DOMs without layout). */
  readonly height: number;
  /** Rows rendered beyond each edge of the viewport. */
  readonly overscan?: number;
  /** The list's accessible name. */
  readonly label: string;
  readonly renderRow: (index: number) => JSX.Element;
  /** Told the rendered range whenever it changes, to fetch those rows. */
  readonly onRange?: (start: number, end: number) => void;
  /** Scrolls back to the top whenever this changes (a new filter or search). */
  readonly resetKey?: string;
  readonly class?: string;
}

export function VirtualList(props: VirtualListProps): JSX.Element {
  const { length, rowHeight, overscan = 6, onRange } = props;
  const container = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(props.height);

  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return;
    element.scrollTop = 0;
    setScrollTop(0);
  }, [props.resetKey]);

  useEffect(() => {
    const element = container.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    // The full-tab page lets the list grow with the window; the popup keeps it fixed.
    const observer = new ResizeObserver(() => {
      if (element.clientHeight > 0) setViewport(element.clientHeight);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const view = visibleWindow(scrollTop, viewport, length, rowHeight, overscan);

  useEffect(() => {
    onRange?.(view.start, view.end);
  }, [view.start, view.end, onRange]);

  const rows: JSX.Element[] = [];
  for (let index = view.start; index < view.end; index++) {
    rows.push(
      <div key={index} role="listitem" aria-setsize={length} aria-posinset={index + 1} class="virtual-row" style={{ height: `${rowHeight}px` }}>
        {props.renderRow(index)}
      </div>,
    );
  }

  return (
    <div
      ref={container}
      class={props.class === undefined ? 'virtual-list' : `virtual-list ${props.class}`}
      role="list"
      aria-label={props.label}
      tabIndex={0}
      style={{ height: `${props.height}px` }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div class="virtual-spacer" style={{ height: `${view.contentHeight}px` }}>
        <div class="virtual-window" style={{ transform: `translateY(${view.top}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
