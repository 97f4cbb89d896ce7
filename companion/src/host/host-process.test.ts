import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_EXTENSION_ID } from '../../../shared/extension-identity.ts';
import { COMPANION_PROTOCOL_VERSION } from '../../../shared/protocol/companion-protocol.ts';
import { spawnNativeHostProcess } from '../../../test/support/native-host-process.ts';
import { encodeFrame } from './native-messaging.ts';

const BIN = resolve(import.meta.dirname, '../../bin/connect-guard.js');
const ORIGIN = `chrome-extension://${DEV_EXTENSION_ID}/`;
const run = promisify(execFile);

/** The host as the browser runs it: the launcher, with the caller's origin as first argument. */
function startLauncher(launcher: string, origin: string) {
  const host = spawnNativeHostProcess(launcher, [origin], { maxFrameBytes: 2 * 1024 * 1024 });
  return { ...host, reply: host.final };
}

describe('the host process, started through the launcher install-host wrote', () => {
  let profile: string;
  let launcher: string;

  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), 'connect-guard-host-profile-'));
    const { stdout } = await run(process.execPath, [BIN, 'install-host', '--user-data-dir', profile]);
    launcher = join(profile, 'NativeMessagingHosts', 'connect-guard-native-host');
    expect(stdout).toContain(`Wrote launcher ${launcher}`);
    expect(stdout).toContain(`Wrote host manifest ${join(profile, 'NativeMessagingHosts', 'com.connect_guard.companion.json')}`);
  }, 30_000);

  afterAll(async () => {
    const { stdout } = await run(process.execPath, [BIN, 'uninstall-host', '--user-data-dir', profile]);
    expect(stdout).toContain(`Removed ${launcher}`);
    await rm(profile, { recursive: true, force: true });
  });

  it('answers ping, survives a malformed frame, and exits 0 when stdin closes', async () => {
    const host = startLauncher(launcher, ORIGIN);
    host.send({ id: 'p1', type: 'ping', data: {}, timeoutMs: 10_000 });
    const pong = await host.reply('p1');
    expect(pong).toMatchObject({ id: 'p1', ok: { protocolVersion: COMPANION_PROTOCOL_VERSION, version: expect.any(String), pid: expect.any(Number) }, chunks: 0 });

    const garbage = Buffer.from('{"id":"m","type":"ping"', 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32LE(garbage.length, 0);
    host.sendRaw(Buffer.concat([header, garbage]));
    expect(await host.reply('m')).toMatchObject({ error: { code: 'PROTOCOL_ERROR' } });

    host.send({ id: 'p2', type: 'ping', data: {}, timeoutMs: 10_000 });
    expect(await host.reply('p2')).toMatchObject({ ok: { pid: expect.any(Number) } });
    expect(await host.close()).toBe(0);
  }, 30_000);

  it('refuses a length header over its limit and closes, instead of swallowing the frames that follow as its body', async () => {
    const host = startLauncher(launcher, ORIGIN);
    host.send({ id: 'before', type: 'ping', data: {}, timeoutMs: 10_000 });
    expect(await host.reply('before')).toMatchObject({ ok: { pid: expect.any(Number) } });
    // A header announcing almost 4 GiB, then ordinary frames and no such body: the stream is out
    // of step. Reading on would take every frame after it as body bytes until EOF.
    const header = Buffer.alloc(4);
    header.writeUInt32LE(0xfffffff0, 0);
    host.sendRaw(Buffer.concat([header, encodeFrame({ id: 'after', type: 'ping', data: {}, timeoutMs: 10_000 })]));
    const refused = await host.reply(null);
    // The host ends by itself, stdin still open: the browser sees the port close and reconnects.
    const exited = await Promise.race([host.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    expect(exited).toBe(1);
    expect(refused).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/exceeds the companion's limit.*closes the connection/s) } });
    expect(host.received.filter((message) => message.id === 'after')).toEqual([]);
    expect(host.stderr()).toMatch(/length header .* over the limit/);
  }, 30_000);

  it('refuses a caller origin it was not installed for, and exits', async () => {
    const host = startLauncher(launcher, 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/');
    host.send({ id: 'x', type: 'ping', data: {}, timeoutMs: 10_000 });
    expect(await host.reply('x')).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(await host.close()).toBe(1);
    expect(host.stderr()).toMatch(/refusing caller/);
  }, 30_000);
});
