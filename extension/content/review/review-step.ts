/**
 * "Review sync result" as a step of the Connect Guard dock on WeSendit's storage page: when the
 * page shows the storage's file browser and a bucket was connected with Connect Guard's backup on
 * this WeSendit origin — from this tab, or in the last days (the background says only yes or no;
 * background/transfers/review-offers.ts) — the dock offers the extension-origin page review.html
 * beside the file list. Nothing is listed or compared until the user clicks "Review sync result" inside
 * that frame, which the page cannot reach. It can always be closed.
 */
import type { Dock, DockStep } from '../dock/dock-step.ts';
import { findFileTable } from '../listing/parse-file-browser-page.ts';

export const REVIEW_STEP_KEY = 'review';

const TEXT = {
  en: { tab: 'Review', title: 'Review sync result', frameTitle: 'Connect Guard: review sync result', close: 'Close the review' },
  de: { tab: 'Prüfung', title: 'Synchronisierung prüfen', frameTitle: 'Connect Guard: Synchronisierung prüfen', close: 'Prüfung schließen' },
};

function texts(doc: Document): (typeof TEXT)['en'] {
  return (doc.documentElement.lang || navigator.language).toLowerCase().startsWith('de') ? TEXT.de : TEXT.en;
}

export function reviewStep(doc: Document, src: string): DockStep {
  const t = texts(doc);
  return {
    key: REVIEW_STEP_KEY,
    kind: 'review',
    tab: t.tab,
    title: t.title,
    body: { frame: src, frameTitle: t.frameTitle },
    height: 640,
    closeLabel: t.close,
    locate() {
      const table = findFileTable(doc);
      if (!table) return undefined;
      const anchor = table.rows[0]?.closest('table, [role="table"], [role="grid"]') ?? doc.body;
      return { anchor, controls: [] };
    },
  };
}

export interface ReviewOfferDeps {
  /** The background's yes or no (`review.offer`). */
  askOffer(): Promise<boolean>;
  reviewUrl(): string;
}

/** In the top frame: once the file browser is shown, offer the review if the background says there is one to do. */
export function startReviewOffer(win: Window, deps: ReviewOfferDeps, dock: Dock): void {
  if (win !== win.top) return;
  const doc = win.document;
  const offer = (): void => {
    if (!findFileTable(doc)) return;
    deps.askOffer().then(
      (yes) => {
        if (yes) dock.show(reviewStep(doc, deps.reviewUrl()));
      },
      () => undefined,
    );
  };
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', offer, { once: true });
  else offer();
}
