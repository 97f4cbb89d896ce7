import { describe, expect, it } from 'vitest';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { splitPointsAfterPage } from './split-points-after-page.ts';

function page(from: number, count: number, key: (i: number) => string): string[] {
  return Array.from({ length: count }, (_, i) => key(from + i));
}

describe('splitPointsAfterPage', () => {
  const numbered = (i: number): string => `file-${String(i).padStart(6, '0')}`;

  it('splits numbered keys where a step holds about a page, and coarser above', () => {
    const points = splitPointsAfterPage(page(0, 1000, numbered), undefined, 32, 1000);
    expect(points.slice(0, 3)).toEqual(['file-001', 'file-002', 'file-003']);
    expect(points).toContain('file-01');
    expect(points).toContain('file-1');
  });

  it('keeps every point strictly after the page and before the upper bound, sorted, within budget', () => {
    const cases: [string[], string | undefined, number][] = [
      [page(0, 1000, numbered), 'file-005', 32],
      [page(500, 7, numbered), undefined, 4],
      [['a', 'a/b', 'a/c'], 'b', 10],
      [['日本/1', '日本/9'], undefined, 8],
      [['x😀a', 'x😀z'], undefined, 8],
    ];
    for (const [keys, until, budget] of cases) {
      const last = keys[keys.length - 1] ?? '';
      const points = splitPointsAfterPage(keys, until, budget, keys.length);
      expect(points.length).toBeLessThanOrEqual(budget);
      for (const point of points) {
        expect(compareS3Keys(point, last)).toBeGreaterThan(0);
        if (until !== undefined) expect(compareS3Keys(point, until)).toBeLessThan(0);
        // Never half of a surrogate pair: every point is valid UTF-16, so valid UTF-8 on the wire.
        expect(point).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }
      expect([...points].sort(compareS3Keys)).toEqual(points);
    }
  });

  it('does not split a page whose steps hold far less than a page', () => {
    expect(splitPointsAfterPage(['a1', 'a2', 'a3'], 'a4', 16, 1000)).toEqual([]);
  });
});
