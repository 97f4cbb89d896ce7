// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { GateRotation } from '../../../shared/protocol/extension-protocol.ts';
import { attachHost, buttonNamed, detachHost, fakeBackground, untilShown, type Handlers } from '../components/test-support.ts';
import { KeyRotation } from './key-rotation.tsx';

const TOOL_PASSPHRASE = 'passphrase for external tools: amber kiln 7';
const ROTATION: GateRotation = {
  storageName: 'NAS backup',
  bucketName: 'usr-48291-itm-00384-nas',
  newAccessKey: 'AKNEW',
  oldAccessKeys: ['AKOLD'],
  toolKeysExist: true,
  tools: [
    { tool: 'rclone', name: 'wesendit-nas-backup', configPath: '/home/u/.config/rclone/rclone.conf', storageName: 'NAS backup', endpoint: 'https://s3.example', bucket: 'usr-48291-itm-00384-nas', accessKey: 'AKOLD', updatedAt: '2026-11-01T00:00:00Z' },
    { tool: 'aws', name: 'wesendit-nas-backup', configPath: '/home/u/.aws/config', storageName: 'NAS backup', endpoint: 'https://s3.example', bucket: 'usr-48291-itm-00384-nas', accessKey: 'AKOLD', updatedAt: '2026-11-01T00:00:00Z' },
  ],
};

let host: HTMLElement;
beforeEach(() => {
  host = attachHost();
});
afterEach(() => detachHost(host));

async function mount(handlers: Handlers) {
  const { send, calls } = fakeBackground(handlers);
  await act(() => {
    render(<KeyRotation captureId="cap-1" send={send} />, host);
  });
  return calls;
}

async function type(label: string, value: string): Promise<void> {
  const input = [...host.querySelectorAll('label')].find((element) => element.textContent === label)?.control;
  if (!(input instanceof HTMLInputElement)) throw new Error(`No input "${label}"`);
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('the gate prompt after a new key for a saved storage', () => {
  it('says the old key stops working, lists the tools using it, updates them all in one action and shows each check', async () => {
    let attempts = 0;
    const calls = await mount({
      'gate.rotation': () => ROTATION,
      'gate.updateTools': () => {
        attempts += 1;
        if (attempts === 1) throw new ConnectGuardError('WRONG_PASSPHRASE', 'The passphrase for external tools is wrong.');
        return {
          results: [
            { tool: 'aws', name: 'wesendit-nas-backup', configPath: '/home/u/.aws/config', bucket: ROTATION.bucketName, status: 'ok', message: '' },
            { tool: 'rclone', name: 'wesendit-nas-backup', configPath: '/home/u/.config/rclone/rclone.conf', bucket: ROTATION.bucketName, status: 'failed', message: 'AccessDenied' },
          ],
        };
      },
    });
    await untilShown(host, () => host.querySelector('[data-key-rotation]') !== null, 'the rotation panel');
    expect(host.textContent).toContain('The old key (AKOLD) stops working');
    const listed = [...host.querySelectorAll('ul[aria-label="External tools using the old key"] li')].map((li) => li.textContent);
    expect(listed).toEqual([
      'rclone remote “wesendit-nas-backup” in /home/u/.config/rclone/rclone.conf (bucket usr-48291-itm-00384-nas, key AKOLD)',
      'AWS profile “wesendit-nas-backup” in /home/u/.aws/config (bucket usr-48291-itm-00384-nas, key AKOLD)',
    ]);
    await type('Passphrase for external tools', 'wrong one');
    await act(() => buttonNamed(host, 'Update external tools').click());
    await untilShown(host, () => host.querySelector('[role="alert"]')?.textContent?.includes('wrong') === true, 'the wrong passphrase');
    await type('Passphrase for external tools', TOOL_PASSPHRASE);
    await act(() => buttonNamed(host, 'Update external tools').click());
    await untilShown(host, () => host.querySelector('[data-tool-status]') !== null, 'the checks');
    expect([...host.querySelectorAll('[data-tool-status]')].map((li) => [li.getAttribute('data-tool-status'), li.textContent])).toEqual([
      ['ok', 'AWS profile “wesendit-nas-backup”: authenticates with the new key'],
      ['failed', 'rclone remote “wesendit-nas-backup”: check failed (AccessDenied)'],
    ]);
    expect(calls.map((call) => call.type)).toEqual(['gate.rotation', 'gate.updateTools', 'gate.updateTools']);
    expect(calls[2]?.data).toEqual({ captureId: 'cap-1', toolPassphrase: TOOL_PASSPHRASE });
  });

  it('shows nothing when the save replaced no key, and says so when no Connect Guard tool used the old key', async () => {
    await mount({ 'gate.rotation': () => null });
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(host.textContent).toBe('');
    detachHost(host);
    host = attachHost();
    await mount({ 'gate.rotation': () => ({ ...ROTATION, tools: [] }) });
    await untilShown(host, () => host.textContent?.includes('No external tool that Connect Guard set up uses the old key') === true, 'the empty list');
    expect(host.querySelector('button')).toBeNull();
  });
});
