/**
 * The help article's "Files are missing after connecting → compare the bucket name with the entry
 * in your external tool", done for the user: every rclone remote, AWS profile and mc alias that
 * uses the storage's Access Key is compared with the storage's S3 API Bucket Name and S3 Server
 * Address, and a mismatch is named with its fix. Sources: Connect Guard's list of hand-offs (no
 * secret needed), the rclone config (when plain, or when its password is at hand), the AWS CLI's
 * credentials file and mc's config (both plain text: a key found there is reported too).
 */
import { readFile } from 'node:fs/promises';
import { normaliseServerAddress } from '../../../shared/vault-format/storage-record.ts';
import { parseIniFile, type IniFile } from './ini-sections.ts';
import { decryptRcloneConfig, rcloneConfigKind } from './rclone-config-crypt.ts';
import { readToolIndex, type HandoffEntry } from './tool-index.ts';
import { awsCredentialsPath, mcConfigPath, rcloneConfigPath, toolIndexPath, type Env } from './tool-paths.ts';

export interface ToolConfigFinding {
  readonly tool: 'rclone' | 'aws' | 'mc';
  /** The remote, profile or alias. */
  readonly name: string;
  readonly configPath: string;
  readonly status: 'pass' | 'fail' | 'warn' | 'skip';
  readonly message: string;
}

export interface CheckToolConfigsInput {
  readonly env: Env;
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKey: string;
  /** Passwords to try on an encrypted rclone config (RCLONE_CONFIG_PASS, the tool key file's). */
  readonly rclonePasswords?: readonly string[];
}

async function readOptional(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

function sameServer(a: string, b: string): boolean {
  return normaliseServerAddress(a) === normaliseServerAddress(b);
}

const rcloneLabel = (name: string): string => `rclone remote "${name}:"`;

/** Compares where a tool sends files with the storage; `bucket` undefined when the tool does not bind one. */
function compare(
  tool: ToolConfigFinding['tool'],
  name: string,
  configPath: string,
  target: { endpoint?: string; bucket?: string },
  input: CheckToolConfigsInput,
  fix: string,
): ToolConfigFinding {
  const label = tool === 'rclone' ? rcloneLabel(name) : tool === 'aws' ? `AWS profile "${name}"` : `mc alias "${name}"`;
  const problems: string[] = [];
  if (target.bucket !== undefined && target.bucket !== input.bucket.trim()) problems.push(`points to bucket "${target.bucket}", but this storage's S3 API Bucket Name is "${input.bucket.trim()}"`);
  if (target.endpoint !== undefined && !sameServer(target.endpoint, input.endpoint)) problems.push(`uses the server ${target.endpoint}, but this storage's S3 Server Address is ${input.endpoint.trim()}`);
  if (problems.length > 0) {
    return { tool, name, configPath, status: 'fail', message: `${label} ${problems.join(' and ')}: files sent with it do not arrive in this storage and will not appear in WeSendit. ${fix}` };
  }
  const bound = target.bucket === undefined ? `; it names the bucket on each command: use ${input.bucket.trim()}` : '';
  return { tool, name, configPath, status: 'pass', message: `${label} uses this storage's ${target.bucket === undefined ? 'server' : 'bucket and server'}${bound}.` };
}

function fromIndex(entries: readonly HandoffEntry[], input: CheckToolConfigsInput): ToolConfigFinding[] {
  return entries
    .filter((entry) => entry.accessKey === input.accessKey.trim())
    .map((entry) =>
      compare(entry.tool, entry.name, entry.configPath, { endpoint: entry.endpoint, bucket: entry.bucket }, input, `Fix: run "connect-guard setup ${entry.tool} --name ${entry.name} --replace" for this storage.`),
    );
}

/** The rclone config's plain text, or why it cannot be read. */
async function openRclone(path: string, passwords: readonly string[]): Promise<{ config?: IniFile; locked?: boolean }> {
  const text = await readOptional(path);
  if (text === undefined) return {};
  const kind = rcloneConfigKind(text);
  if (kind === 'plain') return { config: parseIniFile(text) };
  if (kind === 'unsupported') return { locked: true };
  for (const password of passwords) {
    try {
      const plain = decryptRcloneConfig(text, password);
      if (plain !== undefined) return { config: parseIniFile(plain) };
    } catch {
      return { locked: true };
    }
  }
  return { locked: true };
}

function fromRclone(path: string, config: IniFile, input: CheckToolConfigsInput): ToolConfigFinding[] {
  const findings: ToolConfigFinding[] = [];
  for (const section of config.sections) {
    if (section.values.get('type') !== 's3' || section.values.get('access_key_id') !== input.accessKey.trim()) continue;
    const endpoint = section.values.get('endpoint');
    const aliases = config.sections.filter((alias) => alias.values.get('type') === 'alias' && alias.values.get('remote')?.startsWith(`${section.name}:`));
    for (const alias of aliases) {
      const bucket = (alias.values.get('remote') ?? '').slice(section.name.length + 1).split('/')[0] ?? '';
      findings.push(compare('rclone', alias.name, path, { ...(endpoint ? { endpoint } : {}), bucket }, input, `Fix: rclone config update ${alias.name} remote ${section.name}:${input.bucket.trim()}`));
    }
    findings.push(compare('rclone', section.name, path, endpoint ? { endpoint } : {}, input, `Fix: rclone config update ${section.name} endpoint ${input.endpoint.trim()}`));
  }
  return findings;
}

function fromAwsCredentials(path: string, text: string, input: CheckToolConfigsInput): ToolConfigFinding[] {
  return parseIniFile(text, /=/)
    .sections.filter((section) => section.values.get('aws_access_key_id') === input.accessKey.trim())
    .map((section) => ({
      tool: 'aws' as const,
      name: section.name,
      configPath: path,
      status: 'warn' as const,
      message: `AWS profile "${section.name}" holds this storage's key pair in plain text in ${path}; AWS CLI 2.9 binds no server or bucket to a profile, so each command must carry --endpoint-url ${input.endpoint.trim()} and s3://${input.bucket.trim()}. Consider "connect-guard setup aws" (keys encrypted) and removing [${section.name}] from that file.`,
    }));
}

function fromMc(path: string, text: string, input: CheckToolConfigsInput): ToolConfigFinding[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const aliases = typeof parsed === 'object' && parsed !== null && 'aliases' in parsed && typeof parsed.aliases === 'object' && parsed.aliases !== null ? Object.entries(parsed.aliases) : [];
  const findings: ToolConfigFinding[] = [];
  for (const [name, value] of aliases) {
    if (typeof value !== 'object' || value === null || !('accessKey' in value) || value.accessKey !== input.accessKey.trim()) continue;
    const url = 'url' in value && typeof value.url === 'string' ? value.url : undefined;
    const finding = compare('mc', name, path, url ? { endpoint: url } : {}, input, `Fix: mc alias set ${name} ${input.endpoint.trim()} (it asks for the keys).`);
    findings.push(finding.status === 'pass' ? { ...finding, message: `${finding.message} Its Secret Key is in plain text in ${path}.` } : finding);
  }
  return findings;
}

export async function checkToolConfigs(input: CheckToolConfigsInput): Promise<ToolConfigFinding[]> {
  const index = await readToolIndex(toolIndexPath(input.env)).catch(() => []);
  const findings = fromIndex(index, input);
  const seen = new Set(findings.map((finding) => `${finding.tool}\n${finding.name}\n${finding.configPath}`));
  const add = (more: readonly ToolConfigFinding[]): void => {
    for (const finding of more) {
      const key = `${finding.tool}\n${finding.name}\n${finding.configPath}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(finding);
    }
  };
  // Connect Guard's own s3 remotes are behind their aliases, already compared from the index.
  const ownS3Remotes = new Set(index.filter((entry) => entry.tool === 'rclone').map((entry) => `rclone\n${entry.s3Remote ?? `${entry.name}-s3`}\n${entry.configPath}`));
  for (const key of ownS3Remotes) seen.add(key);

  const rclonePaths = new Set([rcloneConfigPath(input.env), ...index.filter((entry) => entry.tool === 'rclone').map((entry) => entry.configPath)]);
  for (const path of rclonePaths) {
    const opened = await openRclone(path, input.rclonePasswords ?? []);
    if (opened.config) add(fromRclone(path, opened.config, input));
    else if (opened.locked) {
      add([{ tool: 'rclone', name: '*', configPath: path, status: 'skip', message: `${path} is encrypted: only the remotes Connect Guard set up were compared. Set CONNECT_GUARD_TOOL_PASSPHRASE (or RCLONE_CONFIG_PASS for your own password) to compare every remote in it.` }]);
    }
  }
  const credentialsPath = awsCredentialsPath(input.env);
  const credentials = await readOptional(credentialsPath);
  if (credentials !== undefined) add(fromAwsCredentials(credentialsPath, credentials, input));
  const mcPath = mcConfigPath(input.env);
  const mc = await readOptional(mcPath);
  if (mc !== undefined) add(fromMc(mcPath, mc, input));
  return findings;
}
