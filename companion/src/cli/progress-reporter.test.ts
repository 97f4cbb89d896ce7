import { describe, expect, it } from 'vitest';
import { ProgressReporter, countProgress, type ProgressEvent } from './progress-reporter.ts';

function output(isTTY: boolean): { isTTY: boolean; text: string; write(t: string): void } {
  return {
    isTTY,
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

const event: ProgressEvent = { objects: 12345, bytes: 4_200_000, pages: 13, elapsedMs: 1500, rate: 8230 };

describe('ProgressReporter', () => {
  it('draws one line in place on a terminal with objects, bytes, pages and rate', () => {
    const out = output(true);
    const reporter = ProgressReporter.for(out, false, 'Listing');
    reporter.update(event, true);
    reporter.done();
    expect(out.text.startsWith('\r\u001b[2KListing ')).toBe(true);
    expect(out.text).toMatch(/Listing [░█]+ 12,345 objects · 4.2 MB · 13 pages · 8,230\/s · 1.5 s\n$/);
  });
  it('writes NDJSON with --json', () => {
    const out = output(false);
    ProgressReporter.for(out, true, 'Listing').update(event);
    expect(JSON.parse(out.text)).toEqual({ type: 'progress', step: 'Listing', ...event });
  });
  it('stays silent when not a terminal and not --json', () => {
    const out = output(false);
    const reporter = ProgressReporter.for(out, false, 'Listing');
    reporter.update(event, true);
    reporter.done();
    expect(out.text).toBe('');
  });
  it('countProgress counts objects and bytes passing through', async () => {
    const events: ProgressEvent[] = [];
    async function* source(): AsyncGenerator<{ size: number }> {
      yield { size: 3 };
      yield { size: 4 };
    }
    const seen: number[] = [];
    for await (const item of countProgress(source(), (e) => events.push(e))) seen.push(item.size);
    expect(seen).toEqual([3, 4]);
    expect(events.at(-1)).toMatchObject({ objects: 2, bytes: 7 });
  });
});
