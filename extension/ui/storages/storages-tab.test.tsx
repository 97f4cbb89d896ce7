// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StorageSummary } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { HandoffFile } from '../../../shared/protocol/extension-protocol.ts';
import { attachHost, buttonNamed, detachHost, fakeBackground, untilShown, type Call, type Handlers } from '../components/test-support.ts';
import { StoragesTab } from './storages-tab.tsx';

const NAS: StorageSummary = {
  id: 's-nas',
  storageName: 'NAS backup',
  bucketName: 'usr-48291-itm-00384-nas',
  serverAddress: 'https://s3.wesendit.example',
  accessKey: 'CGTESTACCESS0001',
  permissions: 'Read & Write',
  allowedIps: '',
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
};
const ARCHIVE: StorageSummary = { ...NAS, id: 's-archive', storageName: 'Archive', bucketName: 'usr-48291-itm-00385-archive' };
const FILE_PASSPHRASE = 'file passphrase: seven quiet lanterns';
const FILE: HandoffFile = {
  fileName: 'connect-guard-keepass-nas-backup-2026-03-01.kdbx',
  mimeType: 'application/x-keepass2',
  base64: 'A9mimmf7S7UAAAQA',
  entries: 1,
  kdf: { algorithm: 'Argon2id', memoryKiB: 65536, iterations: 3, parallelism: 4, cipher: 'AES-256 (KDBX 4)' },
  verified: true,
};

let host: HTMLElement;
let downloads: { name: string; blob: Blob }[];

beforeEach(() => {
  host = attachHost();
  downloads = [];
  let pending: Blob | undefined;
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    if (blob instanceof Blob) pending = blob;
    return 'blob:handoff';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    if (pending !== undefined) downloads.push({ name: this.download, blob: pending });
  });
});

afterEach(() => {
  detachHost(host);
  vi.restoreAllMocks();
});

async function mount(handlers: Handlers): Promise<Call[]> {
  const { send, calls } = fakeBackground(handlers);
  await act(() => {
    render(<StoragesTab status={{ exists: true, unlocked: true, storageCount: 2 }} storages={[NAS, ARCHIVE]} onChanged={() => undefined} send={send} busy={false} onCreate={async () => true} onMismatch={() => undefined} />, host);
  });
  return calls;
}

async function click(element: HTMLElement): Promise<void> {
  await act(() => element.click());
}

async function type(label: string, value: string): Promise<void> {
  const input = [...host.querySelectorAll('label')].find((element) => element.textContent === label)?.control;
  if (!(input instanceof HTMLInputElement)) throw new Error(`No input "${label}"`);
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

const itemOf = (storage: StorageSummary): HTMLElement => {
  const item = host.querySelector<HTMLElement>(`li[data-storage-id="${storage.id}"]`);
  if (item === null) throw new Error(`No item for ${storage.id}`);
  return item;
};

describe('Storages tab: hand-off to a password manager', () => {
  it('offers "Export to KeePass" and "Export to Bitwarden" for all storages and for each, and says why there is no plaintext export', async () => {
    await mount({});
    const names = [...host.querySelectorAll('button')].map((button) => button.textContent);
    expect(names.filter((name) => name === 'Export to KeePass')).toHaveLength(3);
    expect(names.filter((name) => name === 'Export to Bitwarden')).toHaveLength(3);
    expect(host.querySelector('[data-no-plaintext-export]')?.textContent).toMatch(/No CSV or unencrypted export.*unencrypted files among the places a Secret Key must not go/);
  });

  it('exports one storage: shows the KDF parameters, checks the passphrases, downloads only the verified file', async () => {
    const calls = await mount({ 'handoff.export': () => FILE });
    await click(buttonNamed(itemOf(NAS), 'Export to KeePass'));
    const dialog = host.querySelector('[role="dialog"]');
    expect(dialog?.querySelector('h2')?.textContent).toBe('Export to KeePass');
    expect(dialog?.textContent).toContain('Key derivation in the file: Argon2id, 64 MiB, 3 passes, parallelism 4; AES-256 (KDBX 4).');
    expect(dialog?.textContent).toContain('the storage “NAS backup”');

    await type('File passphrase', FILE_PASSPHRASE);
    await type('Confirm file passphrase', `${FILE_PASSPHRASE}!`);
    await click(buttonNamed(host, 'Create encrypted file'));
    expect(host.querySelector('[role="alert"]')?.textContent).toMatch(/do not match/);
    await type('File passphrase', 'short');
    await type('Confirm file passphrase', 'short');
    await click(buttonNamed(host, 'Create encrypted file'));
    expect(host.querySelector('[role="alert"]')?.textContent).toMatch(/too short/);
    expect(calls).toEqual([]);
    expect(downloads).toEqual([]);

    await type('File passphrase', FILE_PASSPHRASE);
    await type('Confirm file passphrase', FILE_PASSPHRASE);
    await click(buttonNamed(host, 'Create encrypted file'));
    await untilShown(host, () => host.textContent?.includes('read back and verified') === true, 'the saved file');
    expect(calls).toEqual([{ type: 'handoff.export', data: { format: 'keepass', scope: { kind: 'storage', storageId: 's-nas' }, passphrase: FILE_PASSPHRASE, confirmation: FILE_PASSPHRASE } }]);
    expect(downloads.map((download) => download.name)).toEqual([FILE.fileName]);
    expect([...new Uint8Array(await downloads[0]!.blob.arrayBuffer()).subarray(0, 4)]).toEqual([0x03, 0xd9, 0xa2, 0x9a]);
    expect(host.textContent).toContain('Database → Merge from database…');
    // The passphrase is not kept in the page once the file is made.
    expect(host.querySelector('input[type="password"]')).toBeNull();
    await click(buttonNamed(host, 'Done'));
    expect(host.querySelector('[role="dialog"]')).toBeNull();
  });

  it('exports all storages to Bitwarden; a refusal from the background is shown and nothing is downloaded', async () => {
    const calls = await mount({
      'handoff.export': () => {
        throw new ConnectGuardError('VAULT_LOCKED', 'The vault is locked. Unlock it with your vault passphrase first.');
      },
    });
    const all = host.querySelector<HTMLElement>('.handoff-all');
    if (all === null) throw new Error('no hand-off section');
    await click(buttonNamed(all, 'Export to Bitwarden'));
    expect(host.querySelector('[role="dialog"]')?.textContent).toContain('AES-256-CBC + HMAC-SHA256');
    expect(host.querySelector('[role="dialog"]')?.textContent).toContain('all 2 saved storages');
    await type('File passphrase', FILE_PASSPHRASE);
    await type('Confirm file passphrase', FILE_PASSPHRASE);
    await click(buttonNamed(host, 'Create encrypted file'));
    await untilShown(host, () => host.querySelector('[role="alert"]')?.textContent?.includes('vault is locked') === true, 'the refusal');
    expect(calls.map((call) => call.data)).toEqual([{ format: 'bitwarden', scope: { kind: 'all' }, passphrase: FILE_PASSPHRASE, confirmation: FILE_PASSPHRASE }]);
    expect(downloads).toEqual([]);
    await click(buttonNamed(host, 'Cancel'));
    expect(host.textContent).toContain('Saved storages (2)');
  });
});
