/**
 * The Secret Key gate on WeSendit's web app and on loopback (demo, tests). Runs at document_start
 * so its capture-phase event guard is registered before any page listener; runs in every frame
 * because WeSendit may render the dialog inside a same-origin iframe. The same file
 * (content-scripts/wesendit.js) is registered at run time for origins the user grants.
 */
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { sendToBackground } from '../adapters/messaging.ts';
import { startCredentialsGate } from '../features/gate-credentials.ts';

function releasedCaptureId(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || !('type' in message) || message.type !== 'gate.released') return undefined;
  if (!('data' in message) || typeof message.data !== 'object' || message.data === null || !('captureId' in message.data)) return undefined;
  return typeof message.data.captureId === 'string' ? message.data.captureId : undefined;
}

export default defineContentScript({
  // Match patterns ignore ports: any loopback port is covered.
  matches: ['https://*.wesendit.com/*', 'http://127.0.0.1/*', 'http://localhost/*'],
  allFrames: true,
  // Frames a page script writes into (about:blank, srcdoc) run their own copy too.
  matchAboutBlank: true,
  runAt: 'document_start',
  main() {
    const gate = startCredentialsGate(window, {
      reportCapture: (credentials, origin) => sendToBackground('gate.captured', { credentials, origin }),
      askReleased: async (captureId) => (await sendToBackground('gate.state', { captureId })).released,
      promptUrl: (captureId) => `${browser.runtime.getURL('/gate.html')}#${encodeURIComponent(captureId)}`,
    });
    browser.runtime.onMessage.addListener((message: unknown) => {
      const captureId = releasedCaptureId(message);
      if (captureId === undefined) return undefined;
      gate.release(captureId);
      return Promise.resolve({ ok: true });
    });
  },
});
