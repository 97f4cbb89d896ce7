/**
 * The companion's second front door: the native-messaging host the browser starts for the
 * extension (`connect-guard host`). It talks only over stdin/stdout frames: no listening socket,
 * so the browser's check of the extension id is the only way in.
 */
import type { Readable, Writable } from 'node:stream';
import type { ErrorData } from '../../shared/errors.ts';
import { HostLog } from './host/host-log.ts';
import { serveNativeHost, type CompanionHandlers } from './host/serve-native-host.ts';

export interface RunHostInput {
  /**
   * The host's arguments: `--allowed-origin chrome-extension://ID/` (repeatable, written into the
   * launcher by `install-host`), then what the browser appends: the caller's origin and, on
   * Windows, `--parent-window=N`.
   */
  readonly argv: readonly string[];
  readonly stdin: Readable;
  readonly stdout: Writable;
  /** Where the host logs (never stdout); none to stay silent. */
  readonly stderr?: Writable;
  readonly handlers: CompanionHandlers;
}

export interface HostArguments {
  readonly allowedOrigins: readonly string[];
  /** The origin the browser says started the host, when it passed one. */
  readonly callerOrigin: string | undefined;
}

const EXTENSION_ORIGIN = /^chrome-extension:\/\/[a-p]{32}\/$/;

/** Reads the host's arguments; unknown ones are ignored (browsers add their own). */
export function parseHostArguments(argv: readonly string[]): HostArguments {
  const allowedOrigins: string[] = [];
  let callerOrigin: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    if (argument === '--allowed-origin') {
      const value = argv[i + 1];
      if (value !== undefined) allowedOrigins.push(value);
      i += 1;
    } else if (argument.startsWith('--allowed-origin=')) {
      allowedOrigins.push(argument.slice('--allowed-origin='.length));
    } else if (callerOrigin === undefined && !argument.startsWith('-')) {
      callerOrigin = argument;
    }
  }
  return { allowedOrigins, callerOrigin };
}

/** Why this caller is refused, or undefined when the host serves it. */
export function refusalFor({ allowedOrigins, callerOrigin }: HostArguments): ErrorData | undefined {
  if (allowedOrigins.length === 0) {
    return {
      code: 'FORBIDDEN_SENDER',
      message: 'The companion host was started without --allowed-origin, so it serves no extension. Run "connect-guard install-host" to register it for Connect Guard.',
    };
  }
  if (callerOrigin === undefined || !EXTENSION_ORIGIN.test(callerOrigin) || !allowedOrigins.includes(callerOrigin)) {
    return {
      code: 'FORBIDDEN_SENDER',
      message: `The companion host serves only ${allowedOrigins.join(', ')}, not ${callerOrigin ?? 'a caller without an origin'}. Run "connect-guard install-host --extension-id ID" for this extension.`,
    };
  }
  return undefined;
}

/**
 * Serves the browser until it closes stdin. A caller whose origin was not installed gets a
 * `FORBIDDEN_SENDER` error reply to every message; then the host exits. A length header over
 * the limit ends serving at once (the stream is out of step). Returns the exit code: 0 when the
 * browser closed the port, 1 for a refused caller or a stream out of step.
 */
export async function runHost({ argv, stdin, stdout, stderr, handlers }: RunHostInput): Promise<number> {
  const log = new HostLog(stderr);
  const args = parseHostArguments(argv);
  const refusal = refusalFor(args);
  log.write(refusal ? 'refusing caller' : 'serving', { origin: args.callerOrigin ?? null, pid: process.pid });
  const end = await serveNativeHost({ input: stdin, output: stdout, handlers, log, ...(refusal ? { refusal } : {}) });
  log.write(end === 'eof' ? 'stdin closed, exiting' : 'stream out of step, exiting');
  return refusal || end !== 'eof' ? 1 : 0;
}
