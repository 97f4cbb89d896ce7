import { describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { COMPANION_PROTOCOL_VERSION, type CompanionRequestData, type CompanionRequestType, type CompanionResult } from '../../../shared/protocol/companion-protocol.ts';
import type { CompanionRequestOptions } from '../../adapters/companion-port.ts';
import { createBackgroundRouter, type VaultPort } from './background-router.ts';
import { BackupService, type TransferCompanion } from '../transfers/backup-service.ts';
import { CaptureRegistry } from '../gate/capture-registry.ts';
import { ConnectFormRegistry } from '../preview/connect-form-registry.ts';
import { ConnectHoldService } from '../transfers/connect-hold-service.ts';
import { resolveConnectionSource } from '../preview/resolve-connection-source.ts';
import type { CompanionClient } from '../companion/companion-client.ts';
import { PreviewService } from '../preview/preview-service.ts';
import { AuditService } from '../transfers/audit-service.ts';
import { ReviewOffers } from '../transfers/review-offers.ts';
import { RestoreService } from '../transfers/restore-service.ts';
import type { SenderInfo } from './sender-policy.ts';
import type { BackupListView, ToolSetupView } from '../../../shared/protocol/views.ts';
import type { PreviousAccessKey } from '../handoff/external-tools.ts';

const SELF = { id: 'ext', baseUrl: 'chrome-extension://ext/' };
const POPUP: SenderInfo = { id: 'ext', url: 'chrome-extension://ext/popup.html' };
const TAB: SenderInfo = { id: 'ext', url: 'http://127.0.0.1:5173/connect', tab: { id: 4 }, frameId: 0 };
const OTHER_TAB: SenderInfo = { ...TAB, tab: { id: 5 } };
const SUBFRAME: SenderInfo = { ...TAB, frameId: 2 };
const SECRET = 'fake-form-secret-for-router-tests-01';

function setup(options: { readonly companionDown?: boolean } = {}) {
  const saved: StorageCredentials[] = [];
  /** Every read of a record's secret, by the routes (a refused request must read none). */
  const vaultReads: string[] = [];
  let unlocked = true;
  const previousKeys: PreviousAccessKey[] = [];
  const vault: VaultPort = {
    status: async () => ({ exists: true, unlocked, storageCount: saved.length }),
    create: async () => undefined,
    unlock: async () => undefined,
    lock: async () => {
      unlocked = false;
    },
    isUnlocked: () => unlocked,
    changePassphrase: async () => undefined,
    exportVault: async () => ({ fileName: 'x', text: '' }),
    importVault: async () => ({ imported: 0, updated: 0 }),
    saveStorage: async (credentials) => {
      saved.push(credentials);
      return { id: 'rec1', verified: true };
    },
    listStorages: async () => saved.map((credentials, index) => ({ ...credentials, id: `rec${index + 1}`, createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:00:00.000Z' })),
    revealSecret: async () => SECRET,
    getStorageCredentials: async (id) => {
      vaultReads.push(id);
      return saved[0] ?? Promise.reject(new Error('none'));
    },
    previousKeys: async () => previousKeys,
    deleteStorage: async () => true,
  };
  const requests: { type: CompanionRequestType; data: unknown }[] = [];
  const companion: CompanionClient = {
    request<T extends CompanionRequestType>(type: T, data: CompanionRequestData<T>, _options?: CompanionRequestOptions<T>): Promise<CompanionResult<T>> {
      requests.push({ type, data });
      if (options.companionDown === true && type.startsWith('tools.')) {
        return Promise.reject(new ConnectGuardError('COMPANION_UNAVAILABLE', 'The companion is not installed. Run "npx connect-guard install-host".'));
      }
      // A preview keeps running for the whole test.
      if (type === 'diff.preview') return new Promise<CompanionResult<T>>(() => undefined);
      const value: unknown =
        type === 'ping'
          ? { version: '0.1.0', protocolVersion: COMPANION_PROTOCOL_VERSION, pid: 1 }
          : type === 'doctor'
            ? { ok: true, checks: [] }
            : type === 'backup.list'
              ? BACKUP_LIST
              : type === 'tools.setup'
                ? TOOL_SETUP
                : type === 'tools.list'
                  ? { toolKeysPath: '/home/u/.config/connect-guard/tool-keys.json', toolKeysExist: true, tools: [] }
                  : type === 'tools.update'
                    ? { results: [] }
                    : { staged: 0 };
      // The fake answers each type with that type's result shape.
      return Promise.resolve(value as CompanionResult<T>);
    },
  };
  const forms = new ConnectFormRegistry();
  const collects: { tabId: number; listingId: string }[] = [];
  const previews = new PreviewService({
    companion,
    resolve: (source) => resolveConnectionSource(source, { vault, forms }),
    collectListing: async (tabId, listingId) => {
      collects.push({ tabId, listingId });
      return { started: true };
    },
  });
  const released: { tabId: number; frameId: number; holdId: string }[] = [];
  const audits: unknown[] = [];
  const transfers: TransferCompanion = {
    // An empty bucket: every hold is a Fresh Start.
    probe: async () => ({ objects: 0, hasMore: false, multipartUploads: { supported: true, count: 0, keys: [] } }),
    backup: () => new Promise(() => undefined),
    restorePlan: () => new Promise(() => undefined),
    restoreApply: () => new Promise(() => undefined),
    audit: (data) => {
      audits.push(data);
      return new Promise(() => undefined);
    },
  };
  const resolve = (source: Parameters<typeof resolveConnectionSource>[0]) => resolveConnectionSource(source, { vault, forms });
  const holds = new ConnectHoldService({ companion: transfers, notifyReleased: async (tabId, frameId, holdId) => void released.push({ tabId, frameId, holdId }) });
  const storage = new Map<string, unknown>();
  let offersStored: unknown;
  const reviewOffers = new ReviewOffers({ load: async () => offersStored, save: async (offers) => void (offersStored = offers) });
  const router = createBackgroundRouter({
    self: SELF,
    vault,
    captures: new CaptureRegistry({ get: async (key) => ({ [key]: storage.get(key) }), set: async (items) => void Object.entries(items).forEach(([k, v]) => storage.set(k, v)) }),
    forms,
    previews,
    holds,
    backups: new BackupService({ companion: transfers, resolve }),
    restores: new RestoreService({ companion: transfers, resolve }),
    audits: new AuditService({
      companion: transfers,
      resolve,
      tabListing: {
        companion,
        collect: async (tabId, listingId) => {
          collects.push({ tabId, listingId });
          return { started: true };
        },
      },
    }),
    reviewOffers,
    companion,
    loadSettings: async () => ({ autoLockMinutes: 15, clipboardSeconds: 30, extraOrigins: [] }),
    saveSettings: async () => ({ autoLockMinutes: 15, clipboardSeconds: 30, extraOrigins: [] }),
    notifyReleased: async () => undefined,
    copySecret: async () => 30,
    noteVaultUse: async () => undefined,
  });
  const send = (type: string, data: unknown, sender: SenderInfo) => router({ type, data }, sender);
  return { send, saved, vaultReads, previousKeys, requests, collects, released, audits, reviewOffers, lock: () => vault.lock() };
}

const TOOL_SETUP: ToolSetupView = {
  tool: 'rclone',
  name: 'wesendit-nas',
  configPath: '/home/u/.config/rclone/rclone.conf',
  toolKeysPath: '/home/u/.config/connect-guard/tool-keys.json',
  toolKeysCreated: true,
  replaced: false,
  guide: { tool: 'rclone', name: 'wesendit-nas', bucket: 'usr-1-itm-2-demo', steps: [], notes: [] },
};

const BACKUP_LIST: BackupListView = {
  root: '/home/user/ConnectGuard/backups',
  backups: [{ folder: '/home/user/ConnectGuard/backups/usr-1-itm-2-demo/2026-03-01T10-00-00Z', bucket: 'usr-1-itm-2-demo', endpoint: 'http://127.0.0.1:9000', startedAt: '2026-03-01T10:00:00.000Z', status: 'verified', objects: 3, bytes: 30 }],
  omitted: 0,
  skipped: [],
  skippedMore: 0,
};

const FORM = { provider: 'Other S3', endpoint: 'http://127.0.0.1:9000', region: '', bucket: 'usr-1-itm-2-demo', accessKey: 'AKFORM', secretKey: SECRET };

describe('background router: connect forms, saving, companion, previews', () => {
  it('keeps a captured form in memory and shows pages everything but the secret', async () => {
    const { send } = setup();
    const captured = await send('connectForm.captured', { form: FORM }, TAB);
    if (!('ok' in captured)) throw new Error(JSON.stringify(captured));
    const { formId } = captured.ok as { formId: string };
    const summary = await send('connectForm.get', { formId }, POPUP);
    expect(summary).toEqual({ ok: { formId, provider: 'Other S3', endpoint: FORM.endpoint, region: '', bucket: FORM.bucket, accessKey: 'AKFORM', hasSecret: true, origin: 'http://127.0.0.1:5173', tabId: 4 } });
    expect(JSON.stringify(await send('connectForm.latest', {}, POPUP))).not.toContain(SECRET);
    expect(await send('connectForm.get', { formId }, TAB)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('connectForm.captured', { form: { ...FORM, secretKey: 42 } }, TAB)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });

  it('saves a form’s connection to the vault as a storage record, verified; refuses while locked', async () => {
    const { send, saved, lock } = setup();
    const captured = await send('connectForm.captured', { form: FORM }, TAB);
    const { formId } = ('ok' in captured ? captured.ok : {}) as { formId: string };
    expect(await send('storage.saveConnection', { source: { kind: 'form', formId }, storageName: 'Demo' }, POPUP)).toEqual({ ok: { storageId: 'rec1', verified: true } });
    expect(saved).toEqual([{ storageName: 'Demo', permissions: '', allowedIps: '', serverAddress: FORM.endpoint, bucketName: FORM.bucket, accessKey: 'AKFORM', secretKey: SECRET }]);
    await lock();
    expect(await send('storage.saveConnection', { source: { kind: 'form', formId }, storageName: 'Demo' }, POPUP)).toMatchObject({ error: { code: 'VAULT_LOCKED' } });
  });

  it('companion.status pings; doctor.run sends the resolved connection', async () => {
    const { send, requests } = setup();
    expect(await send('companion.status', {}, POPUP)).toEqual({ ok: { available: true, version: '0.1.0', protocolVersion: COMPANION_PROTOCOL_VERSION } });
    const connection = { endpoint: 'http://127.0.0.1:9000', bucket: 'b', accessKeyId: 'AK', secretAccessKey: SECRET };
    expect(await send('doctor.run', { connection: { kind: 'direct', connection }, allowedIps: '10.0.0.1' }, POPUP)).toEqual({ ok: { ok: true, checks: [] } });
    expect(requests.at(-1)).toEqual({ type: 'doctor', data: { connection, allowedIps: '10.0.0.1' } });
  });

  it('listing batches only from the asked tab’s top frame, for a live listing; a content script cannot start a preview', async () => {
    const { send, collects } = setup();
    const captured = await send('connectForm.captured', { form: FORM }, TAB);
    const { formId } = ('ok' in captured ? captured.ok : {}) as { formId: string };
    const started = await send('preview.start', { connection: { kind: 'form', formId }, wesendit: { kind: 'tab' } }, POPUP);
    expect(started).toMatchObject({ ok: { status: 'reading-wesendit' } });
    for (let i = 0; i < 100 && collects.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    const listingId = collects[0]?.listingId ?? '';
    expect(collects[0]?.tabId).toBe(4);
    const batch = { listingId, lines: '1\t\t\ta.txt', count: 1, done: false };
    expect(await send('listing.batch', batch, OTHER_TAB)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('listing.batch', batch, SUBFRAME)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('listing.batch', batch, POPUP)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('listing.batch', { ...batch, listingId: 'made-up' }, TAB)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await send('listing.batch', { ...batch, count: 2 }, TAB)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await send('listing.batch', { listingId, entries: [{ key: 'a.txt', size: 1 }], done: false }, TAB)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await send('listing.batch', batch, TAB)).toEqual({ ok: { accepted: 1 } });
    expect(await send('preview.start', { connection: { kind: 'form', formId }, wesendit: { kind: 'empty' } }, TAB)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('preview.rows', { previewId: 'x', offset: 0, limit: 5000 }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });
});

describe('background router: connect hold, backup, restore', () => {
  it('a content script asks for a hold and whether it was released; only its own tab learns it; only a page approves it', async () => {
    const { send, released } = setup();
    const requested = await send('connectHold.requested', { form: FORM, trusted: true }, SUBFRAME);
    if (!('ok' in requested)) throw new Error(JSON.stringify(requested));
    const { holdId } = requested.ok as { holdId: string };
    // An address the user has not seen in Connect Guard: nothing happens until a page approves.
    expect(await send('connectHold.get', { holdId }, POPUP)).toMatchObject({ ok: { status: 'needs-approval', approval: 'new-address' } });
    expect(await send('connectHold.approve', { holdId }, TAB)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(released).toEqual([]);
    expect(await send('connectHold.approve', { holdId }, POPUP)).toMatchObject({ ok: { status: 'checking' } });
    for (let i = 0; i < 100 && released.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(released).toEqual([{ tabId: 4, frameId: 2, holdId }]);
    expect(await send('connectHold.state', { holdId }, TAB)).toEqual({ ok: { released: true } });
    expect(await send('connectHold.state', { holdId }, OTHER_TAB)).toEqual({ ok: { released: false } });
    expect(await send('connectHold.state', { holdId: 'unknown-hold' }, TAB)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const state = await send('connectHold.get', { holdId }, POPUP);
    expect(state).toMatchObject({ ok: { status: 'released', bucket: { bucket: FORM.bucket, accessKeyId: 'AKFORM' } } });
    expect(JSON.stringify(state)).not.toContain(SECRET);
    expect(await send('connectHold.requested', { form: { ...FORM, secretKey: '' } }, TAB)).toMatchObject({ error: { code: 'MISSING_CREDENTIALS' } });
    expect(await send('connectHold.requested', { form: FORM, trusted: 'yes' }, TAB)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });

  it('a hold the page’s script asked for (not trusted) waits even for a previewed bucket; a preview makes the user’s own click go straight through', async () => {
    const { send, released } = setup();
    const direct = { kind: 'direct', connection: { endpoint: FORM.endpoint, bucket: FORM.bucket, accessKeyId: 'AKFORM', secretAccessKey: SECRET } };
    expect(await send('preview.start', { connection: direct, wesendit: { kind: 'empty' } }, POPUP)).toMatchObject({ ok: { status: 'listing' } });
    const scripted = await send('connectHold.requested', { form: FORM }, TAB);
    const scriptedId = ('ok' in scripted ? scripted.ok : {}) as { holdId: string };
    expect(await send('connectHold.get', scriptedId, POPUP)).toMatchObject({ ok: { status: 'needs-approval', approval: 'not-your-click' } });
    const user = await send('connectHold.requested', { form: FORM, trusted: true }, TAB);
    const userId = ('ok' in user ? user.ok : {}) as { holdId: string };
    for (let i = 0; i < 100 && released.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(released.map((entry) => entry.holdId)).toEqual([userId.holdId]);
    // One hold per tab: the page's earlier one is gone.
    expect(await send('connectHold.get', scriptedId, POPUP)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('hold controls, backups and restores are for extension pages only; a vault source needs the vault unlocked', async () => {
    const { send, lock } = setup();
    for (const [type, data] of [
      ['connectHold.get', { holdId: 'h' }],
      ['connectHold.cancel', { holdId: 'h' }],
      ['connectHold.retry', { holdId: 'h' }],
      ['connectHold.connectAnyway', { holdId: 'h' }],
      ['backup.start', { connection: { kind: 'vault', storageId: 'rec1' } }],
      ['backup.state', { backupId: 'b' }],
      ['backup.latest', {}],
      ['backup.cancel', { backupId: 'b' }],
      ['backup.list', {}],
      ['restore.plan', { connection: { kind: 'vault', storageId: 'rec1' } }],
      ['restore.state', { restoreId: 'r' }],
      ['restore.apply', { restoreId: 'r' }],
    ] as const) {
      expect(await send(type, data, TAB)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    }
    expect(await send('connectHold.requested', { form: FORM }, POPUP)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('backup.latest', {}, POPUP)).toEqual({ ok: null });
    const direct = { kind: 'direct', connection: { endpoint: 'http://127.0.0.1:9000', bucket: 'b', accessKeyId: 'AK', secretAccessKey: SECRET } };
    expect(await send('backup.start', { connection: direct }, POPUP)).toMatchObject({ ok: { status: 'running', bucket: { bucket: 'b' } } });
    expect(await send('restore.plan', { connection: direct, force: 'yes' }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await send('restore.plan', { connection: direct, folder: '' }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await send('restore.plan', { connection: direct, force: true }, POPUP)).toMatchObject({ ok: { status: 'planning', bucket: 'b' } });
    await lock();
    expect(await send('backup.start', { connection: { kind: 'vault', storageId: 'rec1' } }, POPUP)).toMatchObject({ error: { code: 'VAULT_LOCKED' } });
    expect(await send('restore.plan', { connection: { kind: 'vault', storageId: 'rec1' } }, POPUP)).toMatchObject({ error: { code: 'VAULT_LOCKED' } });
  });

  it('the list of backups on this computer (folder paths) goes to Connect Guard’s own pages only; a content script gets FORBIDDEN_SENDER and the companion is not asked', async () => {
    const { send, requests } = setup();
    for (const sender of [TAB, SUBFRAME, OTHER_TAB, { ...TAB, url: 'https://app.wesendit.com/settings' }]) {
      expect(await send('backup.list', {}, sender)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    }
    expect(requests.filter((request) => request.type === 'backup.list')).toEqual([]);
    expect(await send('backup.list', {}, POPUP)).toEqual({ ok: BACKUP_LIST });
    expect(requests.filter((request) => request.type === 'backup.list')).toEqual([{ type: 'backup.list', data: {} }]);
  });
});

describe('background router: the sync review', () => {
  const direct = { kind: 'direct', connection: { endpoint: 'http://127.0.0.1:9000', bucket: 'b', accessKeyId: 'AK', secretAccessKey: SECRET } };

  it('starts only from Connect Guard’s own pages; a content script or the WeSendit page asking for a review is refused and the companion is not asked', async () => {
    const { send, audits } = setup();
    for (const sender of [TAB, SUBFRAME, OTHER_TAB, { ...TAB, url: 'https://app.wesendit.com/storages' }]) {
      expect(await send('audit.start', { connection: direct }, sender)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
      expect(await send('audit.checkAgain', { auditId: 'x' }, sender)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
      expect(await send('audit.state', { auditId: 'x' }, sender)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
      expect(await send('restore.plan', { connection: direct, keys: ['a'] }, sender)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    }
    expect(audits).toEqual([]);
    const started = await send('audit.start', { connection: direct, folder: '/backups/b/2026-01-01T00-00-00Z' }, POPUP);
    expect(started).toMatchObject({ ok: { status: 'running', bucket: 'b' } });
    expect(audits).toEqual([{ connection: expect.objectContaining({ bucket: 'b' }), folder: '/backups/b/2026-01-01T00-00-00Z' }]);
    expect(await send('restore.plan', { connection: direct, keys: 'a' }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
  });

  it('the storage page is offered the review after a connect on its origin (in any tab, days later), and nowhere else; the page gets a yes or no only', async () => {
    const { send, reviewOffers } = setup();
    expect(await send('review.offer', {}, TAB)).toEqual({ ok: { offer: false } });
    await reviewOffers.remember('http://127.0.0.1:5173', 'b');
    expect(await send('review.offer', {}, OTHER_TAB)).toEqual({ ok: { offer: true } });
    expect(await send('review.offer', {}, { ...TAB, url: 'http://localhost:5173/storage/files' })).toEqual({ ok: { offer: false } });
    // Only the top frame of a tab on a gate origin may ask; an extension page or a subframe is refused.
    expect(await send('review.offer', {}, SUBFRAME)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('review.offer', {}, POPUP)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
  });

  it('the dock’s review reads WeSendit’s file browser in the tab it sits in, never a tab the message names; the popup cannot ask for a tab', async () => {
    const { send, audits, collects, requests } = setup();
    const dockFrame: SenderInfo = { id: 'ext', url: 'chrome-extension://ext/review.html', tab: { id: 4, url: 'http://127.0.0.1:5173/storage/files?storage=s1' }, frameId: 3 };
    expect(await send('audit.start', { connection: direct, wesenditFromTab: true }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/dock on WeSendit/) } });
    expect(audits).toEqual([]);

    const started = await send('audit.start', { connection: direct, folder: '/backups/b/1', wesenditFromTab: true, tabId: 5 }, dockFrame);
    expect(started).toMatchObject({ ok: { status: 'running', wesendit: { source: 'tab', objects: 0 } } });
    for (let i = 0; i < 100 && collects.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    const listingId = collects[0]?.listingId ?? '';
    expect(collects).toEqual([{ tabId: 4, listingId }]);
    expect(audits).toEqual([{ connection: expect.objectContaining({ bucket: 'b' }), folder: '/backups/b/1', wesendit: { kind: 'upload', uploadId: listingId } }]);
    expect(requests).toContainEqual({ type: 'inventory.upload', data: { uploadId: listingId, entries: [], done: false } });

    // Only the framing tab's top frame may send that listing; its batches reach the companion's upload.
    const batch = { listingId, lines: '1\t\t\ta.txt', count: 1, done: true };
    expect(await send('listing.batch', batch, OTHER_TAB)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('listing.batch', batch, SUBFRAME)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('listing.batch', batch, dockFrame)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await send('listing.batch', batch, TAB)).toEqual({ ok: { accepted: 1 } });
    expect(requests).toContainEqual({ type: 'inventory.upload', data: { uploadId: listingId, lines: '1\t\t\ta.txt', done: true } });
    const auditId = 'ok' in started ? (started.ok as { auditId: string }).auditId : '';
    expect(await send('audit.state', { auditId }, POPUP)).toMatchObject({ ok: { wesendit: { source: 'tab', objects: 1 } } });
  });
});

describe('background router: hand-off to a password manager', () => {
  const FILE_PASSPHRASE = 'file passphrase: seven quiet lanterns';
  const exportRequest = (format: string) => ({ format, scope: { kind: 'all' }, passphrase: FILE_PASSPHRASE, confirmation: FILE_PASSPHRASE });

  it('builds the file for Connect Guard’s popup', async () => {
    const { send, saved } = setup();
    saved.push({ storageName: 'NAS', permissions: 'Read & Write', allowedIps: '', serverAddress: 'http://127.0.0.1:9000', bucketName: 'usr-1-itm-2-demo', accessKey: 'AKROUTER', secretKey: SECRET });
    expect(await send('handoff.export', exportRequest('bitwarden'), POPUP)).toMatchObject({ ok: { entries: 1, verified: true, mimeType: 'application/json' } });
  });

  it('attack: a content script (any tab, any frame, even on WeSendit) gets FORBIDDEN_SENDER and no secret is read', async () => {
    const { send, saved, vaultReads } = setup();
    saved.push({ storageName: 'NAS', permissions: 'Read & Write', allowedIps: '', serverAddress: 'http://127.0.0.1:9000', bucketName: 'usr-1-itm-2-demo', accessKey: 'AKROUTER', secretKey: SECRET });
    for (const sender of [TAB, SUBFRAME, OTHER_TAB, { ...TAB, url: 'https://app.wesendit.com/settings' }, { ...TAB, url: 'https://evil.example/' }]) {
      for (const format of ['keepass', 'bitwarden']) {
        const reply = await send('handoff.export', exportRequest(format), sender);
        expect(reply).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
        expect(JSON.stringify(reply)).not.toContain(SECRET);
      }
    }
    // Our own page framed on a foreign site (a leaked or guessed URL) is refused too.
    const framedAbroad: SenderInfo = { id: 'ext', url: 'chrome-extension://ext/popup.html', tab: { id: 9, url: 'https://evil.example/' }, frameId: 1 };
    expect(await send('handoff.export', exportRequest('keepass'), framedAbroad)).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    // Another extension cannot ask either.
    expect(await send('handoff.export', exportRequest('keepass'), { ...POPUP, id: 'other-extension' })).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(vaultReads).toEqual([]);
  });

  it('checks the request: format, scope, passphrases alike and strong, vault unlocked', async () => {
    const { send, lock, vaultReads } = setup();
    expect(await send('handoff.export', exportRequest('csv'), POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/keepass, bitwarden/) } });
    expect(await send('handoff.export', { ...exportRequest('keepass'), scope: { kind: 'storage', storageId: '../x' } }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await send('handoff.export', { ...exportRequest('keepass'), confirmation: 'something else entirely' }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/do not match/) } });
    expect(await send('handoff.export', { ...exportRequest('keepass'), passphrase: 'hunter2', confirmation: 'hunter2' }, POPUP)).toMatchObject({ error: { code: 'WEAK_PASSPHRASE' } });
    await lock();
    expect(await send('handoff.export', exportRequest('keepass'), POPUP)).toMatchObject({ error: { code: 'VAULT_LOCKED' } });
    expect(vaultReads).toEqual([]);
  });
});

describe('background router: external tools (rclone, AWS CLI) and a rotated key', () => {
  const TOOL_PASSPHRASE = 'passphrase for external tools: amber kiln 7';
  const NAS: StorageCredentials = { storageName: 'NAS', permissions: 'Read & Write', allowedIps: '', serverAddress: 'http://127.0.0.1:9000', bucketName: 'usr-1-itm-2-demo', accessKey: 'AKNEW', secretKey: SECRET };
  const setupRequest = { tool: 'rclone', storageId: 'rec1', toolPassphrase: TOOL_PASSPHRASE };
  const framedAbroad: SenderInfo = { id: 'ext', url: 'chrome-extension://ext/popup.html', tab: { id: 9, url: 'https://evil.example/' }, frameId: 1 };

  it('hands the vault record to the companion in memory for Connect Guard’s popup, and returns what was written', async () => {
    const { send, saved, requests } = setup();
    saved.push(NAS);
    expect(await send('tools.setup', { ...setupRequest, name: ' my-remote ', replace: true }, POPUP)).toEqual({ ok: TOOL_SETUP });
    expect(requests.filter((request) => request.type === 'tools.setup')).toEqual([{ type: 'tools.setup', data: { tool: 'rclone', storage: NAS, toolPassphrase: TOOL_PASSPHRASE, name: 'my-remote', replace: true } }]);
    expect(await send('tools.list', {}, POPUP)).toMatchObject({ ok: { toolKeysExist: true, tools: [] } });
  });

  it('attack: a content script (any tab, any frame, even on WeSendit), our page framed abroad or another extension gets FORBIDDEN_SENDER; nothing is read or asked', async () => {
    const { send, saved, vaultReads, requests } = setup();
    saved.push(NAS);
    const { ok } = (await send('gate.captured', { credentials: NAS, origin: 'x' }, TAB)) as { ok: { captureId: string } };
    for (const sender of [TAB, SUBFRAME, OTHER_TAB, { ...TAB, url: 'https://app.wesendit.com/settings' }, framedAbroad, { ...POPUP, id: 'other-extension' }]) {
      for (const [type, data] of [
        ['tools.setup', setupRequest],
        ['tools.setup', { ...setupRequest, tool: 'aws', replace: true }],
        ['tools.list', {}],
        ['gate.rotation', { captureId: ok.captureId }],
        ['gate.updateTools', { captureId: ok.captureId, toolPassphrase: TOOL_PASSPHRASE }],
      ] as const) {
        const reply = await send(type, data, sender);
        expect(reply).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
        expect(JSON.stringify(reply)).not.toContain(SECRET);
      }
    }
    expect(vaultReads).toEqual([]);
    expect(requests.filter((request) => request.type.startsWith('tools.'))).toEqual([]);
  });

  it('checks the request: a known tool (mc is printed steps only), a passphrase, a valid id, the vault unlocked', async () => {
    const { send, saved, lock, requests } = setup();
    saved.push(NAS);
    expect(await send('tools.setup', { ...setupRequest, tool: 'mc' }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/rclone, aws/) } });
    expect(await send('tools.setup', { ...setupRequest, toolPassphrase: '' }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/passphrase for external tools/) } });
    expect(await send('tools.setup', { ...setupRequest, storageId: '../x' }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect(await send('tools.setup', { ...setupRequest, replace: 'yes' }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    await lock();
    expect(await send('tools.setup', setupRequest, POPUP)).toMatchObject({ error: { code: 'VAULT_LOCKED' } });
    expect(requests.filter((request) => request.type === 'tools.setup')).toEqual([]);
  });

  it('after the gate saved a new key for a storage: names the old key, asks the companion for the tools using it, and updates them with the new pair', async () => {
    const { send, saved, previousKeys, requests } = setup();
    const { ok } = (await send('gate.captured', { credentials: NAS, origin: 'x' }, TAB)) as { ok: { captureId: string } };
    expect(await send('gate.rotation', { captureId: ok.captureId }, POPUP)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/Save the Secret Key/) } });
    // The save replaces the record's older pair (the vault keeps it in previousKeys).
    previousKeys.push({ accessKey: 'AKOLDER', replacedAt: '2020-01-01T00:00:00.000Z' });
    expect(await send('gate.save', { captureId: ok.captureId }, POPUP)).toMatchObject({ ok: { verified: true } });
    previousKeys.push({ accessKey: 'AKOLD', replacedAt: new Date().toISOString() });
    expect(saved).toEqual([NAS]);
    expect(await send('gate.rotation', { captureId: ok.captureId }, POPUP)).toEqual({
      ok: { storageName: 'NAS', bucketName: NAS.bucketName, newAccessKey: 'AKNEW', oldAccessKeys: ['AKOLDER', 'AKOLD'], tools: [], toolKeysExist: true },
    });
    expect(requests.filter((request) => request.type === 'tools.list')).toEqual([
      { type: 'tools.list', data: { storage: { serverAddress: NAS.serverAddress, bucketName: NAS.bucketName, accessKey: 'AKNEW' }, oldAccessKeys: ['AKOLDER', 'AKOLD'] } },
    ]);
    expect(await send('gate.updateTools', { captureId: ok.captureId, toolPassphrase: TOOL_PASSPHRASE }, POPUP)).toEqual({ ok: { results: [] } });
    expect(requests.filter((request) => request.type === 'tools.update')).toEqual([{ type: 'tools.update', data: { storage: NAS, oldAccessKeys: ['AKOLDER', 'AKOLD'], toolPassphrase: TOOL_PASSPHRASE } }]);
  });

  it('with the companion unavailable, the rotation still names the old key and says why the tools are unknown; a setup says what to install', async () => {
    const { send, saved, previousKeys } = setup({ companionDown: true });
    saved.push(NAS);
    const { ok } = (await send('gate.captured', { credentials: NAS, origin: 'x' }, TAB)) as { ok: { captureId: string } };
    await send('gate.save', { captureId: ok.captureId }, POPUP);
    previousKeys.push({ accessKey: 'AKOLD', replacedAt: new Date().toISOString() });
    expect(await send('gate.rotation', { captureId: ok.captureId }, POPUP)).toMatchObject({
      ok: { oldAccessKeys: ['AKOLD'], tools: [], companionError: { code: 'COMPANION_UNAVAILABLE', message: expect.stringMatching(/install-host/) } },
    });
    expect(await send('tools.setup', setupRequest, POPUP)).toMatchObject({ error: { code: 'COMPANION_UNAVAILABLE', message: expect.stringMatching(/install-host/) } });
  });

  it('a save of the same key again is no rotation, even when the record remembers older pairs', async () => {
    const { send, previousKeys, requests } = setup();
    previousKeys.push({ accessKey: 'AKOLDER', replacedAt: '2020-01-01T00:00:00.000Z' });
    const { ok } = (await send('gate.captured', { credentials: NAS, origin: 'x' }, TAB)) as { ok: { captureId: string } };
    await send('gate.save', { captureId: ok.captureId }, POPUP);
    expect(await send('gate.rotation', { captureId: ok.captureId }, POPUP)).toEqual({ ok: null });
    expect(await send('gate.updateTools', { captureId: ok.captureId, toolPassphrase: TOOL_PASSPHRASE }, POPUP)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(requests.filter((request) => request.type.startsWith('tools.'))).toEqual([]);
  });
});
