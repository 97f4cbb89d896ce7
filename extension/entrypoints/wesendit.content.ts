/**
 * The Secret Key gate on WeSendit's web app (and, in the loopback build only, on loopback for the
 * demo and tests). Runs at document_start
 * so its capture-phase event guard is registered before any page listener; runs in every frame
 * because WeSendit may render the dialog inside a same-origin iframe. The same file
 * (content-scripts/wesendit.js) is registered at run time for origins the user grants.
 *
 * Also: the connect hold on WeSendit's connect button (a click goes through once the bucket is
 * empty or backed up and verified), "Preview connect" beside the connect-to-bucket form (every frame), and, in the top frame
 * only, reading the storage's file listing when the background asks (`listing.collect`).
 *
 * The three share one Connect Guard dock per document (content/dock/dock.ts): the preview, the
 * backup and the Secret Key prompt are its steps, shown one at a time in one extension frame.
 */
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { sendToBackground } from '../adapters/messaging.ts';
import { startPreviewConnect } from '../content/connect-form/preview-connect.ts';
import { releasedHoldId } from '../content/connect-hold/hold-activation.ts';
import { startConnectHold } from '../content/connect-hold/connect-hold.ts';
import { createDock } from '../content/dock/dock.ts';
import { startReviewOffer } from '../content/review/review-step.ts';
import { startCredentialsGate } from '../content/gate/gate-credentials.ts';
import { collectWesenditListing } from '../content/listing/collect-wesendit-listing.ts';
import { packInventoryLines } from '../../shared/inventory-lines.ts';

function releasedCaptureId(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || !('type' in message) || message.type !== 'gate.released') return undefined;
  if (!('data' in message) || typeof message.data !== 'object' || message.data === null || !('captureId' in message.data)) return undefined;
  return typeof message.data.captureId === 'string' ? message.data.captureId : undefined;
}

function collectListingId(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || !('type' in message) || message.type !== 'listing.collect') return undefined;
  if (!('data' in message) || typeof message.data !== 'object' || message.data === null || !('listingId' in message.data)) return undefined;
  return typeof message.data.listingId === 'string' && message.data.listingId.length > 0 ? message.data.listingId : undefined;
}

export default defineContentScript({
  // WeSendit only; the loopback build (tests, demo) adds loopback in wxt.config.ts.
  matches: ['https://*.wesendit.com/*'],
  allFrames: true,
  // Frames a page script writes into (about:blank, srcdoc) run their own copy too.
  matchAboutBlank: true,
  runAt: 'document_start',
  main() {
    // First: its window listener keeps Escape inside the dock ahead of every page listener.
    const dock = createDock(window);
    const gate = startCredentialsGate(window, {
      reportCapture: (credentials, origin) => sendToBackground('gate.captured', { credentials, origin }),
      askReleased: async (captureId) => (await sendToBackground('gate.state', { captureId })).released,
      promptUrl: (captureId) => `${browser.runtime.getURL('/gate.html')}#${encodeURIComponent(captureId)}`,
    }, dock);
    startPreviewConnect(window, {
      captureForm: (form) => sendToBackground('connectForm.captured', { form }),
      previewUrl: (formId) => `${browser.runtime.getURL('/preview.html')}#form=${encodeURIComponent(formId)}`,
    }, dock);
    const connectHold = startConnectHold(window, {
      requestHold: (form, trusted) => sendToBackground('connectHold.requested', { form, trusted }),
      askReleased: async (holdId) => (await sendToBackground('connectHold.state', { holdId })).released,
      holdUrl: (holdId) => `${browser.runtime.getURL('/hold.html')}#hold=${encodeURIComponent(holdId)}`,
    }, dock);
    startReviewOffer(window, {
      askOffer: async () => (await sendToBackground('review.offer', {})).offer,
      reviewUrl: () => browser.runtime.getURL('/review.html'),
    }, dock);
    const isTopFrame = window === window.top;
    browser.runtime.onMessage.addListener((message: unknown) => {
      const listingId = collectListingId(message);
      if (listingId !== undefined) {
        // One reader per tab: the top frame's (a same-origin iframe would read the same storage).
        if (!isTopFrame) return undefined;
        void collectWesenditListing(window, {
          sendBatch: async (batch) => {
            // Packed into one string: one block for the browser to pass on, not 5,000 objects.
            await sendToBackground('listing.batch', { listingId, lines: packInventoryLines(batch.entries), count: batch.entries.length, done: batch.done, ...(batch.error ? { error: batch.error } : {}) });
          },
        });
        return Promise.resolve({ ok: { started: true } });
      }
      const holdId = releasedHoldId(message);
      if (holdId !== undefined) {
        connectHold.release(holdId);
        return Promise.resolve({ ok: true });
      }
      const captureId = releasedCaptureId(message);
      if (captureId === undefined) return undefined;
      gate.release(captureId);
      return Promise.resolve({ ok: true });
    });
  },
});
