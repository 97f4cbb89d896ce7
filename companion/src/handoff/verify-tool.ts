/**
 * Proves a tool authenticates with the key it now holds: the real rclone lists the bucket through
 * the remote, the real AWS CLI through the profile (its credential_process reading the tool key
 * file). The secrets reach the child only in its environment, for that one run, and are taken out
 * of anything it prints before it is reported.
 */
import { execFile } from 'node:child_process';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { findTool } from './find-tool.ts';
import type { HandoffEntry } from './tool-index.ts';
import type { Env } from './tool-paths.ts';

export interface ToolCheck {
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly message: string;
}

const CHECK_TIMEOUT_MS = 60_000;

/** Variables that would make the tool use other keys or another config than the one checked. */
const OVERRIDES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_CA_BUNDLE', 'RCLONE_PASSWORD_COMMAND', 'RCLONE_CONFIG_PASS', 'RCLONE_CONFIG'];

function cleanEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !OVERRIDES.includes(key) && !/^RCLONE_CONFIG_/.test(key)) out[key] = value;
  }
  return out;
}

function runTool(file: string, args: readonly string[], env: Record<string, string>, secrets: readonly string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, [...args], { env, timeout: CHECK_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
      let output = stderr.trim();
      for (const secret of secrets) if (secret !== '') output = output.replaceAll(secret, '[hidden]');
      const lines = output.split('\n').filter((line) => line.trim() !== '');
      resolve({ ok: error === null, output: lines.slice(-3).join(' ').slice(0, 400) });
    });
  });
}

export interface VerifyToolInput {
  readonly entry: HandoffEntry;
  readonly env: Env;
  /** rclone: the config password (from the tool key file). */
  readonly rclonePassword?: string;
  /** aws: the passphrase the credential_process needs. */
  readonly toolPassphrase?: string;
  /** Removed from any output reported. */
  readonly secrets: readonly string[];
}

export async function verifyTool({ entry, env, rclonePassword, toolPassphrase, secrets }: VerifyToolInput): Promise<ToolCheck> {
  const tool = await findTool(entry.tool, env);
  if (tool === undefined) return { status: 'skipped', message: `${entry.tool} is not on PATH here, so it could not be run to check the new key.` };
  const base = cleanEnv(env);
  if (entry.tool === 'rclone') {
    const result = await runTool(tool, ['lsf', '--max-depth', '1', '--ask-password=false', '--low-level-retries', '2', '--retries', '1', `${entry.name}:`], { ...base, RCLONE_CONFIG: entry.configPath, RCLONE_CONFIG_PASS: rclonePassword ?? '' }, [...secrets, rclonePassword ?? '']);
    return result.ok
      ? { status: 'ok', message: `rclone listed ${entry.bucket} through "${entry.name}:" with the new key.` }
      : { status: 'failed', message: `rclone could not list ${entry.bucket} through "${entry.name}:": ${result.output || 'no message'}` };
  }
  const result = await runTool(
    tool,
    ['s3api', 'list-objects-v2', '--bucket', entry.bucket, '--max-items', '1', '--profile', entry.name, '--endpoint-url', parseEndpoint(entry.endpoint).url],
    { ...base, AWS_CONFIG_FILE: entry.configPath, AWS_EC2_METADATA_DISABLED: 'true', CONNECT_GUARD_TOOL_PASSPHRASE: toolPassphrase ?? '' },
    [...secrets, toolPassphrase ?? ''],
  );
  return result.ok
    ? { status: 'ok', message: `The AWS CLI listed ${entry.bucket} with profile "${entry.name}" and the new key.` }
    : { status: 'failed', message: `The AWS CLI could not list ${entry.bucket} with profile "${entry.name}": ${result.output || 'no message'}` };
}
