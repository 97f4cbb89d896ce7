/**
 * How the tools start connect-guard (rclone's password command, the AWS CLI's
 * credential_process): this Node and this checkout's bin, by absolute path, since a tool runs it
 * without the user's shell setup.
 */
import { fileURLToPath } from 'node:url';

export function companionCommandWords(): readonly string[] {
  return [process.execPath, fileURLToPath(new URL('../../bin/connect-guard.js', import.meta.url))];
}
