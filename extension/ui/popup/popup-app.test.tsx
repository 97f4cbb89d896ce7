// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageSummary } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { ConnectFormSummary, VaultStatus } from '../../../shared/protocol/extension-protocol.ts';
import { attachHost, buttonNamed, detachHost, fakeBackground, type Handlers, untilShown } from '../components/test-support.ts';
import { PopupApp, type PopupAppProps } from './popup-app.tsx';
import { initialPopupTab, popupTabFromHash, type PopupTab } from './popup-tabs.ts';

const STORAGE: StorageSummary = {
  id: 's-1',
  storageName: 'NAS',
  bucketName: 'usr-48291-itm-00384-nas',
  serverAddress: 'http://127.0.0.1:7480',
  accessKey: 'CGTESTACCESS0001',
  permissions: 'Read & Write',
  allowedIps: '',
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
};
const FORM: ConnectFormSummary = { formId: 'form-7', provider: 'Other S3', endpoint: 'http://127.0.0.1:7480', region: '', bucket: 'usr-48291-itm-00384-nas', accessKey: 'CGTESTACCESS0001', hasSecret: true, origin: 'http://127.0.0.1:8080', tabId: 7 };

function backgroundFor(status: VaultStatus, extra: Handlers = {}): Handlers {
  return {
    'vault.status': () => status,
    'storage.list': () => {
      if (!status.unlocked) throw new ConnectGuardError(status.exists ? 'VAULT_LOCKED' : 'VAULT_MISSING', 'The vault is locked.');
      return [STORAGE, { ...STORAGE, id: 's-2', storageName: 'Photos', bucketName: 'photos' }];
    },
    'settings.get': () => ({ autoLockMinutes: 15, clipboardSeconds: 30, extraOrigins: [] }),
    'companion.status': () => ({ available: true, version: '0.1.0', protocolVersion: 6 }),
    'connectForm.latest': () => null,
    'connectForm.get': () => FORM,
    'preview.latest': () => null,
    'backup.latest': () => null,
    'backup.list': () => ({ root: '/home/user/ConnectGuard/backups', backups: [], omitted: 0, skipped: [], skippedMore: 0 }),
    ...extra,
  };
}

const UNLOCKED: VaultStatus = { exists: true, unlocked: true, storageCount: 2 };
const LOCKED: VaultStatus = { exists: true, unlocked: false, storageCount: 2 };
const NONE: VaultStatus = { exists: false, unlocked: false, storageCount: 0 };

let host: HTMLElement;
beforeEach(() => {
  host = attachHost();
});
afterEach(() => detachHost(host));

async function show(props: PopupAppProps): Promise<void> {
  await act(() => {
    render(<PopupApp pollMs={5} {...props} />, host);
  });
  await untilShown(host, () => host.querySelector('[role="tablist"]') !== null, 'the tabs');
}

const tabs = (): HTMLButtonElement[] => [...host.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
const selectedTab = (): string | undefined => tabs().find((tab) => tab.getAttribute('aria-selected') === 'true')?.textContent ?? undefined;
const visiblePanels = (): string[] => [...host.querySelectorAll<HTMLElement>('[role="tabpanel"]')].filter((panel) => !panel.hidden).map((panel) => host.querySelector(`#${panel.getAttribute('aria-labelledby') ?? ''}`)?.textContent ?? '');

function tabNamed(name: string): HTMLButtonElement {
  const found = tabs().find((tab) => tab.textContent === name);
  if (!found) throw new Error(`no tab ${name}`);
  return found;
}

async function key(target: HTMLElement, name: string): Promise<void> {
  await act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true }));
  });
}

describe('the popup’s tabs', () => {
  it('are a WAI-ARIA tab list named Storages, Preview, Backups, Settings, each controlling its panel; a click switches', async () => {
    const chosen: PopupTab[] = [];
    const { send } = fakeBackground(backgroundFor(UNLOCKED));
    await show({ send, hash: '', onTabChosen: (tab) => chosen.push(tab) });
    expect(host.querySelector('[role="tablist"]')?.getAttribute('aria-label')).toBe('Connect Guard');
    expect(tabs().map((tab) => tab.textContent)).toEqual(['Storages', 'Preview', 'Backups', 'Settings']);
    for (const tab of tabs()) {
      const panel = host.querySelector(`#${tab.getAttribute('aria-controls') ?? ''}`);
      expect(panel?.getAttribute('role')).toBe('tabpanel');
      expect(panel?.getAttribute('aria-labelledby')).toBe(tab.id);
    }
    expect(selectedTab()).toBe('Storages');
    expect(visiblePanels()).toEqual(['Storages']);
    expect(tabs().map((tab) => tab.tabIndex)).toEqual([0, -1, -1, -1]);

    await act(() => tabNamed('Settings').click());
    expect(selectedTab()).toBe('Settings');
    expect(visiblePanels()).toEqual(['Settings']);
    expect(tabs().map((tab) => tab.tabIndex)).toEqual([-1, -1, -1, 0]);
    expect(host.querySelector('[role="tabpanel"]:not([hidden])')?.textContent).toContain('Auto-lock minutes');
    expect(chosen).toEqual(['settings']);
  });

  it('move with the arrow keys (wrapping), Home and End, focusing and selecting the tab', async () => {
    const chosen: PopupTab[] = [];
    const { send } = fakeBackground(backgroundFor(UNLOCKED));
    await show({ send, hash: '', onTabChosen: (tab) => chosen.push(tab) });
    tabNamed('Storages').focus();
    await key(tabNamed('Storages'), 'ArrowRight');
    expect(selectedTab()).toBe('Preview');
    expect(document.activeElement).toBe(tabNamed('Preview'));
    expect(visiblePanels()).toEqual(['Preview']);
    await key(tabNamed('Preview'), 'ArrowRight');
    await key(tabNamed('Backups'), 'ArrowRight');
    expect(selectedTab()).toBe('Settings');
    await key(tabNamed('Settings'), 'ArrowRight');
    expect(selectedTab()).toBe('Storages');
    await key(tabNamed('Storages'), 'ArrowLeft');
    expect(selectedTab()).toBe('Settings');
    expect(document.activeElement).toBe(tabNamed('Settings'));
    await key(tabNamed('Settings'), 'Home');
    expect(selectedTab()).toBe('Storages');
    await key(tabNamed('Storages'), 'End');
    expect(selectedTab()).toBe('Settings');
    await key(tabNamed('Settings'), 'ArrowDown');
    expect(selectedTab()).toBe('Settings');
    expect(chosen).toEqual(['preview', 'backups', 'settings', 'storages', 'settings', 'storages', 'settings']);
  });

  it('open on the tab the address names (#tab=…, a preview’s #form=…), else on the last one chosen', async () => {
    const backups = fakeBackground(backgroundFor(UNLOCKED));
    await show({ send: backups.send, hash: '#tab=backups', lastTab: 'settings' });
    expect(selectedTab()).toBe('Backups');
    await untilShown(host, () => backups.calls.some((call) => call.type === 'backup.list'), 'the backup list');
    await act(() => render(null, host));

    const preview = fakeBackground(backgroundFor(UNLOCKED));
    await show({ send: preview.send, hash: '#form=form-7', lastTab: 'settings' });
    expect(selectedTab()).toBe('Preview');
    await untilShown(host, () => preview.calls.some((call) => call.type === 'connectForm.get'), 'the form');
    expect(preview.calls.find((call) => call.type === 'connectForm.get')?.data).toEqual({ formId: 'form-7' });
    await act(() => render(null, host));

    const remembered = fakeBackground(backgroundFor(UNLOCKED));
    await show({ send: remembered.send, hash: '', lastTab: 'settings' });
    expect(selectedTab()).toBe('Settings');
  });

  it('render a panel the first time its tab is chosen and keep it, with what was typed, when another tab is chosen', async () => {
    const { send, calls } = fakeBackground(backgroundFor(UNLOCKED));
    await show({ send, hash: '' });
    expect(calls.some((call) => call.type === 'backup.list')).toBe(false);
    await act(() => tabNamed('Settings').click());
    const minutes = host.querySelector<HTMLInputElement>('#auto-lock-minutes');
    if (!minutes) throw new Error('no auto-lock field');
    await act(() => {
      minutes.value = '42';
      minutes.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(() => tabNamed('Backups').click());
    await untilShown(host, () => calls.some((call) => call.type === 'backup.list'), 'the backup list');
    await act(() => tabNamed('Settings').click());
    expect(host.querySelector<HTMLInputElement>('#auto-lock-minutes')?.value).toBe('42');
  });
});

describe('popupTabFromHash / initialPopupTab', () => {
  it.each([
    ['#tab=backups', undefined, 'backups'],
    ['#tab=settings&x=1', 'storages', 'settings'],
    ['#form=f-1', 'backups', 'preview'],
    ['#preview=p-1', undefined, 'preview'],
    ['#tab=nonsense', 'backups', 'backups'],
    ['', 'preview', 'preview'],
    ['', 'toString', 'storages'],
    ['', undefined, 'storages'],
  ] as const)('%s with last %s → %s', (hash, last, expected) => {
    expect(initialPopupTab(hash, last)).toBe(expected);
  });

  it('names no tab for an empty or unrelated hash', () => {
    expect(popupTabFromHash('')).toBeUndefined();
    expect(popupTabFromHash('#form=')).toBeUndefined();
  });
});

describe('the popup’s header', () => {
  it('unlocked: "Unlocked · 2 storages", "Lock vault" locks, and the Storages tab lists the saved storages', async () => {
    let status = UNLOCKED;
    const { send, calls } = fakeBackground({
      ...backgroundFor(UNLOCKED),
      'vault.status': () => status,
      'vault.lock': () => {
        status = LOCKED;
        return status;
      },
    });
    await show({ send, hash: '' });
    await untilShown(host, () => host.querySelector('header')?.textContent?.includes('Unlocked · 2 storages') === true, 'the state');
    expect(host.textContent).toContain('Saved storages (2)');
    await act(() => buttonNamed(host, 'Lock vault').click());
    await untilShown(host, () => host.querySelector('header')?.textContent?.includes('Locked') === true, 'locked');
    expect(calls.some((call) => call.type === 'vault.lock')).toBe(true);
    expect([...host.querySelectorAll('button')].some((button) => button.textContent === 'Lock vault')).toBe(false);
    expect(host.textContent).not.toContain(STORAGE.bucketName);
  });

  it('locked: "Locked" and the unlock form on every tab; a wrong passphrase is said plainly, the right one unlocks', async () => {
    let status = LOCKED;
    const { send, calls } = fakeBackground({
      ...backgroundFor(LOCKED),
      'vault.status': () => status,
      'storage.list': () => (status.unlocked ? [STORAGE] : Promise.reject(new ConnectGuardError('VAULT_LOCKED', 'locked'))),
      'vault.unlock': (data) => {
        if (data.passphrase !== 'the right passphrase 42') throw new ConnectGuardError('WRONG_PASSPHRASE', 'The vault passphrase is wrong.');
        status = { ...UNLOCKED, storageCount: 1 };
        return status;
      },
    });
    await show({ send, hash: '#tab=backups' });
    expect(host.querySelector('header')?.textContent).toContain('Locked');
    const field = (): HTMLInputElement | null => host.querySelector<HTMLInputElement>('header #vault-passphrase');
    expect(host.querySelector('header label[for="vault-passphrase"]')?.textContent).toBe('Vault passphrase');
    for (const [passphrase, shown] of [
      ['wrong passphrase', 'The vault passphrase is wrong.'],
      ['the right passphrase 42', 'Unlocked · 1 storage'],
    ] as const) {
      const input = field();
      if (!input) throw new Error('no passphrase field');
      await act(() => {
        input.value = passphrase;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await act(() => buttonNamed(host, 'Unlock').click());
      await untilShown(host, () => host.textContent?.includes(shown) === true, shown);
    }
    expect(calls.filter((call) => call.type === 'vault.unlock').map((call) => call.data)).toEqual([{ passphrase: 'wrong passphrase' }, { passphrase: 'the right passphrase 42' }]);
    expect(field()).toBeNull();
    expect(selectedTab()).toBe('Backups');
  });

  it('no vault: "No vault", and the Storages tab creates one only when both passphrases match', async () => {
    let status = NONE;
    const { send, calls } = fakeBackground({
      ...backgroundFor(NONE),
      'vault.status': () => status,
      'vault.create': () => {
        status = { exists: true, unlocked: true, storageCount: 0 };
        return status;
      },
    });
    await show({ send, hash: '' });
    expect(host.querySelector('header')?.textContent).toContain('No vault');
    const fill = async (id: string, value: string): Promise<void> => {
      const input = host.querySelector<HTMLInputElement>(id);
      if (!input) throw new Error(`no ${id}`);
      await act(() => {
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
    };
    await fill('#vault-passphrase', 'a long vault passphrase 1');
    await fill('#confirm-passphrase', 'a different passphrase 2');
    await act(() => buttonNamed(host, 'Create vault').click());
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('do not match');
    expect(calls.some((call) => call.type === 'vault.create')).toBe(false);
    await fill('#confirm-passphrase', 'a long vault passphrase 1');
    await act(() => buttonNamed(host, 'Create vault').click());
    await untilShown(host, () => host.querySelector('header')?.textContent?.includes('Unlocked · 0 storages') === true, 'the new vault');
    expect(calls.find((call) => call.type === 'vault.create')?.data).toEqual({ passphrase: 'a long vault passphrase 1' });
  });

  it('"Open in a tab" opens the app on the tab shown; opened as a tab there is no such button', async () => {
    const opened: PopupTab[] = [];
    const { send } = fakeBackground(backgroundFor(UNLOCKED));
    await show({ send, hash: '#tab=backups', onOpenInTab: (tab) => opened.push(tab) });
    await act(() => buttonNamed(host, 'Open in a tab').click());
    expect(opened).toEqual(['backups']);
    await act(() => render(null, host));
    await show({ send, hash: '' });
    expect([...host.querySelectorAll('button')].some((button) => button.textContent === 'Open in a tab')).toBe(false);
  });
});
