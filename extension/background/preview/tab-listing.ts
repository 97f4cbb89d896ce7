/**
 * A WeSendit listing one tab sends for a running preview: its `listing.batch` slices are passed
 * on to the companion's open upload in order (the seal last), each resolving once the companion
 * staged it, which paces the tab; a tab that stops sending for too long fails the preview.
 */
import { sliceInventoryLines } from '../../../shared/inventory-lines.ts';
import { ConnectGuardError, toErrorData, type ErrorData } from '../../../shared/errors.ts';
import type { CompanionClient } from '../companion/companion-client.ts';

export interface ListingBatch {
  readonly listingId: string;
  /** `count` entries packed one per line (shared/inventory-lines.ts), passed on as they are. */
  readonly lines: string;
  readonly count: number;
  readonly done: boolean;
  readonly error?: ErrorData;
}

/** Entries forwarded to the companion per `inventory.upload` (≈ 1–2 MB per frame). */
export const UPLOAD_SLICE = 5000;

export interface TabListingDeps {
  readonly companion: CompanionClient;
  /** Aborted when the preview ends: no batch is forwarded after that. */
  readonly signal: AbortSignal;
  /** Silence after which the tab counts as gone (default 2 minutes). */
  readonly idleMs?: number;
  /** The WeSendit side failed (the tab's own error, silence, or the companion refusing a batch). */
  onFail(error: ErrorData): void;
  /** `count` more entries arrived. */
  onEntries(count: number): void;
}

export class TabListing {
  private queue: Promise<void> = Promise.resolve();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private finished = false;

  constructor(
    readonly listingId: string,
    readonly tabId: number,
    private readonly deps: TabListingDeps,
  ) {}

  /** The tab sent its last batch, or the listing was ended. */
  get done(): boolean {
    return this.finished;
  }

  /** Restarts the inactivity timer: a tab that stops sending fails the preview. */
  watch(): void {
    clearTimeout(this.idleTimer);
    if (this.finished) return;
    const idleMs = this.deps.idleMs ?? 120_000;
    this.idleTimer = setTimeout(() => {
      this.deps.onFail({ code: 'TIMEOUT', message: `The WeSendit tab sent no part of its file list for ${Math.round(idleMs / 1000)} s. Keep the tab open on the storage's files and try again.` });
    }, idleMs);
  }

  end(): void {
    clearTimeout(this.idleTimer);
    this.finished = true;
  }

  /** Forwards one batch from `tabId`; resolves when the companion staged it. */
  async accept(tabId: number, batch: ListingBatch): Promise<{ accepted: number }> {
    if (batch.listingId !== this.listingId || this.finished) {
      throw new ConnectGuardError('NOT_FOUND', 'No preview is waiting for this WeSendit listing (it was cancelled or has finished). Stop listing.');
    }
    if (tabId !== this.tabId) throw new ConnectGuardError('FORBIDDEN_SENDER', 'This WeSendit listing was asked of another tab.');
    this.watch();
    if (batch.error) {
      this.deps.onFail(batch.error);
      return { accepted: 0 };
    }
    if (batch.done) this.end();
    this.deps.onEntries(batch.count);
    const forward = async (): Promise<void> => {
      const slices = [...sliceInventoryLines(batch.lines, UPLOAD_SLICE)];
      if (slices.length === 0) slices.push({ lines: '', count: 0 });
      for (let i = 0; i < slices.length; i++) {
        const last = i === slices.length - 1;
        await this.deps.companion.request(
          'inventory.upload',
          { uploadId: this.listingId, lines: slices[i]?.lines ?? '', ...(batch.done && last ? { done: true } : {}) },
          { signal: this.deps.signal, timeoutMs: 60_000 },
        );
      }
    };
    const forwarded = this.queue.then(forward);
    this.queue = forwarded.catch(() => undefined);
    try {
      await forwarded;
    } catch (error) {
      if (!this.deps.signal.aborted) this.deps.onFail(toErrorData(error));
      throw error;
    }
    return { accepted: batch.count };
  }
}

/** Sends `listing.collect` to a tab's top frame and resolves with its answer. */
export type CollectListing = (tabId: number, listingId: string) => Promise<{ started: boolean }>;

/**
 * Asks the tab to start sending `listing`; on success the inactivity timer runs. Resolves with
 * what went wrong on the WeSendit side (in plain words), or `undefined` when the tab is listing.
 */
export async function askTabToList(listing: TabListing, collect: CollectListing): Promise<ErrorData | undefined> {
  let answer: { started: boolean };
  try {
    answer = await collect(listing.tabId, listing.listingId);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { code: 'NOT_FOUND', message: `The WeSendit tab did not answer (${reason}). Open the storage's file browser in WeSendit, reload the page and try again.` };
  }
  if (!answer.started) return { code: 'NOT_FOUND', message: 'The WeSendit tab shows no storage file browser to list. Open the storage\'s "Files" view in WeSendit and try again.' };
  listing.watch();
  return undefined;
}
