import { runHost } from '../host.ts';
import type { CliIo } from '../cli/cli-io.ts';
import { createHostHandlers } from './host-handlers.ts';

export const HOST_HELP = `Usage: connect-guard host --allowed-origin chrome-extension://ID/

The native-messaging host the browser starts for the Connect Guard extension; not for use on a
terminal. "connect-guard install-host" registers it. It reads and writes length-prefixed JSON on
stdin/stdout, serves only the extension origins given with --allowed-origin, and exits when the
browser closes the connection.
`;

/**
 * \`connect-guard host …\`: serves the browser on the process's stdio. stdout carries frames only,
 * so console output of any module is sent to stderr for the life of the host.
 */
export async function runHostCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(HOST_HELP);
    return 0;
  }
  const toStderr = (...values: unknown[]): void => {
    io.stderr.write(`${values.map(String).join(' ')}\n`);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  const code = await runHost({ argv: args, stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, handlers: createHostHandlers() });
  // The browser is gone once stdin ends; a keep-alive socket of an S3 client must not keep an
  // orphan host alive. Unref'd: a process with nothing left exits at once without it.
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}
