import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DiffRow } from '../../shared/diff/diff-inventories.ts';
import { CompanionPort, LOCAL_TIMEOUT_GRACE_MS, type NativePort } from './companion-port.ts';

/** A port whose host side the test plays. */
class FakePort implements NativePort {
  readonly sent: unknown[] = [];
  disconnected = false;
  private messageListeners: ((message: unknown) => void)[] = [];
  private disconnectListeners: (() => void)[] = [];
  readonly onMessage = { addListener: (listener: (message: unknown) => void) => void this.messageListeners.push(listener) };
  readonly onDisconnect = { addListener: (listener: () => void) => void this.disconnectListeners.push(listener) };
  postMessage(message: unknown): void {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    this.sent.push(message);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  /** The host sends a frame. */
  reply(message: unknown): void {
    for (const listener of this.messageListeners) listener(message);
  }
  /** Chromium closes the port (host exited or not installed). */
  close(): void {
    this.disconnected = true;
    for (const listener of this.disconnectListeners) listener();
  }
  lastId(): string {
    const last: unknown = this.sent.at(-1);
    const id: unknown = typeof last === 'object' && last !== null ? Reflect.get(last, 'id') : undefined;
    if (typeof id !== 'string') throw new Error('no request sent');
    return id;
  }
}

function setup(options: { idleCloseMs?: number } = {}) {
  const ports: FakePort[] = [];
  let lastError: string | undefined;
  let counter = 0;
  const companion = new CompanionPort({
    connect: () => {
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    lastErrorMessage: () => lastError,
    newId: () => `r${++counter}`,
    idleCloseMs: options.idleCloseMs ?? 0,
  });
  const port = (): FakePort => {
    const current = ports.at(-1);
    if (!current) throw new Error('no port opened');
    return current;
  };
  return { companion, ports, port, setLastError: (text: string | undefined) => (lastError = text) };
}

const row: DiffRow = { key: 'a.txt', class: 'only-in-bucket', reason: 'only in the bucket', bucket: { key: 'a.txt', size: 1 }, wesendit: undefined, outcome: undefined, lookalikeOf: undefined };

afterEach(() => {
  vi.useRealTimers();
});

describe('CompanionPort', () => {
  it('opens lazily, sends { id, type, data, timeoutMs } and resolves with the validated result', async () => {
    const { companion, ports, port } = setup();
    expect(ports).toHaveLength(0);
    const reply = companion.request('ping', {}, { timeoutMs: 1234 });
    expect(port().sent).toEqual([{ id: 'r1', type: 'ping', data: {}, timeoutMs: 1234 }]);
    port().reply({ id: 'r1', ok: { version: '1.0.0', protocolVersion: 2, pid: 7 }, chunks: 0 });
    await expect(reply).resolves.toEqual({ version: '1.0.0', protocolVersion: 2, pid: 7 });
    // The same port serves the next request.
    const again = companion.request('ping', {});
    expect(ports).toHaveLength(1);
    port().reply({ id: 'r2', ok: { version: '1.0.0', protocolVersion: 2, pid: 7 }, chunks: 0 });
    await again;
  });

  it('delivers progress and chunks in order to their request only, interleaved with another request', async () => {
    const { companion, port } = setup();
    const progress: number[] = [];
    const chunks: string[][] = [];
    const preview = companion.request(
      'diff.preview',
      { connection: { endpoint: 'http://127.0.0.1:1', bucket: 'b', accessKeyId: 'AK', secretAccessKey: 'fake-secret' }, wesendit: { kind: 'inline', entries: [] } },
      { onProgress: (data) => progress.push(data.objects), onChunk: (rows) => chunks.push(rows.map((r) => r.key)) },
    );
    const ping = companion.request('ping', {});
    port().reply({ id: 'r1', event: 'progress', data: { phase: 'listing', objects: 5, bytes: 5, rate: 1, elapsedMs: 1 } });
    port().reply({ id: 'r2', ok: { version: 'x', protocolVersion: 2, pid: 1 }, chunks: 0 });
    port().reply({ id: 'r1', event: 'chunk', seq: 0, data: [row] });
    port().reply({ id: 'r1', event: 'chunk', seq: 1, data: [{ ...row, key: 'b.txt', bucket: { key: 'b.txt', size: 2 } }] });
    await expect(ping).resolves.toMatchObject({ version: 'x' });
    const totals = {
      classes: Object.fromEntries(['only-in-bucket', 'only-in-wesendit', 'same', 'conflict', 'unknown'].map((name) => [name, { objects: 0, bucketBytes: 0, wesenditBytes: 0 }])),
      objects: 2,
      lookalikes: 0,
      atRisk: Object.fromEntries(['newerWins', 'wesenditWins', 'unknownNewerWins', 'unknownWesenditWins'].map((name) => [name, { objects: 0, bytes: 0, undecided: 0 }])),
      examples: { conflict: [], unknown: [], lookalike: [] },
    };
    port().reply({ id: 'r1', ok: { totals, rows: 2, bucketObjects: 2, wesenditObjects: 0, elapsedMs: 3 }, chunks: 2 });
    await expect(preview).resolves.toMatchObject({ rows: 2 });
    expect(progress).toEqual([5]);
    expect(chunks).toEqual([['a.txt'], ['b.txt']]);
  });

  it('rejects with the host’s error as a ConnectGuardError', async () => {
    const { companion, port } = setup();
    const reply = companion.request('ping', {});
    port().reply({ id: 'r1', error: { code: 'WRONG_SECRET_KEY', message: 'The Secret Key is wrong.' } });
    await expect(reply).rejects.toMatchObject({ name: 'ConnectGuardError', code: 'WRONG_SECRET_KEY', message: 'The Secret Key is wrong.' });
  });

  it('turns an invalid payload, a missing chunk or a wrong chunk count into PROTOCOL_ERROR', async () => {
    const { companion, port } = setup();
    const bad = companion.request('ping', {});
    port().reply({ id: 'r1', ok: { version: 3 }, chunks: 0 });
    await expect(bad).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    const gap = companion.request('diff.preview', { connection: { endpoint: 'e', bucket: 'b', accessKeyId: 'a', secretAccessKey: 's' }, wesendit: { kind: 'inline', entries: [] } });
    port().reply({ id: 'r2', event: 'chunk', seq: 1, data: [row] });
    await expect(gap).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringMatching(/chunk 0 expected/) });
    // A frame that is not a host message at all fails the one running request.
    const lone = companion.request('ping', {});
    port().reply('garbage');
    await expect(lone).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
  });

  it('cancel sends { id, type: "cancel" } and rejects at once; late frames for it are ignored', async () => {
    const { companion, port } = setup();
    const controller = new AbortController();
    const preview = companion.request('doctor', { connection: { endpoint: 'e', bucket: 'b', accessKeyId: 'a', secretAccessKey: 's' } }, { signal: controller.signal });
    controller.abort();
    await expect(preview).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(port().sent.at(-1)).toEqual({ id: 'r1', type: 'cancel' });
    expect(companion.pendingCount).toBe(0);
    port().reply({ id: 'r1', error: { code: 'CANCELLED', message: 'Cancelled.' } });
  });

  it('times out locally when the host never answers, and tells the host to stop', async () => {
    vi.useFakeTimers();
    const { companion, port } = setup();
    const reply = companion.request('ping', {}, { timeoutMs: 1000 });
    const expectation = expect(reply).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(1000 + LOCAL_TIMEOUT_GRACE_MS);
    await expectation;
    expect(port().sent.at(-1)).toEqual({ id: 'r1', type: 'cancel' });
  });

  it('a closed port fails every pending request with COMPANION_UNAVAILABLE naming the install command, then reopens', async () => {
    const { companion, ports, port, setLastError } = setup();
    const first = companion.request('ping', {});
    const second = companion.request('ping', {});
    setLastError('Specified native messaging host not found.');
    port().close();
    await expect(first).rejects.toMatchObject({ code: 'COMPANION_UNAVAILABLE', message: expect.stringMatching(/not installed.*npx connect-guard install-host/) });
    await expect(second).rejects.toMatchObject({ code: 'COMPANION_UNAVAILABLE' });
    expect(companion.isOpen).toBe(false);
    setLastError(undefined);
    const third = companion.request('ping', {});
    expect(ports).toHaveLength(2);
    port().reply({ id: 'r3', ok: { version: '1', protocolVersion: 2, pid: 1 }, chunks: 0 });
    await expect(third).resolves.toMatchObject({ version: '1' });
  });

  it('lets a host that refuses this extension go, so the next request starts a new one', async () => {
    const { companion, ports, port } = setup();
    const refused = companion.request('ping', {});
    port().reply({ id: 'r1', error: { code: 'FORBIDDEN_SENDER', message: 'The companion host serves only other@example.com.' } });
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN_SENDER' });
    expect(ports[0]?.disconnected).toBe(true);
    const next = companion.request('ping', {});
    expect(ports).toHaveLength(2);
    port().reply({ id: 'r2', ok: { version: '1', protocolVersion: 2, pid: 1 }, chunks: 0 });
    await expect(next).resolves.toMatchObject({ version: '1' });
  });

  it('names Firefox\'s reason on the port itself (no runtime.lastError there)', async () => {
    const { companion, port } = setup();
    const reply = companion.request('ping', {});
    Object.assign(port(), { error: { message: 'No such native application com.connect_guard.companion' } });
    port().close();
    await expect(reply).rejects.toMatchObject({ code: 'COMPANION_UNAVAILABLE', message: expect.stringMatching(/not registered for Firefox.*install-host --browser firefox/) });
  });

  it('names a forbidden host (installed for another extension id)', async () => {
    const { companion, port, setLastError } = setup();
    const reply = companion.request('ping', {});
    setLastError('Access to the specified native messaging host is forbidden.');
    port().close();
    await expect(reply).rejects.toMatchObject({ code: 'COMPANION_UNAVAILABLE', message: expect.stringMatching(/another extension id.*install-host/) });
  });

  it('a throwing chunk callback fails its request and cancels it on the host, the port stays usable', async () => {
    const { companion, port } = setup();
    const preview = companion.request(
      'diff.preview',
      { connection: { endpoint: 'e', bucket: 'b', accessKeyId: 'a', secretAccessKey: 's' }, wesendit: { kind: 'inline', entries: [] } },
      {
        onChunk: () => {
          throw new Error('out of room');
        },
      },
    );
    port().reply({ id: 'r1', event: 'chunk', seq: 0, data: [row] });
    await expect(preview).rejects.toMatchObject({ code: 'INTERNAL', message: 'out of room' });
    expect(port().sent.at(-1)).toEqual({ id: 'r1', type: 'cancel' });
    const ping = companion.request('ping', {});
    port().reply({ id: 'r2', ok: { version: '1', protocolVersion: 2, pid: 1 }, chunks: 0 });
    await expect(ping).resolves.toBeDefined();
  });

  it('closes an idle port after idleCloseMs, not while a request runs', async () => {
    vi.useFakeTimers();
    const { companion, port } = setup({ idleCloseMs: 100 });
    const reply = companion.request('ping', {});
    await vi.advanceTimersByTimeAsync(500);
    expect(port().disconnected).toBe(false);
    port().reply({ id: 'r1', ok: { version: '1', protocolVersion: 2, pid: 1 }, chunks: 0 });
    await reply;
    await vi.advanceTimersByTimeAsync(100);
    expect(port().disconnected).toBe(true);
    expect(companion.isOpen).toBe(false);
  });
});
