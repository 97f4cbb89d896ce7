// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupJobState, ConnectFormSummary } from '../../../shared/protocol/extension-protocol.ts';
import { BackupPanel } from './backup-panel.tsx';
import type { SendToBackground } from '../preview/preview-send.ts';
import { attachHost, buttonNamed, detachHost, fakeBackground, type Handlers, untilShown } from '../components/test-support.ts';

const FORM: ConnectFormSummary = {
  formId: 'form-1',
  provider: 'Other S3',
  endpoint: 'http://127.0.0.1:7480',
  region: '',
  bucket: 'usr-48291-itm-00384-nas',
  accessKey: 'CGTESTACCESS0001',
  hasSecret: true,
  origin: 'http://127.0.0.1:8080',
  tabId: 7,
};
const BUCKET = { endpoint: FORM.endpoint, bucket: FORM.bucket, accessKeyId: FORM.accessKey };
const FOLDER = '/home/user/ConnectGuard/backups/usr-48291-itm-00384-nas/20261127T050000Z';

function job(patch: Partial<BackupJobState>): BackupJobState {
  return { backupId: 'b-1', status: 'running', bucket: BUCKET, startedAt: '2026-11-27T05:00:00Z', ...patch };
}

const DONE = job({
  status: 'done',
  result: { folder: FOLDER, objects: 2_000, bytes: 12_000_000, transferred: 20, linked: 1_980, resumed: 0, verified: true, elapsedMs: 3_000, multipartUploads: { supported: true, count: 0, keys: [] } },
});

let host: HTMLElement;
beforeEach(() => {
  host = attachHost();
});
afterEach(() => detachHost(host));

async function show(send: SendToBackground): Promise<void> {
  await act(() => {
    render(<BackupPanel send={send} pollMs={5} />, host);
  });
}

function until(check: () => boolean, what: string): Promise<void> {
  return untilShown(host, check, what);
}

function button(name: string): HTMLButtonElement {
  return buttonNamed(host, name);
}

function text(): string {
  return host.textContent ?? '';
}

const BASE: Handlers = {
  'connectForm.latest': () => FORM,
  'storage.list': () => [],
  'backup.latest': () => null,
};

describe('Back up now', () => {
  it('backs up the connect form’s bucket with progress, then says "Backup verified" with the folder', async () => {
    let polls = 0;
    const { send, calls } = fakeBackground({
      ...BASE,
      'backup.start': () => job({}),
      'backup.state': () => (polls++ < 1 ? job({ progress: { phase: 'copying', objects: 500, totalObjects: 2_000, bytes: 3_000_000, totalBytes: 12_000_000, rate: 250, bytesPerSecond: 1_500_000, etaMs: 6_000, elapsedMs: 2_000 } }) : DONE),
    });
    await show(send);
    await until(() => text().includes(FORM.bucket), 'the form');
    await act(() => button('Back up now').click());
    expect(calls.find((call) => call.type === 'backup.start')?.data).toEqual({ connection: { kind: 'form', formId: 'form-1' } });
    await until(() => text().includes('Copying objects: 500 of 2,000 objects'), 'progress');
    expect(button('Back up now').disabled).toBe(true);
    await until(() => text().includes('Backup verified'), 'verified');
    expect(text()).toContain(FOLDER);
    expect(text()).toContain('1,980 unchanged since the previous backup');
  });

  it('Cancel stops a running backup; a poll answered after the cancel does not bring it back', async () => {
    let answerPoll: ((state: BackupJobState) => void) | undefined;
    const { send, calls } = fakeBackground({
      ...BASE,
      'backup.latest': () => job({}),
      'backup.state': () => new Promise<BackupJobState>((resolve) => (answerPoll = resolve)),
      'backup.cancel': () => job({ status: 'cancelled' }),
    });
    await show(send);
    await until(() => text().includes('Starting the backup'), 'running');
    await act(() => button('Cancel').click());
    await until(() => text().includes('The backup was cancelled'), 'cancelled');
    expect(calls.some((call) => call.type === 'backup.cancel')).toBe(true);
    await act(() => answerPoll?.(job({})));
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(text()).toContain('The backup was cancelled');
  });

  it('says what is missing when there is neither a form nor a saved storage', async () => {
    const { send, calls } = fakeBackground({ ...BASE, 'connectForm.latest': () => null });
    await show(send);
    await until(() => text().includes('No connect form read yet'), 'no form');
    await act(() => button('Back up now').click());
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('No WeSendit connect form was read yet');
    expect(calls.some((call) => call.type === 'backup.start')).toBe(false);
  });

  it('uses a saved storage when no form was read, and shows a failure in plain words', async () => {
    const { send, calls } = fakeBackground({
      ...BASE,
      'connectForm.latest': () => null,
      'storage.list': () => [{ id: 's-1', storageName: 'NAS', bucketName: FORM.bucket, serverAddress: FORM.endpoint, accessKey: FORM.accessKey, permissions: 'Read & Write', allowedIps: '', createdAt: '2026-11-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z' }],
      'backup.start': () => job({ status: 'failed', error: { code: 'WRONG_SECRET_KEY', message: 'The Secret Key does not match the Access Key. Copy the Secret Key again.' } }),
    });
    await show(send);
    await until(() => host.querySelector('select') !== null, 'the vault choice');
    const select = host.querySelector('select');
    if (!select) throw new Error('no select');
    await act(() => {
      select.value = 's-1';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(() => button('Back up now').click());
    expect(calls.find((call) => call.type === 'backup.start')?.data).toEqual({ connection: { kind: 'vault', storageId: 's-1' } });
    await until(() => text().includes('The Secret Key does not match'), 'error');
  });
});
