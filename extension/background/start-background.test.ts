import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Idle, Permissions, Runtime } from 'webextension-polyfill';
import { fakeBrowser } from 'wxt/testing';
import type { StorageCredentials } from '../../shared/credentials.ts';
import type { KdfCost } from '../../shared/vault-format/vault-format.ts';
import { createIdbVaultStore } from '../adapters/idb-vault-store.ts';
import { AUTO_LOCK_ALARM } from './vault/auto-lock.ts';
import type { ClipboardPort } from './vault/clipboard-clear.ts';
import type { SenderInfo } from './router/sender-policy.ts';
import { startBackground, type BackgroundRuntime } from './start-background.ts';

// Small Argon2id cost so each unlock takes milliseconds; the floor is lowered to match.
const TEST_KDF: KdfCost = { memoryKiB: 256, iterations: 1, parallelism: 1 };
const PASSPHRASE = 'correct horse battery staple 42';

const CREDENTIALS: StorageCredentials = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '',
  serverAddress: 'https://s3.wesendit.example',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'FAKEACCESSKEY0001',
  secretKey: 'fake-secret-key-for-tests-only-0001',
};

const BASE = 'chrome-extension://test-extension-id/';
const POPUP: SenderInfo = { id: 'test-extension-id', url: `${BASE}popup.html` };
const GATE_FRAME: SenderInfo = { id: 'test-extension-id', url: `${BASE}gate.html#x`, tab: { id: 7, url: 'http://127.0.0.1:5173/storages' }, frameId: 3 };
const CONTENT: SenderInfo = { id: 'test-extension-id', url: 'http://127.0.0.1:5173/storages', tab: { id: 7 }, frameId: 2 };
const FOREIGN_CONTENT: SenderInfo = { id: 'test-extension-id', url: 'https://evil.example/', tab: { id: 8 }, frameId: 0 };

let dbCounter = 0;
let now = 1_800_000_000_000;
let clipboardText = '';
const clipboard: ClipboardPort = {
  write: async (text) => {
    clipboardText = text;
  },
  read: async () => clipboardText,
};
let idleListener: ((state: Idle.IdleState) => void) | undefined;
const sendToTab = vi.fn<(tabId: number, message: unknown, options: unknown) => Promise<void>>();
const registered: unknown[] = [];
let granted = new Set<string>();
let permissionsRemoved: ((permissions: Permissions.Permissions) => void) | undefined;

function start(dbName: string): BackgroundRuntime {
  return startBackground({
    store: createIdbVaultStore(dbName),
    vaultOptions: { kdf: TEST_KDF, floor: TEST_KDF },
    clipboard,
    now: () => now,
  });
}

/** Sends through the real onMessage listener, as Chromium would, with a chosen sender. */
async function send(message: unknown, sender: SenderInfo): Promise<object> {
  const full: Runtime.MessageSender = {
    ...sender,
    tab: sender.tab === undefined ? undefined : { ...sender.tab, index: 0, highlighted: false, active: true, pinned: false, incognito: false },
  };
  const replies: unknown[] = await fakeBrowser.runtime.onMessage.trigger(message, full);
  const reply = replies.find((r) => r !== undefined);
  if (typeof reply !== 'object' || reply === null) throw new Error('no reply');
  return reply;
}

async function ok(message: unknown, sender: SenderInfo): Promise<unknown> {
  const reply = await send(message, sender);
  if (!('ok' in reply)) throw new Error(`expected ok, got ${JSON.stringify(reply)}`);
  return reply.ok;
}

async function errorCode(message: unknown, sender: SenderInfo): Promise<string> {
  const reply = await send(message, sender);
  if (!('error' in reply)) throw new Error(`expected an error, got ${JSON.stringify(reply)}`);
  return field(reply.error, 'code', isString);
}

function field<T>(value: unknown, key: string, guard: (v: unknown) => v is T): T {
  if (typeof value !== 'object' || value === null || !(key in value)) throw new Error(`no ${key}`);
  const inner: unknown = Reflect.get(value, key);
  if (!guard(inner)) throw new Error(`bad ${key}`);
  return inner;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

beforeEach(() => {
  fakeBrowser.reset();
  dbCounter++;
  clipboardText = '';
  idleListener = undefined;
  registered.length = 0;
  sendToTab.mockReset();
  sendToTab.mockResolvedValue(undefined);
  // APIs the fake browser leaves unimplemented: record what the background asks of them.
  vi.spyOn(fakeBrowser.tabs, 'sendMessage').mockImplementation(sendToTab);
  vi.spyOn(fakeBrowser.idle, 'setDetectionInterval').mockImplementation(() => undefined);
  vi.spyOn(fakeBrowser.idle.onStateChanged, 'addListener').mockImplementation((listener) => {
    idleListener = listener;
  });
  vi.spyOn(fakeBrowser.scripting, 'getRegisteredContentScripts').mockImplementation(async () => []);
  vi.spyOn(fakeBrowser.scripting, 'registerContentScripts').mockImplementation(async (scripts: unknown) => {
    registered.push(scripts);
  });
  vi.spyOn(fakeBrowser.scripting, 'unregisterContentScripts').mockImplementation(async () => undefined);
  vi.spyOn(fakeBrowser.permissions, 'remove').mockImplementation(async () => true);
  granted = new Set();
  vi.spyOn(fakeBrowser.permissions, 'contains').mockImplementation(async (query) => (query.origins ?? []).every((origin) => granted.has(origin)));
  vi.spyOn(fakeBrowser.permissions.onRemoved, 'addListener').mockImplementation((listener) => {
    permissionsRemoved = listener;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sender checks', () => {
  it('refuses secrets, unlock and saves to a content script, even on an allowed origin', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    for (const type of ['storage.reveal', 'storage.copySecret', 'storage.list', 'vault.unlock', 'vault.create', 'vault.export', 'gate.save', 'gate.getCapture', 'settings.set']) {
      expect(await errorCode({ type, data: { id: 'abc', passphrase: PASSPHRASE, captureId: 'abc' } }, CONTENT)).toBe('FORBIDDEN_SENDER');
    }
  });

  it('accepts a capture only from a tab on a gate origin, not from other sites or extension pages', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    const message = { type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'http://127.0.0.1:5173' } };
    expect(await errorCode(message, FOREIGN_CONTENT)).toBe('FORBIDDEN_SENDER');
    expect(await errorCode(message, GATE_FRAME)).toBe('FORBIDDEN_SENDER');
    expect(await errorCode(message, { ...CONTENT, id: 'other-extension' })).toBe('FORBIDDEN_SENDER');
    expect(await errorCode(message, { ...CONTENT, tab: undefined })).toBe('FORBIDDEN_SENDER');
    expect(field(await ok(message, CONTENT), 'captureId', isString)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a Connect Guard page framed on a foreign site, with a capture id that leaked there', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    const captureId = field(await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, CONTENT), 'captureId', isString);
    // What Chromium reports for gate.html framed in a tab on another site: our id, our URL, that tab.
    const framedAbroad: SenderInfo = { id: 'test-extension-id', url: `${BASE}gate.html#${captureId}`, tab: { id: 9, url: 'https://evil.example/' }, frameId: 1 };
    expect(await errorCode({ type: 'gate.getCapture', data: { captureId } }, framedAbroad)).toBe('FORBIDDEN_SENDER');
    expect(await errorCode({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, framedAbroad)).toBe('FORBIDDEN_SENDER');
    expect(await errorCode({ type: 'gate.getCapture', data: { captureId } }, { ...framedAbroad, tab: { id: 9 } })).toBe('FORBIDDEN_SENDER');
    expect(field(await ok({ type: 'gate.getCapture', data: { captureId } }, GATE_FRAME), 'captureId', isString)).toBe(captureId);
  });

  it('refuses page requests from every sender Chromium can report that is not one of Connect Guard’s pages', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    // What Chromium sends: our content script on WeSendit and elsewhere (our id, the page's URL,
    // a tab), another extension's page, and our own page framed by another site.
    const senders: SenderInfo[] = [
      CONTENT,
      FOREIGN_CONTENT,
      { ...CONTENT, url: `${BASE}popup.html`, origin: 'http://127.0.0.1:5173' },
      { id: 'other-extension-id', url: 'chrome-extension://other-extension-id/popup.html' },
      { id: 'test-extension-id', url: `${BASE}popup.html`, tab: { id: 9, url: 'https://evil.example/' }, frameId: 2 },
    ];
    for (const sender of senders) {
      for (const type of ['vault.status', 'vault.create', 'storage.list', 'backup.latest']) {
        expect(await errorCode({ type, data: { passphrase: PASSPHRASE } }, sender), `${type} from ${JSON.stringify(sender)}`).toBe('FORBIDDEN_SENDER');
      }
    }
    expect(field(await ok({ type: 'vault.status', data: {} }, POPUP), 'exists', isBoolean)).toBe(false);
  });

  it('hands storages to a password manager only for the popup: a content script and our page framed abroad get FORBIDDEN_SENDER', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    const captureId = field(await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, CONTENT), 'captureId', isString);
    await ok({ type: 'gate.save', data: { captureId } }, GATE_FRAME);
    const filePassphrase = 'file passphrase: seven quiet lanterns';
    const message = { type: 'handoff.export', data: { format: 'keepass', scope: { kind: 'all' }, passphrase: filePassphrase, confirmation: filePassphrase } };
    const framedAbroad: SenderInfo = { id: 'test-extension-id', url: `${BASE}popup.html`, tab: { id: 9, url: 'https://evil.example/' }, frameId: 1 };
    for (const sender of [CONTENT, FOREIGN_CONTENT, framedAbroad, { ...CONTENT, url: `${BASE}popup.html`, origin: 'http://127.0.0.1:5173' }]) {
      const reply = await send(message, sender);
      expect(reply, JSON.stringify(sender)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
      expect(JSON.stringify(reply)).not.toContain(CREDENTIALS.secretKey);
    }
    const file = await ok(message, POPUP);
    expect(field(file, 'entries', (v): v is number => typeof v === 'number')).toBe(1);
    expect(field(file, 'fileName', isString)).toMatch(/^connect-guard-keepass-nas-backup-\d{4}-\d{2}-\d{2}\.kdbx$/);
    // The secret is inside the encrypted file only.
    expect(JSON.stringify(file)).not.toContain(CREDENTIALS.secretKey);
  });

  it('rejects malformed requests with a clear error', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    expect(await errorCode('hello', POPUP)).toBe('PROTOCOL_ERROR');
    expect(await errorCode({ type: 'vault.nuke', data: {} }, POPUP)).toBe('PROTOCOL_ERROR');
    expect(await errorCode({ type: 'vault.unlock', data: { passphrase: 42 } }, POPUP)).toBe('INVALID_INPUT');
    expect(await errorCode({ type: 'gate.captured', data: { credentials: { secretKey: '' }, origin: '' } }, CONTENT)).toBe('MISSING_CREDENTIALS');
  });
});

describe('gate.save', () => {
  it('releases the capturing frame only after a verified save, and saving again updates', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    const captureId = field(await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, CONTENT), 'captureId', isString);

    // Locked/missing vault: nothing is released.
    expect(await errorCode({ type: 'gate.save', data: { captureId } }, GATE_FRAME)).toBe('VAULT_LOCKED');
    expect(sendToTab).not.toHaveBeenCalled();
    expect(field(await ok({ type: 'gate.state', data: { captureId } }, CONTENT), 'released', isBoolean)).toBe(false);

    const capture = await ok({ type: 'gate.getCapture', data: { captureId } }, GATE_FRAME);
    expect(field(capture, 'released', isBoolean)).toBe(false);
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, GATE_FRAME);
    const saved = await ok({ type: 'gate.save', data: { captureId } }, GATE_FRAME);
    expect(field(saved, 'verified', isBoolean)).toBe(true);
    const storageId = field(saved, 'storageId', isString);

    // The record is really in the vault, read from IndexedDB by a fresh service.
    expect((await bg.service.listStorages()).map((s) => s.id)).toEqual([storageId]);
    expect(await bg.service.revealSecret(storageId)).toBe(CREDENTIALS.secretKey);
    expect(sendToTab).toHaveBeenCalledWith(7, { type: 'gate.released', data: { captureId } }, { frameId: 2 });
    expect(field(await ok({ type: 'gate.state', data: { captureId } }, CONTENT), 'released', isBoolean)).toBe(true);
    // Another tab cannot learn about this capture.
    expect(field(await ok({ type: 'gate.state', data: { captureId } }, { ...CONTENT, tab: { id: 99 } }), 'released', isBoolean)).toBe(false);
    // The released capture no longer carries the secret.
    const after = await ok({ type: 'gate.getCapture', data: { captureId } }, GATE_FRAME);
    expect(JSON.stringify(after)).not.toContain(CREDENTIALS.secretKey);

    // The same storage captured again (dialog shown again) updates the one record.
    const second = field(await ok({ type: 'gate.captured', data: { credentials: { ...CREDENTIALS, storageName: 'NAS backup 2' }, origin: 'x' } }, CONTENT), 'captureId', isString);
    const savedAgain = await ok({ type: 'gate.save', data: { captureId: second } }, GATE_FRAME);
    expect(field(savedAgain, 'storageId', isString)).toBe(storageId);
    const list = await bg.service.listStorages();
    expect(list).toHaveLength(1);
    expect(list[0]?.storageName).toBe('NAS backup 2');
  });

  it('answers a repeated save of a released capture without saving or releasing again', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    const captureId = field(await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, CONTENT), 'captureId', isString);
    const first = field(await ok({ type: 'gate.save', data: { captureId } }, GATE_FRAME), 'storageId', isString);
    const save = vi.spyOn(bg.service, 'saveStorage');
    expect(field(await ok({ type: 'gate.save', data: { captureId } }, GATE_FRAME), 'storageId', isString)).toBe(first);
    expect(save).not.toHaveBeenCalled();
    expect(sendToTab).toHaveBeenCalledTimes(1);
  });

  it('does not release when the save fails verification', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    const captureId = field(await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, CONTENT), 'captureId', isString);
    vi.spyOn(bg.service, 'saveStorage').mockRejectedValue(new Error('read back differs'));
    const reply = await send({ type: 'gate.save', data: { captureId } }, GATE_FRAME);
    expect('error' in reply).toBe(true);
    expect(sendToTab).not.toHaveBeenCalled();
    expect(field(await ok({ type: 'gate.state', data: { captureId } }, CONTENT), 'released', isBoolean)).toBe(false);
  });

  it('keeps captures across a worker restart and expires them after 30 minutes', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    const captureId = field(await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, CONTENT), 'captureId', isString);
    // Worker restart: listeners and memory gone, storage.session and IndexedDB kept.
    fakeBrowser.runtime.onMessage.removeAllListeners();
    const restarted = start(`db-${dbCounter}`);
    await restarted.ready;
    expect(field(await ok({ type: 'gate.getCapture', data: { captureId } }, GATE_FRAME), 'captureId', isString)).toBe(captureId);
    now += 31 * 60_000;
    expect(await errorCode({ type: 'gate.getCapture', data: { captureId } }, GATE_FRAME)).toBe('NOT_FOUND');
  });
});

describe('vault key across restarts and auto-lock', () => {
  it('stays unlocked after a simulated service-worker restart, without the key on disk', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    const local = await fakeBrowser.storage.local.get(null);
    expect(JSON.stringify(local)).not.toMatch(/vaultKey/);

    fakeBrowser.runtime.onMessage.removeAllListeners();
    const restarted = start(`db-${dbCounter}`);
    await restarted.ready;
    expect(restarted.service.isUnlocked).toBe(true);
    expect(field(await ok({ type: 'vault.status', data: {} }, POPUP), 'unlocked', isBoolean)).toBe(true);
  });

  it('locks on browser restart (session storage cleared) and on Lock vault', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    await ok({ type: 'vault.lock', data: {} }, POPUP);
    expect(await fakeBrowser.storage.session.get(null)).not.toHaveProperty('connectGuard.vaultKey');
    await ok({ type: 'vault.unlock', data: { passphrase: PASSPHRASE } }, POPUP);

    await fakeBrowser.storage.session.clear();
    fakeBrowser.runtime.onMessage.removeAllListeners();
    const restarted = start(`db-${dbCounter}`);
    await restarted.ready;
    expect(restarted.service.isUnlocked).toBe(false);
    expect(await errorCode({ type: 'vault.unlock', data: { passphrase: 'wrong passphrase here' } }, POPUP)).toBe('WRONG_PASSPHRASE');
  });

  it('auto-locks when the alarm finds the vault unused for the configured minutes', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'settings.set', data: { autoLockMinutes: 5 } }, POPUP);
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    const alarm = await fakeBrowser.alarms.get(AUTO_LOCK_ALARM);
    expect(alarm?.scheduledTime).toBe(now + 5 * 60_000);

    // An early alarm (e.g. after a settings change) does not lock.
    now += 4 * 60_000;
    await bg.autoLock.onAlarm(AUTO_LOCK_ALARM);
    expect(bg.service.isUnlocked).toBe(true);

    now += 60_000;
    await bg.autoLock.onAlarm(AUTO_LOCK_ALARM);
    expect(bg.service.isUnlocked).toBe(false);
    expect(await fakeBrowser.storage.session.get(null)).not.toHaveProperty('connectGuard.vaultKey');
  });

  it('counts only the user’s own pages as use: a page’s content script cannot keep the vault unlocked', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    const scheduled = (await fakeBrowser.alarms.get(AUTO_LOCK_ALARM))?.scheduledTime;
    now += 10 * 60_000;
    await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, CONTENT);
    expect((await fakeBrowser.alarms.get(AUTO_LOCK_ALARM))?.scheduledTime).toBe(scheduled);
    // A dock frame left open in a WeSendit tab polls the background: that is not the user.
    for (let i = 0; i < 5; i++) await ok({ type: 'vault.status', data: {} }, GATE_FRAME);
    expect((await fakeBrowser.alarms.get(AUTO_LOCK_ALARM))?.scheduledTime).toBe(scheduled);
    await ok({ type: 'vault.status', data: {} }, POPUP);
    expect((await fakeBrowser.alarms.get(AUTO_LOCK_ALARM))?.scheduledTime).toBe(now + 15 * 60_000);
  });

  it('does not restore a kept key that outlived the idle limit while the worker was stopped', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    now += 16 * 60_000;
    fakeBrowser.runtime.onMessage.removeAllListeners();
    const restarted = start(`db-${dbCounter}`);
    await restarted.ready;
    expect(restarted.service.isUnlocked).toBe(false);
  });

  it('locks when the system goes idle or the screen locks', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    expect(fakeBrowser.idle.setDetectionInterval).toHaveBeenCalledWith(15 * 60);
    await bg.autoLock.onIdleStateChanged('active');
    expect(bg.service.isUnlocked).toBe(true);
    // Through the registered chrome.idle listener, as Chromium calls it.
    idleListener?.('locked');
    await vi.waitFor(() => expect(bg.service.isUnlocked).toBe(false));
  });
});

describe('clipboard and settings', () => {
  it('copies a secret and clears it after the delay only if still on the clipboard', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    await ok({ type: 'vault.create', data: { passphrase: PASSPHRASE } }, POPUP);
    const captureId = field(await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, CONTENT), 'captureId', isString);
    const storageId = field(await ok({ type: 'gate.save', data: { captureId } }, GATE_FRAME), 'storageId', isString);

    expect(field(await ok({ type: 'storage.copySecret', data: { id: storageId } }, POPUP), 'clearsInSeconds', (v): v is number => typeof v === 'number')).toBe(30);
    expect(clipboardText).toBe(CREDENTIALS.secretKey);
    // The pending clear keeps a hash, never the secret.
    expect(JSON.stringify(await fakeBrowser.storage.session.get('connectGuard.pendingClipboardClear'))).not.toContain(CREDENTIALS.secretKey);
    expect(await bg.clipboard.clearIfDue()).toBe('not-due');
    now += 30_000;
    expect(await bg.clipboard.clearIfDue()).toBe('cleared');
    expect(clipboardText).toBe('');

    await ok({ type: 'storage.copySecret', data: { id: storageId } }, POPUP);
    clipboardText = 'something the user copied later';
    now += 30_000;
    expect(await bg.clipboard.clearIfDue()).toBe('changed');
    expect(clipboardText).toBe('something the user copied later');
  });

  it('validates settings and registers the gate for granted origins, unregistering on removal', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    expect(await errorCode({ type: 'settings.set', data: { autoLockMinutes: 0 } }, POPUP)).toBe('INVALID_INPUT');
    expect(await errorCode({ type: 'settings.set', data: { extraOrigins: ['files.example.com/path'] } }, POPUP)).toBe('INVALID_INPUT');
    // Not granted in Chromium's prompt: refused, nothing registered.
    expect(await errorCode({ type: 'settings.set', data: { extraOrigins: ['https://files.example.com'] } }, POPUP)).toBe('INVALID_INPUT');
    expect(registered).toEqual([]);
    granted.add('https://files.example.com/*');
    const settings = await ok({ type: 'settings.set', data: { extraOrigins: ['https://Files.Example.com/'] } }, POPUP);
    expect(settings).toMatchObject({ extraOrigins: ['https://files.example.com'], autoLockMinutes: 15, clipboardSeconds: 30 });
    expect(registered).toEqual([[expect.objectContaining({ matches: ['https://files.example.com/*'], js: ['content-scripts/wesendit.js'], allFrames: true })]]);

    // The gate now accepts captures from that origin.
    const portal: SenderInfo = { id: 'test-extension-id', url: 'https://files.example.com/app', tab: { id: 4 }, frameId: 0 };
    expect(field(await ok({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, portal), 'captureId', isString)).toBeTruthy();

    await ok({ type: 'settings.set', data: { extraOrigins: [] } }, POPUP);
    expect(fakeBrowser.permissions.remove).toHaveBeenCalledWith({ origins: ['https://files.example.com/*'] });
    expect(await errorCode({ type: 'gate.captured', data: { credentials: CREDENTIALS, origin: 'x' } }, portal)).toBe('FORBIDDEN_SENDER');
  });

  it('drops an origin whose permission the user revoked in Chromium', async () => {
    const bg = start(`db-${dbCounter}`);
    await bg.ready;
    granted.add('https://a.example.com/*').add('https://b.example.com/*');
    await ok({ type: 'settings.set', data: { extraOrigins: ['https://a.example.com', 'https://b.example.com'] } }, POPUP);
    permissionsRemoved?.({ origins: ['https://a.example.com/*'] });
    await vi.waitFor(async () => expect(await ok({ type: 'settings.get', data: {} }, POPUP)).toMatchObject({ extraOrigins: ['https://b.example.com'] }));
    expect(registered.at(-1)).toEqual([expect.objectContaining({ matches: ['https://b.example.com/*'] })]);
  });
});
