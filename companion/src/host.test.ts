import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../shared/errors.ts';
import { DEV_EXTENSION_ID, FIREFOX_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { CHROMIUM_MAX_HOST_MESSAGE_BYTES, type HostToExtensionMessage } from '../../shared/protocol/companion-protocol.ts';
import { parseHostMessage } from '../../shared/protocol/companion-guards.ts';
import { parseHostArguments, refusalFor, runHost } from './host.ts';
import { FrameReader, encodeFrame } from './host/native-messaging.ts';
import type { CompanionHandlers } from './host/serve-native-host.ts';

const DEV_ORIGIN_FOR_TESTS = `chrome-extension://${DEV_EXTENSION_ID}/`;

/** A host on in-memory pipes, and a client that reads its frames as the browser would. */
function startHost(handlers: CompanionHandlers, argv: readonly string[] = ['--allowed-origin', DEV_ORIGIN_FOR_TESTS, DEV_ORIGIN_FOR_TESTS]) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let log = '';
  stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const received: HostToExtensionMessage[] = [];
  const frameSizes: number[] = [];
  const waiters: (() => void)[] = [];
  const reader = new FrameReader(64 * 1024 * 1024);
  stdout.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      if (frame.kind !== 'message') throw new Error(`host wrote a bad frame: ${JSON.stringify(frame)}`);
      frameSizes.push(frame.bytes);
      const parsed = parseHostMessage(frame.value);
      if (!parsed.ok) throw new Error(`host wrote an invalid message: ${parsed.problem}`);
      received.push(parsed.value);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const exit = runHost({ argv, stdin, stdout, stderr, handlers });
  /** Resolves with the final reply (ok or error) for `id`. */
  const finalFor = (id: string | null): Promise<HostToExtensionMessage> =>
    new Promise((resolve) => {
      const check = (): void => {
        const found = received.find((message) => message.id === id && ('ok' in message || 'error' in message));
        if (found) resolve(found);
        else waiters.push(check);
      };
      check();
    });
  return {
    send: (message: unknown) => stdin.write(encodeFrame(message)),
    sendRaw: (bytes: Buffer) => stdin.write(bytes),
    finalFor,
    /** runHost's exit code, once it returns. */
    exit,
    received,
    frameSizes,
    end: async () => {
      stdin.end();
      return exit;
    },
    log: () => log,
  };
}

const pingHandlers: CompanionHandlers = { ping: async () => ({ version: '9.9.9', protocolVersion: 1, pid: 42 }) };

describe('runHost', () => {
  it('answers ping and exits 0 on EOF', async () => {
    const host = startHost(pingHandlers);
    host.send({ id: 'a', type: 'ping', data: {}, timeoutMs: 1000 });
    expect(await host.finalFor('a')).toEqual({ id: 'a', ok: { version: '9.9.9', protocolVersion: 1, pid: 42 }, chunks: 0 });
    expect(await host.end()).toBe(0);
  });

  it('refuses a frame over the limit and closes: the stream is out of step, nothing after it is read', async () => {
    const host = startHost(pingHandlers);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(9 * 1024 * 1024, 0);
    host.sendRaw(Buffer.concat([header, encodeFrame({ id: 'after', type: 'ping', data: {}, timeoutMs: 1000 })]));
    expect(await host.finalFor(null)).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/exceeds the companion's limit.*closes the connection/) } });
    // runHost returns without stdin being closed.
    expect(await host.exit).toBe(1);
    expect(host.received.some((message) => message.id === 'after')).toBe(false);
    expect(host.log()).toMatch(/stream out of step, exiting/);
  });

  it('answers malformed, unknown and id-less frames with errors and keeps serving', async () => {
    const host = startHost(pingHandlers);
    const body = Buffer.from('{"id":"bad-json","type":', 'utf8');
    const bodyHeader = Buffer.alloc(4);
    bodyHeader.writeUInt32LE(body.length, 0);
    host.sendRaw(Buffer.concat([bodyHeader, body]));
    host.send({ id: 'u', type: 'rm -rf', data: {}, timeoutMs: 5 });
    host.send({ type: 'ping', data: {}, timeoutMs: 5 });
    host.send({ id: 'no-handler', type: 'inventory.upload', data: { uploadId: 'x', entries: [] }, timeoutMs: 5 });
    expect(await host.finalFor('bad-json')).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/not valid JSON/) } });
    expect(await host.finalFor('u')).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/Unknown request type/) } });
    expect(await host.finalFor(null)).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/needs an "id"/) } });
    expect(await host.finalFor('no-handler')).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/does not serve/) } });
    host.send({ id: 'still-alive', type: 'ping', data: {}, timeoutMs: 1000 });
    expect(await host.finalFor('still-alive')).toMatchObject({ ok: { pid: 42 } });
    expect(await host.end()).toBe(0);
  });

  it('refuses every message from an origin it was not installed for, then exits', async () => {
    let called = false;
    const host = startHost({ ping: async () => ((called = true), { version: '1', protocolVersion: 1, pid: 1 }) }, ['--allowed-origin', DEV_ORIGIN_FOR_TESTS, 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/']);
    host.send({ id: 'p1', type: 'ping', data: {}, timeoutMs: 1000 });
    host.send({ id: 'p2', type: 'ping', data: {}, timeoutMs: 1000 });
    expect(await host.finalFor('p1')).toMatchObject({ error: { code: 'FORBIDDEN_SENDER', message: expect.stringMatching(/serves only chrome-extension:\/\/mmdd/) } });
    expect(await host.finalFor('p2')).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(called).toBe(false);
    expect(await host.end()).toBe(1);
  });

  it('cancels a running request: error reply CANCELLED, the handler sees its signal aborted', async () => {
    let reason: unknown;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const host = startHost({
      ...pingHandlers,
      'diff.preview': (_data, context) =>
        new Promise((_resolve, reject) => {
          started();
          context.signal.addEventListener('abort', () => {
            reason = context.signal.reason;
            reject(context.signal.reason);
          });
        }),
    });
    host.send({ id: 'long', type: 'diff.preview', data: { connection: { endpoint: 'e', bucket: 'b', accessKeyId: 'a', secretAccessKey: 's' }, wesendit: { kind: 'inline', entries: [] } }, timeoutMs: 60_000 });
    await running;
    host.send({ id: 'long', type: 'cancel' });
    expect(await host.finalFor('long')).toEqual({ id: 'long', error: { code: 'CANCELLED', message: 'Cancelled.' } });
    expect(reason).toBeInstanceOf(ConnectGuardError);
    // Exactly one final reply, even though the handler rejected after the cancel.
    await host.end();
    expect(host.received.filter((message) => message.id === 'long')).toHaveLength(1);
  });

  it('cancels what still runs when the browser closes stdin, and exits', async () => {
    let reason: unknown;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const host = startHost({
      ping: (_data, context) =>
        new Promise((_resolve, reject) => {
          started();
          context.signal.addEventListener('abort', () => {
            reason = context.signal.reason;
            reject(context.signal.reason);
          });
        }),
    });
    host.send({ id: 'slow', type: 'ping', data: {}, timeoutMs: 60_000 });
    await running;
    expect(await host.end()).toBe(0);
    expect(reason).toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(/closed the connection/) });
  });

  it('times a request out: error reply TIMEOUT and the handler is aborted', async () => {
    let aborted = false;
    const host = startHost({
      ping: (_data, context) =>
        new Promise((resolve) => {
          context.signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ version: 'late', protocolVersion: 1, pid: 1 });
          });
        }),
    });
    host.send({ id: 't', type: 'ping', data: {}, timeoutMs: 30 });
    expect(await host.finalFor('t')).toMatchObject({ id: 't', error: { code: 'TIMEOUT', message: expect.stringMatching(/within 30 ms/) } });
    await host.end();
    expect(aborted).toBe(true);
    expect(host.received.filter((message) => message.id === 't')).toHaveLength(1);
  });

  it('streams a result over 1 MB as ordered chunk frames under 1 MB that reassemble exactly', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => ({ key: `folder/${i}-${'ü'.repeat(30)}`, class: 'only-in-bucket' as const, reason: 'only in the bucket', bucket: { key: `folder/${i}`, size: i }, wesendit: undefined, outcome: undefined, lookalikeOf: undefined }));
    const host = startHost({
      'diff.preview': async (_data, context) => {
        await context.progress({ phase: 'listing', objects: 0, bytes: 0, rate: 0, elapsedMs: 0 });
        await context.chunk(rows);
        return { totals: emptyTotals(), rows: rows.length, bucketObjects: rows.length, wesenditObjects: 0, elapsedMs: 1 };
      },
    });
    host.send({ id: 'big', type: 'diff.preview', data: { connection: { endpoint: 'e', bucket: 'b', accessKeyId: 'a', secretAccessKey: 's' }, wesendit: { kind: 'inline', entries: [] } }, timeoutMs: 60_000 });
    const final = await host.finalFor('big');
    await host.end();
    const chunks = host.received.flatMap((message) => ('event' in message && message.event === 'chunk' ? [message] : []));
    expect(Buffer.byteLength(JSON.stringify(rows))).toBeGreaterThan(CHROMIUM_MAX_HOST_MESSAGE_BYTES);
    expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_chunk, i) => i));
    expect(final).toMatchObject({ chunks: chunks.length });
    expect(chunks.flatMap((chunk) => chunk.data as unknown[])).toEqual(rows);
    expect(Math.max(...host.frameSizes)).toBeLessThan(CHROMIUM_MAX_HOST_MESSAGE_BYTES / 2);
    expect(host.received[0]).toMatchObject({ event: 'progress' });
  });

  it('logs request types to stderr but never data, and a secret never reaches the log', async () => {
    const secret = 'fake-secret-never-logged-123';
    const host = startHost({ 'diff.preview': async () => Promise.reject(new ConnectGuardError('WRONG_SECRET_KEY', 'The Secret Key is wrong.')) });
    host.send({ id: 's', type: 'diff.preview', data: { connection: { endpoint: 'e', bucket: 'b', accessKeyId: 'a', secretAccessKey: secret }, wesendit: { kind: 'inline', entries: [] } }, timeoutMs: 1000 });
    expect(await host.finalFor('s')).toMatchObject({ error: { code: 'WRONG_SECRET_KEY' } });
    await host.end();
    expect(host.log()).toMatch(/request.*diff\.preview/);
    expect(host.log()).not.toContain(secret);
  });
});

describe('host arguments', () => {
  it('reads --allowed-origin (both spellings) and the caller origin the browser appends', () => {
    expect(parseHostArguments(['--allowed-origin', 'chrome-extension://a/', '--allowed-origin=chrome-extension://b/', 'chrome-extension://a/', '--parent-window=0'])).toEqual({
      allowedOrigins: ['chrome-extension://a/', 'chrome-extension://b/'],
      allowedExtensions: [],
      callerOrigin: 'chrome-extension://a/',
    });
  });

  it('reads --allowed-extension and Firefox\'s [manifest path, add-on id]', () => {
    expect(parseHostArguments(['--allowed-extension', FIREFOX_EXTENSION_ID, '/home/u/.mozilla/native-messaging-hosts/h.json', FIREFOX_EXTENSION_ID])).toEqual({
      allowedOrigins: [],
      allowedExtensions: [FIREFOX_EXTENSION_ID],
      callerOrigin: undefined,
      callerExtensionId: FIREFOX_EXTENSION_ID,
    });
  });

  it('serves Firefox\'s caller when it is the installed add-on id', () => {
    expect(refusalFor(parseHostArguments(['--allowed-extension', FIREFOX_EXTENSION_ID, '/h/.mozilla/native-messaging-hosts/h.json', FIREFOX_EXTENSION_ID]))).toBeUndefined();
  });

  it.each([
    ['another add-on', ['--allowed-extension', FIREFOX_EXTENSION_ID, '/h/m.json', 'evil@example.com'], /not the add-on evil@example\.com/],
    ['a prefix of the id', ['--allowed-extension', FIREFOX_EXTENSION_ID, '/h/m.json', FIREFOX_EXTENSION_ID.slice(0, -1)], /serves only/],
    ['Firefox arguments at a Chromium launcher', ['--allowed-origin', DEV_ORIGIN_FOR_TESTS, '/h/m.json', FIREFOX_EXTENSION_ID], /not the add-on/],
    ['a Chromium origin at a Firefox launcher', ['--allowed-extension', FIREFOX_EXTENSION_ID, DEV_ORIGIN_FOR_TESTS], /serves only/],
    ['the add-on id where Chromium puts the origin', ['--allowed-extension', FIREFOX_EXTENSION_ID, FIREFOX_EXTENSION_ID], /serves only/],
  ])('refuses %s', (_name, argv, message) => {
    expect(refusalFor(parseHostArguments(argv))).toMatchObject({ code: 'FORBIDDEN_SENDER', message: expect.stringMatching(message) });
  });

  it.each([
    ['no allowed origin', [DEV_ORIGIN_FOR_TESTS], /without --allowed-origin/],
    ['no caller origin', ['--allowed-origin', DEV_ORIGIN_FOR_TESTS], /not a caller without an origin/],
    ['a web origin', ['--allowed-origin', DEV_ORIGIN_FOR_TESTS, 'https://evil.example/'], /not https:\/\/evil\.example\//],
    ['the id without the trailing slash', ['--allowed-origin', DEV_ORIGIN_FOR_TESTS, DEV_ORIGIN_FOR_TESTS.slice(0, -1)], /serves only/],
  ])('refuses %s', (_name, argv, message) => {
    expect(refusalFor(parseHostArguments(argv))).toMatchObject({ code: 'FORBIDDEN_SENDER', message: expect.stringMatching(message) });
  });

  it('serves the installed origin', () => {
    expect(refusalFor(parseHostArguments(['--allowed-origin', DEV_ORIGIN_FOR_TESTS, DEV_ORIGIN_FOR_TESTS]))).toBeUndefined();
  });
});

function emptyTotals() {
  const none = { objects: 0, bucketBytes: 0, wesenditBytes: 0 };
  const risk = { objects: 0, bytes: 0, undecided: 0 };
  return {
    classes: { 'only-in-bucket': none, 'only-in-wesendit': none, same: none, conflict: none, unknown: none },
    objects: 0,
    atRisk: { newerWins: risk, wesenditWins: risk, unknownNewerWins: risk, unknownWesenditWins: risk },
    lookalikes: 0,
    examples: { conflict: [], unknown: [], lookalike: [] },
  };
}
