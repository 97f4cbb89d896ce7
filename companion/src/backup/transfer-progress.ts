import type { TransferProgress } from '../../../shared/protocol/views.ts';

export type { TransferProgress };

/** Counts a phase and sends throttled progress events with rate and ETA. */
export class TransferProgressCounter<Phase extends string> {
  private started = Date.now();
  private last = 0;
  objects = 0;
  bytes = 0;
  constructor(
    private readonly phase: Phase,
    private readonly input: { readonly onProgress?: ((event: TransferProgress<Phase>) => void) | undefined; readonly progressIntervalMs?: number | undefined },
    private readonly totalObjects?: number,
    private readonly totalBytes?: number,
  ) {}

  report(force = false): void {
    const onProgress = this.input.onProgress;
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - this.last < (this.input.progressIntervalMs ?? 200)) return;
    this.last = now;
    const elapsedMs = now - this.started;
    const seconds = elapsedMs / 1000;
    const rate = seconds > 0 ? this.objects / seconds : 0;
    const bytesPerSecond = seconds > 0 ? this.bytes / seconds : 0;
    let etaMs: number | undefined;
    if (this.totalObjects !== undefined && rate > 0) {
      const byObjects = ((this.totalObjects - this.objects) / rate) * 1000;
      const byBytes = this.totalBytes !== undefined && bytesPerSecond > 0 ? ((this.totalBytes - this.bytes) / bytesPerSecond) * 1000 : 0;
      etaMs = Math.max(0, Math.round(Math.max(byObjects, byBytes)));
    }
    onProgress({
      phase: this.phase,
      objects: this.objects,
      bytes: this.bytes,
      ...(this.totalObjects !== undefined ? { totalObjects: this.totalObjects } : {}),
      ...(this.totalBytes !== undefined ? { totalBytes: this.totalBytes } : {}),
      rate,
      bytesPerSecond,
      ...(etaMs !== undefined ? { etaMs } : {}),
      elapsedMs,
    });
  }
}

