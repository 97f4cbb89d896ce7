/**
 * The latest preview, kept across restarts of the service worker (the browser stops an idle
 * worker after 30 s: without this, the result the user waited for would be gone when they reopen
 * the popup). Only the latest is kept; it holds keys, sizes, dates and hashes of both sides and
 * the bucket's endpoint, name and access key id, never a secret. A preview that was still
 * running when the worker stopped comes back as failed, with the reason in plain words.
 */
import type { PreviewState } from '../../../shared/protocol/extension-protocol.ts';
import type { PreviewRowsSnapshot } from './preview-rows.ts';

export interface ArchivedPreview {
  readonly state: PreviewState;
  /** The rows of a finished preview (absent while it runs, and for a failed or cancelled one). */
  readonly rows?: PreviewRowsSnapshot;
}

export interface PreviewArchive {
  save(preview: ArchivedPreview): Promise<void>;
  /** The latest saved preview, or `undefined`. */
  load(): Promise<ArchivedPreview | undefined>;
}

/** An archive in memory (unit tests, and a browser where IndexedDB fails to open). */
export function createMemoryPreviewArchive(): PreviewArchive & { readonly saved: ArchivedPreview[] } {
  const saved: ArchivedPreview[] = [];
  return {
    saved,
    async save(preview) {
      // IndexedDB stores a structured clone: keep one here too, so nothing shared leaks through.
      saved.push(structuredClone(preview));
    },
    async load() {
      const latest = saved.at(-1);
      return latest === undefined ? undefined : structuredClone(latest);
    },
  };
}
