import { describe, expect, it } from 'vitest';
import { assertRequestSender } from './background-router.ts';
import { isRequestType, ROUTES } from './routes.ts';
import { isGateOrigin, type SenderInfo } from './sender-policy.ts';

const SELF = { id: 'ext-id', baseUrl: 'chrome-extension://ext-id/' };

describe('isGateOrigin', () => {
  it.each([
    ['https://app.wesendit.com/settings', [], true],
    ['https://wesendit.com/', [], true],
    ['http://app.wesendit.com/', [], false],
    ['https://wesendit.com.evil.example/', [], false],
    ['https://evilwesendit.com/', [], false],
    ['http://127.0.0.1:5173/storages', [], true],
    ['http://localhost:3000/', [], true],
    ['http://127.0.0.2/', [], false],
    ['https://files.example.com/app', ['https://files.example.com'], true],
    ['https://files.example.com:8443/app', ['https://files.example.com'], false],
    ['http://files.example.com/app', ['https://files.example.com'], false],
    ['https://a.b.example.com/', ['https://*.example.com'], true],
    ['https://example.com/', ['https://*.example.com'], true],
    ['https://notexample.com/', ['https://*.example.com'], false],
  ] as const)('%s with %j → %s', (url, extra, expected) => {
    expect(isGateOrigin(new URL(url), extra)).toBe(expected);
  });
});

describe('loopback outside the loopback build', () => {
  it('is no gate origin in a release build, so a page on 127.0.0.1 or localhost cannot drive Connect Guard', () => {
    for (const url of ['http://127.0.0.1:5173/storages', 'http://localhost:3000/', 'https://127.0.0.1/']) {
      expect(isGateOrigin(new URL(url), [], false), url).toBe(false);
      expect(isGateOrigin(new URL(url), [], true), url).toBe(true);
    }
    expect(isGateOrigin(new URL('https://app.wesendit.com/'), [], false)).toBe(true);
    // A user may still grant a loopback portal explicitly in the settings.
    expect(isGateOrigin(new URL('http://localhost/'), ['http://localhost'], false)).toBe(true);
  });
});

describe('assertRequestSender (the route table’s from column)', () => {
  const content: SenderInfo = { id: 'ext-id', url: 'http://127.0.0.1:8080/x', tab: { id: 3 }, frameId: 5 };
  const page: SenderInfo = { id: 'ext-id', url: 'chrome-extension://ext-id/popup.html' };

  it('returns the tab and frame of an allowed content script', () => {
    expect(assertRequestSender('gate.captured', content, SELF, [])).toEqual({ kind: 'content', tabId: 3, frameId: 5 });
  });

  it('a content script may ask for a connect hold and whether it was released; the hold controls, backups and restores are pages only', () => {
    expect(assertRequestSender('connectHold.requested', content, SELF, [])).toEqual({ kind: 'content', tabId: 3, frameId: 5 });
    expect(assertRequestSender('connectHold.state', content, SELF, [])).toEqual({ kind: 'content', tabId: 3, frameId: 5 });
    expect(() => assertRequestSender('connectHold.requested', page, SELF, [])).toThrow(/web page tab/);
    for (const type of ['connectHold.get', 'connectHold.cancel', 'connectHold.retry', 'connectHold.connectAnyway', 'backup.start', 'backup.state', 'backup.latest', 'backup.cancel', 'backup.list', 'restore.plan', 'restore.state', 'restore.apply'] as const) {
      expect(() => assertRequestSender(type, content, SELF, []), type).toThrow(/own pages/);
      expect(assertRequestSender(type, page, SELF, []), type).toEqual({ kind: 'page', framed: false });
    }
  });

  it('judges an about:blank frame by its origin, not its URL', () => {
    expect(assertRequestSender('gate.captured', { ...content, url: 'about:blank', origin: 'http://127.0.0.1:8080' }, SELF, [])).toEqual({ kind: 'content', tabId: 3, frameId: 5 });
    expect(() => assertRequestSender('gate.captured', { ...content, url: 'about:blank', origin: 'https://evil.example' }, SELF, [])).toThrow(/not enabled/);
  });

  it.each(['vault.unlock', 'storage.reveal', 'storage.copySecret', 'gate.save', 'gate.getCapture', 'vault.export', 'handoff.export', 'settings.set'] as const)(
    'refuses %s from a content script',
    (type) => {
      expect(() => assertRequestSender(type, content, SELF, [])).toThrow(/Connect Guard's own pages/);
    },
  );

  it('refuses content requests from extension pages and other extensions', () => {
    expect(() => assertRequestSender('gate.captured', { ...page, tab: { id: 1 } }, SELF, [])).toThrow(/web page tab/);
    expect(() => assertRequestSender('gate.captured', { ...content, id: 'other' }, SELF, [])).toThrow(/web page tab/);
    expect(() => assertRequestSender('vault.status', { ...page, id: 'other' }, SELF, [])).toThrow(/own pages/);
  });

  it('accepts page requests from the popup, a page in its own tab, and a dock frame inside a WeSendit tab', () => {
    expect(assertRequestSender('storage.reveal', page, SELF, [])).toEqual({ kind: 'page', framed: false });
    expect(assertRequestSender('vault.status', { ...page, tab: { id: 2, url: 'chrome-extension://ext-id/popup.html' }, frameId: 0 }, SELF, [])).toEqual({ kind: 'page', framed: false });
    const dockFrame: SenderInfo = { ...page, url: 'chrome-extension://ext-id/gate.html#id', tab: { id: 2, url: 'https://app.wesendit.com/settings' }, frameId: 9 };
    expect(assertRequestSender('gate.save', dockFrame, SELF, [])).toEqual({ kind: 'page', framed: true, tabId: 2 });
  });

  it('refuses a Connect Guard page framed on any other site: a leaked capture id shows nothing there', () => {
    const framedElsewhere: SenderInfo = { ...page, url: 'chrome-extension://ext-id/gate.html#leaked-capture-id', tab: { id: 2, url: 'https://evil.example/' }, frameId: 4 };
    for (const type of ['gate.getCapture', 'gate.save', 'vault.status', 'vault.unlock', 'connectHold.get', 'preview.state'] as const) {
      expect(() => assertRequestSender(type, framedElsewhere, SELF, []), type).toThrow(/framed in https:\/\/evil\.example/);
    }
    // A tab Connect Guard has no access to does not even show its address.
    expect(() => assertRequestSender('gate.getCapture', { ...framedElsewhere, tab: { id: 2 } }, SELF, [])).toThrow(/no access/);
    // Granted portals count as WeSendit.
    expect(assertRequestSender('gate.getCapture', { ...framedElsewhere, tab: { id: 2, url: 'https://files.example.com/x' } }, SELF, ['https://files.example.com'])).toEqual({ kind: 'page', framed: true, tabId: 2 });
  });
});

describe('assertSenderAllowed: preview requests', () => {
  const content: SenderInfo = { id: 'ext-id', url: 'http://127.0.0.1:8080/storages', tab: { id: 3 }, frameId: 0 };
  const page: SenderInfo = { id: 'ext-id', url: 'chrome-extension://ext-id/popup.html' };

  it.each(['connectForm.captured', 'listing.batch'] as const)('a content script on a WeSendit origin may send %s; an extension page or another origin may not', (type) => {
    expect(assertRequestSender(type, content, SELF, [])).toEqual({ kind: 'content', tabId: 3, frameId: 0 });
    expect(() => assertRequestSender(type, page, SELF, [])).toThrow(/web page tab/);
    expect(() => assertRequestSender(type, { ...content, url: 'https://evil.example/' }, SELF, [])).toThrow(/not enabled/);
  });

  it.each([
    'preview.start',
    'preview.state',
    'preview.latest',
    'preview.cancel',
    'preview.rows',
    'preview.export',
    'connectForm.get',
    'connectForm.latest',
    'storage.saveConnection',
    'doctor.run',
    'companion.status',
  ] as const)('%s only from extension pages', (type) => {
    expect(assertRequestSender(type, page, SELF, [])).toEqual({ kind: 'page', framed: false });
    expect(() => assertRequestSender(type, content, SELF, [])).toThrow(/Connect Guard's own pages/);
  });
});

describe('the route table names who may send each message', () => {
  it('content scripts may send exactly these messages; every other one needs Connect Guard’s own pages', () => {
    // A page's scripts can influence a content script: growing this list is a security review.
    const fromContent = Object.entries(ROUTES)
      .filter(([, route]) => route.from !== 'page')
      .map(([type, route]) => `${type}:${route.from}`)
      .sort();
    expect(fromContent).toEqual([
      'connectForm.captured:content',
      'connectHold.requested:content',
      'connectHold.state:content',
      'gate.captured:content',
      'gate.state:content',
      'listing.batch:content-top-frame',
      // A yes or no only: did this tab connect a bucket after a verified backup? The review starts in the dock's extension frame.
      'review.offer:content-top-frame',
    ]);
    for (const type of Object.keys(ROUTES)) expect(isRequestType(type)).toBe(true);
    expect(isRequestType('toString')).toBe(false);
    expect(isRequestType('__proto__')).toBe(false);
  });
});
