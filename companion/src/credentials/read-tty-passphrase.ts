/**
 * Asks for a passphrase on the controlling terminal (/dev/tty) rather than stdin/stderr: the
 * tools that run `connect-guard credential-process` (AWS CLI) and `rclone-config-password`
 * (rclone) capture the child's output, so a prompt on stderr would never be seen. Without a
 * terminal (cron, CI) there is nobody to ask: the caller says which variable to set instead.
 */
import { openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { readHiddenLine } from './read-hidden-line.ts';

export async function readTtyPassphrase(prompt: string, missingHint: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new ConnectGuardError('MISSING_CREDENTIALS', `No terminal to ask for the passphrase on. ${missingHint}`);
  }
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  try {
    return await readHiddenLine(prompt, input, output);
  } finally {
    input.destroy();
    output.destroy();
  }
}
