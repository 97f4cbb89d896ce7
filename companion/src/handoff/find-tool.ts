/**
 * Finds an external tool on PATH, as a shell would, so a hand-off never writes a config for a tool
 * that is not there and the rotation's check runs the same program the user does.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { Env } from './tool-paths.ts';

const INSTALL: Record<string, string> = {
  rclone: 'Debian/Ubuntu: sudo apt-get install rclone (or see rclone\'s install page)',
  aws: 'Debian/Ubuntu: sudo apt-get install awscli (or AWS\'s installer for AWS CLI v2)',
};

/** The tool's absolute path, or undefined. */
export async function findTool(name: string, env: Env): Promise<string | undefined> {
  for (const folder of (env.PATH ?? '').split(delimiter)) {
    if (folder === '' || !isAbsolute(folder)) continue;
    const candidate = join(folder, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Like {@link findTool}, but TOOL_NOT_INSTALLED with the install command when missing. */
export async function getTool(name: 'rclone' | 'aws', env: Env): Promise<string> {
  const found = await findTool(name, env);
  if (found === undefined) {
    throw new ConnectGuardError('TOOL_NOT_INSTALLED', `${name} is not installed (not found on PATH). Nothing was written. Install it (${INSTALL[name] ?? name}) and run again.`);
  }
  return found;
}
