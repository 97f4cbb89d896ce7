import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { FrameReader, encodeFrame } from '../../companion/src/host/native-messaging.ts';
import { parseHostMessage } from '../../shared/protocol/companion-guards.ts';
import type { HostToExtensionMessage } from '../../shared/protocol/companion-protocol.ts';

export interface NativeHostProcessOptions {
  /** The host's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** The largest frame read back; the host never sends more than Chromium's 1 MB. */
  readonly maxFrameBytes?: number;
}

/**
 * A native-messaging host process driven as the browser drives it: framed messages on stdin,
 * every frame on stdout parsed and checked against the companion protocol.
 */
export function spawnNativeHostProcess(command: string, args: readonly string[], options: NativeHostProcessOptions = {}) {
  const child: ChildProcessWithoutNullStreams = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
  const reader = new FrameReader(options.maxFrameBytes ?? 64 * 1024 * 1024);
  const received: HostToExtensionMessage[] = [];
  const frameBytes: number[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      // Anything on stdout that is not a valid frame would break the browser's channel.
      if (frame.kind !== 'message') throw new Error(`not a frame on stdout: ${JSON.stringify(frame)}`);
      frameBytes.push(frame.bytes);
      const parsed = parseHostMessage(frame.value);
      if (!parsed.ok) throw new Error(parsed.problem);
      received.push(parsed.value);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (predicate: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => (predicate() ? resolve() : void waiters.push(check));
      check();
    });
  const isFinal = (id: string | null) => (message: HostToExtensionMessage) => message.id === id && ('ok' in message || 'error' in message);
  return {
    child,
    received,
    /** The size of each frame read, in order. */
    frameBytes,
    send: (message: unknown) => child.stdin.write(encodeFrame(message)),
    sendRaw: (bytes: Buffer) => child.stdin.write(bytes),
    waitFor,
    /** The final reply (ok or error) to request `id`, once it arrives. */
    final: async (id: string | null): Promise<HostToExtensionMessage> => {
      await waitFor(() => received.some(isFinal(id)));
      const found = received.find(isFinal(id));
      if (!found) throw new Error('unreachable');
      return found;
    },
    /** The exit code, once the process has ended (by itself or after `close`). */
    exited,
    /** Closes stdin, as the browser does when the port closes, and waits for the exit code. */
    close: async () => {
      child.stdin.end();
      return exited;
    },
    stderr: () => stderr,
  };
}
