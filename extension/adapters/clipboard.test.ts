import { describe, expect, it } from 'vitest';
import { isBackgroundSender } from './clipboard.ts';

const SELF = { id: 'ext-id', backgroundUrl: 'chrome-extension://ext-id/background.js' };

describe('isBackgroundSender: who the offscreen clipboard document answers', () => {
  it('the background service worker only', () => {
    expect(isBackgroundSender({ id: 'ext-id', url: 'chrome-extension://ext-id/background.js' }, SELF)).toBe(true);
  });

  it.each([
    ['a content script on WeSendit', { id: 'ext-id', url: 'https://app.wesendit.com/settings', tab: { id: 3 }, frameId: 0 }],
    ['a content script in an about:blank frame', { id: 'ext-id', url: 'about:blank', tab: { id: 3 }, frameId: 2 }],
    ['the popup', { id: 'ext-id', url: 'chrome-extension://ext-id/popup.html' }],
    ['a dock frame in a tab', { id: 'ext-id', url: 'chrome-extension://ext-id/gate.html#x', tab: { id: 3 }, frameId: 4 }],
    ['a tab claiming the worker URL', { id: 'ext-id', url: 'chrome-extension://ext-id/background.js', tab: { id: 3 }, frameId: 0 }],
    ['another extension', { id: 'other', url: 'chrome-extension://other/background.js' }],
    ['no id', { url: 'chrome-extension://ext-id/background.js' }],
  ])('not %s', (_name, sender) => {
    expect(isBackgroundSender(sender, SELF)).toBe(false);
  });
});
