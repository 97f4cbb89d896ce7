import { formatBytes } from '../../../shared/diff/format-bytes.ts';

/** One progress event of a long step (listing, hashing, diffing). */
export interface ProgressEvent {
  readonly objects: number;
  readonly bytes: number;
  readonly pages?: number;
  readonly elapsedMs: number;
  /** Objects per second. */
  readonly rate: number;
}

export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Shows progress: a one-line bar redrawn in place on a terminal, NDJSON lines with `--json`
 * (`{"type":"progress","step":…,"objects":…}`), nothing when the output is neither.
 */
export class ProgressReporter {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly output: ProgressOutput,
    private readonly mode: 'tty' | 'json' | 'off',
    private readonly step: string,
  ) {}

  static for(output: ProgressOutput, json: boolean, step: string): ProgressReporter {
    return new ProgressReporter(output, json ? 'json' : output.isTTY ? 'tty' : 'off', step);
  }

  update(event: ProgressEvent, force = false): void {
    if (this.mode === 'off') return;
    if (this.mode === 'json') {
      this.output.write(JSON.stringify({ type: 'progress', step: this.step, ...event }) + '\n');
      return;
    }
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const parts = [
      `${event.objects.toLocaleString('en-US')} objects`,
      formatBytes(event.bytes),
      ...(event.pages === undefined ? [] : [`${event.pages.toLocaleString('en-US')} pages`]),
      `${Math.round(event.rate).toLocaleString('en-US')}/s`,
      `${(event.elapsedMs / 1000).toFixed(1)} s`,
    ];
    // A spinner-like bar: the total is unknown while listing, so the bar shows activity.
    const width = 12;
    const position = Math.floor(event.elapsedMs / 100) % (width * 2);
    const at = position < width ? position : width * 2 - position - 1;
    const bar = '░'.repeat(at) + '█' + '░'.repeat(width - at - 1);
    this.output.write(`\r\x1b[2K${this.step} ${bar} ${parts.join(' · ')}`);
    this.drawn = true;
  }

  /** Ends the bar's line so later output starts clean. */
  done(event?: ProgressEvent): void {
    if (event) this.update(event, true);
    if (this.mode === 'tty' && this.drawn) this.output.write('\n');
    this.drawn = false;
  }
}

/** Counts entries passing through and reports progress for sources without their own events. */
export async function* countProgress<T extends { readonly size: number }>(
  source: AsyncIterable<T>,
  onProgress: (event: ProgressEvent) => void,
  intervalMs = 200,
): AsyncGenerator<T> {
  const started = Date.now();
  let objects = 0;
  let bytes = 0;
  let last = 0;
  const event = (): ProgressEvent => {
    const elapsedMs = Date.now() - started;
    return { objects, bytes, elapsedMs, rate: elapsedMs > 0 ? (objects * 1000) / elapsedMs : 0 };
  };
  for await (const item of source) {
    objects++;
    bytes += item.size;
    const now = Date.now();
    if (now - last >= intervalMs) {
      last = now;
      onProgress(event());
    }
    yield item;
  }
  onProgress(event());
}
