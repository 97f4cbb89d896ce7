// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { BackupJobState, ConnectHoldState } from '../../../shared/protocol/extension-protocol.ts';
import type { SendToBackground } from '../preview/preview-send.ts';
import { FRESH_START_TEXT, HoldFrame, holdIdFromHash } from './hold-frame.tsx';
import { attachHost, buttonNamed, detachHost, fakeBackground, untilShown } from '../components/test-support.ts';

const BUCKET = { endpoint: 'http://127.0.0.1:7480', bucket: 'usr-48291-itm-00384-nas', accessKeyId: 'CGTESTACCESS0001' };
const NO_UPLOADS = { supported: true, count: 0, keys: [] };

function hold(patch: Partial<ConnectHoldState>): ConnectHoldState {
  return { holdId: 'h-1', status: 'checking', reason: '', bucket: BUCKET, ...patch };
}

function backup(patch: Partial<BackupJobState>): BackupJobState {
  return { backupId: 'b-1', status: 'running', bucket: BUCKET, startedAt: '2026-11-27T05:00:00Z', ...patch };
}

const VERIFIED: BackupJobState = backup({
  status: 'done',
  result: { folder: '/home/user/ConnectGuard/backups/usr-48291-itm-00384-nas/20261127T050000Z', objects: 1_200, bytes: 34_000_000, transferred: 1_200, linked: 0, resumed: 0, verified: true, elapsedMs: 9_000, multipartUploads: NO_UPLOADS },
});

let host: HTMLElement;
beforeEach(() => {
  host = attachHost();
});
afterEach(() => detachHost(host));

async function show(send: SendToBackground): Promise<void> {
  await act(() => {
    render(<HoldFrame holdId="h-1" send={send} pollMs={5} />, host);
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

describe('hold frame', () => {
  it('reads the hold id from the hash', () => {
    expect(holdIdFromHash('#hold=h%201')).toBe('h 1');
    expect(holdIdFromHash('#hold=')).toBeUndefined();
    expect(holdIdFromHash('')).toBeUndefined();
  });

  it('says it checks the bucket, then shows the backup’s progress, then "Backup verified" and the folder', async () => {
    const states = [
      hold({ status: 'checking' }),
      hold({ status: 'backing-up', backup: backup({ progress: { phase: 'copying', objects: 300, totalObjects: 1_200, bytes: 8_500_000, totalBytes: 34_000_000, rate: 150, bytesPerSecond: 4_250_000, etaMs: 6_000, elapsedMs: 2_000 } }) }),
      hold({ status: 'released', reason: 'The backup is verified.', backup: VERIFIED }),
    ];
    let polls = 0;
    const { send, calls } = fakeBackground({ 'connectHold.get': () => states[Math.min(polls++, states.length - 1)]! });
    await show(send);
    expect(host.querySelector('h1')?.textContent).toBe('Backing up before connect');
    await until(() => text().includes('Checking the bucket'), 'checking');
    await until(() => text().includes('Copying objects: 300 of 1,200 objects'), 'progress');
    expect(text()).toContain('8.5 MB of 34 MB');
    expect(text()).toContain('150 objects/s');
    expect(text()).toContain('4.3 MB/s');
    expect(text()).toContain('about 6 s left');
    expect(text()).not.toContain('Backup verified');
    await until(() => text().includes('Backup verified'), 'verified');
    expect(text()).toContain('/home/user/ConnectGuard/backups/usr-48291-itm-00384-nas/20261127T050000Z');
    expect(text()).toContain('1,200');
    expect(text()).toContain('34 MB');
    expect(text()).toContain('The connect click went through');
    // Released is final: polling stops.
    const settled = calls.length;
    await act(() => new Promise((resolve) => setTimeout(resolve, 40)));
    expect(calls.length).toBe(settled);
    expect(calls.every((call) => JSON.stringify(call.data) === '{"holdId":"h-1"}')).toBe(true);
  });

  it('an empty bucket is a Fresh Start', async () => {
    const { send } = fakeBackground({ 'connectHold.get': () => hold({ status: 'released', reason: 'The bucket is empty.' }) });
    await show(send);
    await until(() => text().includes(FRESH_START_TEXT), 'fresh start');
    expect(text()).not.toContain('Backup verified');
  });

  it('Cancel stops the backup; the click stays held and "Try again" runs it again', async () => {
    let current = hold({ status: 'backing-up', backup: backup({}) });
    const { send, calls } = fakeBackground({
      'connectHold.get': () => current,
      'connectHold.cancel': () => (current = hold({ status: 'cancelled', reason: 'You cancelled the backup.', backup: backup({ status: 'cancelled' }) })),
      'connectHold.retry': () => (current = hold({ status: 'backing-up', backup: backup({}) })),
    });
    await show(send);
    await until(() => text().includes('Starting the backup'), 'backing up');
    await act(() => button('Cancel').click());
    await until(() => text().includes('The backup was cancelled'), 'cancelled');
    expect(text()).toContain('stays held');
    expect(text()).toContain('You cancelled the backup.');
    await act(() => button('Try again').click());
    await until(() => text().includes('Starting the backup'), 'backing up again');
    expect(calls.map((call) => call.type)).toEqual(expect.arrayContaining(['connectHold.cancel', 'connectHold.retry']));
  });

  it('uploads in progress need "Connect anyway"; "Cancel" is offered too', async () => {
    let current = hold({ status: 'needs-confirmation', reason: 'Uploads are in progress.', backup: VERIFIED, multipartUploads: { supported: true, count: 3, keys: ['video/big.mov', 'db/dump.sql'] } });
    const { send, calls } = fakeBackground({
      'connectHold.get': () => current,
      'connectHold.connectAnyway': () => (current = hold({ status: 'released', reason: 'You chose to connect anyway.', backup: VERIFIED, multipartUploads: current.multipartUploads })),
    });
    await show(send);
    await until(() => text().includes('3 uploads to the bucket are still in progress'), 'uploads');
    expect(text()).toContain('video/big.mov');
    expect(text()).toContain('db/dump.sql');
    expect(text()).toContain('and 1 more');
    expect(text()).not.toContain('Backup verified');
    button('Cancel');
    await act(() => button('Connect anyway').click());
    await until(() => text().includes('Backup verified'), 'released');
    expect(calls.some((call) => call.type === 'connectHold.connectAnyway')).toBe(true);
  });

  it('a failed backup names the reason through the error message and keeps the click held', async () => {
    const { send } = fakeBackground({
      'connectHold.get': () => hold({ status: 'failed', reason: 'The backup failed.', error: { code: 'INVALID_INPUT', message: 'Not enough free space for the backup: 34 MB needed, 2 MB free. Free some space or choose another folder.' } }),
    });
    await show(send);
    await until(() => host.querySelector('[role="alert"]') !== null, 'error');
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('Not enough free space');
    expect(text()).toContain('The backup failed, so WeSendit’s connect click stays held.');
    button('Try again');
  });

  it('a failed backup is not a dead end: "Connect anyway" says what it skips and lets the click through', async () => {
    let current = hold({ status: 'failed', reason: 'The backup failed.', error: { code: 'VERIFY_FAILED', message: '2 objects could not be verified.' } });
    const { send, calls } = fakeBackground({
      'connectHold.get': () => current,
      'connectHold.connectAnyway': () => (current = hold({ status: 'released', reason: 'You chose to connect without a verified backup: 2 objects could not be verified.' })),
    });
    await show(send);
    await until(() => text().includes('Connect anyway'), 'the way out');
    expect(text()).toContain('without a verified backup (2 objects could not be verified.)');
    await act(() => button('Connect anyway').click());
    await until(() => text().includes('The connect click went through'), 'release');
    expect(calls.map((call) => call.type)).toContain('connectHold.connectAnyway');
  });

  it('a click the page made, or for an address never seen, waits: the bucket, address and key are shown, and only "Back up and connect" starts the check', async () => {
    let current = hold({ status: 'needs-approval', approval: 'not-your-click', reason: 'A script on this page clicked Connect, not you.' });
    const { send, calls } = fakeBackground({
      'connectHold.get': () => current,
      'connectHold.approve': () => (current = hold({ status: 'checking' })),
    });
    await show(send);
    await until(() => text().includes('it did not come from you'), 'approval');
    for (const shown of [BUCKET.bucket, BUCKET.endpoint, BUCKET.accessKeyId]) expect(text()).toContain(shown);
    expect(calls.map((call) => call.type)).not.toContain('connectHold.approve');
    await act(() => button('Back up and connect').click());
    await until(() => text().includes('Checking the bucket'), 'checking');
    expect(calls.map((call) => call.type)).toContain('connectHold.approve');
  });

  it('shows a background error (e.g. an unknown hold) in plain words', async () => {
    const { send } = fakeBackground({
      'connectHold.get': () => {
        throw new ConnectGuardError('INTERNAL', 'This hold is no longer known. Click Connect again.');
      },
    });
    await show(send);
    await until(() => host.querySelector('[role="alert"]')?.textContent === 'This hold is no longer known. Click Connect again.', 'error');
  });

  it('a poll answered after Cancel does not bring the running state back', async () => {
    let answerPoll: ((state: ConnectHoldState) => void) | undefined;
    let first = true;
    const { send } = fakeBackground({
      'connectHold.get': () => {
        if (first) {
          first = false;
          return hold({ status: 'backing-up', backup: backup({}) });
        }
        return new Promise<ConnectHoldState>((resolve) => (answerPoll = resolve));
      },
      'connectHold.cancel': () => hold({ status: 'cancelled', reason: 'You cancelled the backup.' }),
    });
    await show(send);
    await until(() => answerPoll !== undefined, 'a pending poll');
    await act(() => button('Cancel').click());
    await until(() => text().includes('The backup was cancelled'), 'cancelled');
    await act(() => answerPoll?.(hold({ status: 'backing-up', backup: backup({}) })));
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(text()).toContain('The backup was cancelled');
  });
});
