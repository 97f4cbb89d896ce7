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
   * The host's arguments: `--allowed-origin chrome-extension://ID/` or, for Firefox,
   * `--allowed-extension ID` (repeatable, written into the launcher by `install-host`), then what
   * the browser appends: Chromium the caller's origin (and on Windows `--parent-window=N`),
   * Firefox the host manifest's path and the caller's add-on id.
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
  /** Firefox add-on ids the host serves. */
  readonly allowedExtensions: readonly string[];
  /** The origin Chromium says started the host, when it passed one. */
  readonly callerOrigin: string | undefined;
  /** The add-on id Firefox says started the host (its second argument, after the manifest path). */
  readonly callerExtensionId?: string;
}

const EXTENSION_ORIGIN = /^chrome-extension:\/\/[a-p]{32}\/$/;

/** Reads the host's arguments; unknown ones are ignored (browsers add their own). */
export function parseHostArguments(argv: readonly string[]): HostArguments {
  const allowedOrigins: string[] = [];
  const allowedExtensions: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    const option = (['--allowed-origin', '--allowed-extension'] as const).find((name) => argument === name || argument.startsWith(`${name}=`));
    if (option !== undefined) {
      const value = argument === option ? argv[i + 1] : argument.slice(option.length + 1);
      if (argument === option) i += 1;
      if (value !== undefined) (option === '--allowed-origin' ? allowedOrigins : allowedExtensions).push(value);
    } else if (!argument.startsWith('-')) {
      positionals.push(argument);
    }
  }
  const [first, second] = positionals;
  // Firefox: [path of the host manifest, add-on id]. Chromium: [origin] — never a .json path.
  if (first !== undefined && second !== undefined && first.endsWith('.json') && !first.includes('://')) {
    return { allowedOrigins, allowedExtensions, callerOrigin: undefined, callerExtensionId: second };
  }
  return { allowedOrigins, allowedExtensions, callerOrigin: first };
}

/** Why this caller is refused, or undefined when the host serves it. */
export function refusalFor({ allowedOrigins, allowedExtensions, callerOrigin, callerExtensionId }: HostArguments): ErrorData | undefined {
  if (allowedOrigins.length === 0 && allowedExtensions.length === 0) {
    return {
      code: 'FORBIDDEN_SENDER',
      message: 'The companion host was started without --allowed-origin, so it serves no extension. Run "connect-guard install-host" to register it for Connect Guard.',
    };
  }
  if (callerExtensionId !== undefined) {
    // Exact match only: Firefox names the add-on that asked, and only ours is served.
    if (allowedExtensions.includes(callerExtensionId)) return undefined;
    return {
      code: 'FORBIDDEN_SENDER',
      message: `The companion host serves only ${[...allowedExtensions, ...allowedOrigins].join(', ') || 'no Firefox add-on'}, not the add-on ${callerExtensionId}. Run "connect-guard install-host --browser firefox" for Connect Guard.`,
    };
  }
  if (callerOrigin === undefined || !EXTENSION_ORIGIN.test(callerOrigin) || !allowedOrigins.includes(callerOrigin)) {
    return {
      code: 'FORBIDDEN_SENDER',
      message: `The companion host serves only ${[...allowedOrigins, ...allowedExtensions].join(', ')}, not ${callerOrigin ?? 'a caller without an origin'}. Run "connect-guard install-host --extension-id ID" for this extension.`,
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
  log.write(refusal ? 'refusing caller' : 'serving', { origin: args.callerOrigin ?? null, ...(args.callerExtensionId === undefined ? {} : { extension: args.callerExtensionId }), pid: process.pid });
  const end = await serveNativeHost({ input: stdin, output: stdout, handlers, log, ...(refusal ? { refusal } : {}) });
  log.write(end === 'eof' ? 'stdin closed, exiting' : 'stream out of step, exiting');
  return refusal || end !== 'eof' ? 1 : 0;
}
