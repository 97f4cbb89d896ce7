/**
 * Where the external tools and Connect Guard's own hand-off files live, from the environment as
 * each tool reads it: rclone's `RCLONE_CONFIG` (else `$XDG_CONFIG_HOME/rclone/rclone.conf`, else
 * `~/.config/rclone/rclone.conf`), the AWS CLI's `AWS_CONFIG_FILE` and
 * `AWS_SHARED_CREDENTIALS_FILE` (else `~/.aws/…`), mc's `~/.mc/config.json`, and Connect Guard's
 * `CONNECT_GUARD_CONFIG_DIR` (else `$XDG_CONFIG_HOME/connect-guard`, else `~/.config/connect-guard`).
 */
import { isAbsolute, join } from 'node:path';
import { ConnectGuardError } from '../../../shared/errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

function absolute(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' && isAbsolute(value) ? value : undefined;
}

export function homeOf(env: Env): string {
  const home = absolute(env.HOME);
  if (home === undefined) throw new ConnectGuardError('INVALID_INPUT', 'HOME is not set to an absolute path, so the tools\' config files cannot be found. Set HOME and run again.');
  return home;
}

function configHome(env: Env): string {
  return absolute(env.XDG_CONFIG_HOME) ?? join(homeOf(env), '.config');
}

/** Connect Guard's folder for hand-off files (tool-keys.json, tools.json). */
export function connectGuardConfigDir(env: Env): string {
  return absolute(env.CONNECT_GUARD_CONFIG_DIR) ?? join(configHome(env), 'connect-guard');
}

/** The encrypted key file the tools read their secrets from (vault export format, FORMAT.md). */
export function toolKeysPath(env: Env): string {
  return join(connectGuardConfigDir(env), 'tool-keys.json');
}

/** The list of hand-offs, without secrets. */
export function toolIndexPath(env: Env): string {
  return join(connectGuardConfigDir(env), 'tools.json');
}

export function rcloneConfigPath(env: Env): string {
  return absolute(env.RCLONE_CONFIG) ?? join(configHome(env), 'rclone', 'rclone.conf');
}

export function awsConfigPath(env: Env): string {
  return absolute(env.AWS_CONFIG_FILE) ?? join(homeOf(env), '.aws', 'config');
}

export function awsCredentialsPath(env: Env): string {
  return absolute(env.AWS_SHARED_CREDENTIALS_FILE) ?? join(homeOf(env), '.aws', 'credentials');
}

export function mcConfigPath(env: Env): string {
  return join(homeOf(env), '.mc', 'config.json');
}
