// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachHost, detachHost } from './test-support.ts';
import { MAX_SCROLL_PX, VirtualList, visibleWindow } from './virtual-list.tsx';

describe('visibleWindow', () => {
  it('covers the viewport plus overscan', () => {
    expect(visibleWindow(0, 100, 1_000_000, 10, 2)).toEqual({ start: 0, end: 12, contentHeight: 8_000_000, top: 0 });
    const middle = visibleWindow(5_000, 100, 1000, 10, 2);
    expect(middle).toMatchObject({ start: 498, end: 512, contentHeight: 10_000 });
    expect(middle.top).toBe(4_980);
  });

  it('clamps at the end of a short list', () => {
    expect(visibleWindow(10_000, 100, 30, 10, 5)).toMatchObject({ start: 15, end: 30 });
    expect(visibleWindow(0, 100, 0, 10, 5)).toMatchObject({ start: 0, end: 0, contentHeight: 0 });
  });

  it('maps a compressed scroll range onto every row of a very long list', () => {
    const rows = 2_000_000;
    const rowHeight = 54;
    const viewport = 300;
    expect(rows * rowHeight).toBeGreaterThan(MAX_SCROLL_PX);
    const bottom = visibleWindow(MAX_SCROLL_PX - viewport, viewport, rows, rowHeight, 0);
    expect(bottom.end).toBe(rows);
    expect(bottom.start).toBe(rows - Math.ceil(viewport / rowHeight));
    // The rendered rows sit inside the visible part of the content.
    expect(bottom.top).toBeGreaterThanOrEqual(MAX_SCROLL_PX - viewport - rowHeight);
    expect(bottom.top).toBeLessThanOrEqual(MAX_SCROLL_PX - viewport);
    const half = visibleWindow((MAX_SCROLL_PX - viewport) / 2, viewport, rows, rowHeight, 0);
    expect(Math.abs(half.start - rows / 2)).toBeLessThan(10);
  });
});

describe('VirtualList', () => {
  let host: HTMLElement;
  beforeEach(() => {
    host = attachHost();
  });
  afterEach(() => detachHost(host));

  function renderedIndexes(): number[] {
    return [...host.querySelectorAll('[role="listitem"]')].map((item) => Number(item.getAttribute('aria-posinset')) - 1);
  }

  it('renders only the visible rows of a million, and a new window after scrolling', async () => {
    const ranges: [number, number][] = [];
    await act(() => {
      render(
        <VirtualList label="Files" length={1_000_000} rowHeight={20} height={200} overscan={3} renderRow={(index) => <span>row {index}</span>} onRange={(start, end) => ranges.push([start, end])} />,
        host,
      );
    });
    expect(renderedIndexes()).toEqual([...Array(13).keys()]);
    expect(host.querySelector('[role="list"]')?.getAttribute('aria-label')).toBe('Files');
    expect(host.querySelector('[role="listitem"]')?.getAttribute('aria-setsize')).toBe('1000000');
    expect(ranges.at(-1)).toEqual([0, 13]);

    const list = host.querySelector<HTMLElement>('.virtual-list');
    if (!list) throw new Error('no list');
    // 1M rows × 20 px exceed MAX_SCROLL_PX: 100,000 px of scroll is 100,000 × (20M − 200) / (8M − 200)
    // ≈ 250,006 px into the rows, i.e. row 12,500 at the top.
    await act(() => {
      list.scrollTop = 100_000;
      list.dispatchEvent(new Event('scroll'));
    });
    const indexes = renderedIndexes();
    expect(indexes[0]).toBe(12_497);
    expect(indexes.at(-1)).toBe(12_513);
    expect(indexes).toHaveLength(17);
    expect(host.textContent).toContain('row 12500');
    expect(host.textContent).not.toContain('row 0');
    expect(ranges.at(-1)).toEqual([12_497, 12_514]);
  });

  it('goes back to the top when its reset key changes', async () => {
    const view = (resetKey: string) => <VirtualList label="Files" length={10_000} rowHeight={20} height={200} overscan={0} resetKey={resetKey} renderRow={(index) => <span>row {index}</span>} />;
    await act(() => render(view('a'), host));
    const list = host.querySelector<HTMLElement>('.virtual-list');
    if (!list) throw new Error('no list');
    await act(() => {
      list.scrollTop = 4000;
      list.dispatchEvent(new Event('scroll'));
    });
    expect(renderedIndexes()[0]).toBe(200);
    await act(() => render(view('b'), host));
    expect(renderedIndexes()[0]).toBe(0);
  });
});
