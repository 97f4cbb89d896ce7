/**
 * The list of hand-offs Connect Guard made (`tools.json` beside the tool key file): which rclone
 * remote or AWS profile, in which config file, serves which storage with which Access Key. No
 * secret is in it (the Access Key is public, like a user name: help article §3), so the gate can
 * name the tools that use an old key before anyone types a passphrase, and doctor can compare
 * buckets even when rclone's config is encrypted.
 */
import { readFile } from 'node:fs/promises';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { normaliseServerAddress } from '../../../shared/vault-format/storage-record.ts';
import type { PrivateFile } from './write-private-files.ts';

export type HandoffTool = 'rclone' | 'aws';

export interface HandoffEntry {
  readonly tool: HandoffTool;
  /** The rclone remote (an alias bound to the bucket) or the AWS profile. */
  readonly name: string;
  /** rclone only: the s3 remote the alias points at. */
  readonly s3Remote?: string;
  /** The tool's config file. */
  readonly configPath: string;
  /** The tool key file holding the secret (aws) or the config password (rclone). */
  readonly toolKeysPath: string;
  readonly storageName: string;
  /** The S3 Server Address as the vault has it. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKey: string;
  /** ISO 8601. */
  readonly setUpAt: string;
  readonly updatedAt: string;
}

const INDEX_FORMAT = 'connect-guard-tools';

function isEntry(value: unknown): value is HandoffEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry: Record<string, unknown> = { ...value };
  return (
    (entry.tool === 'rclone' || entry.tool === 'aws') &&
    ['name', 'configPath', 'toolKeysPath', 'storageName', 'endpoint', 'bucket', 'accessKey', 'setUpAt', 'updatedAt'].every((field) => typeof entry[field] === 'string') &&
    (entry.s3Remote === undefined || typeof entry.s3Remote === 'string')
  );
}

/** Every recorded hand-off; a missing file is an empty list, a damaged one an error naming it. */
export async function readToolIndex(path: string): Promise<HandoffEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return [];
    throw new ConnectGuardError('INVALID_INPUT', `Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConnectGuardError('INVALID_INPUT', `${path} is not JSON. Move it aside; run "connect-guard setup" again for each tool to list it anew.`);
  }
  if (typeof parsed !== 'object' || parsed === null || !('format' in parsed) || parsed.format !== INDEX_FORMAT || !('tools' in parsed) || !Array.isArray(parsed.tools)) {
    throw new ConnectGuardError('INVALID_INPUT', `${path} is not Connect Guard's list of external tools.`);
  }
  return parsed.tools.filter(isEntry);
}

function sameEntry(a: Pick<HandoffEntry, 'tool' | 'name' | 'configPath'>, b: Pick<HandoffEntry, 'tool' | 'name' | 'configPath'>): boolean {
  return a.tool === b.tool && a.name === b.name && a.configPath === b.configPath;
}

/** The index file with `entry` added or replacing the one of the same tool, name and config. */
export function toolIndexFile(path: string, entries: readonly HandoffEntry[], changed: readonly HandoffEntry[]): PrivateFile {
  const kept = entries.filter((entry) => !changed.some((next) => sameEntry(entry, next)));
  const tools = [...kept, ...changed].sort((a, b) => a.tool.localeCompare(b.tool) || a.name.localeCompare(b.name) || a.configPath.localeCompare(b.configPath));
  return { path, text: `${JSON.stringify({ format: INDEX_FORMAT, version: 1, tools }, null, 2)}\n` };
}

/** What a setup records about one hand-off; the times come from the index. */
export type HandoffRecord = Omit<HandoffEntry, 'setUpAt' | 'updatedAt'>;

/**
 * The index file (at `path`) with `record` set up now: a hand-off set up again keeps the time it
 * was first set up.
 */
export async function recordHandoff(path: string, record: HandoffRecord): Promise<PrivateFile> {
  const index = await readToolIndex(path);
  const previous = index.find((entry) => sameEntry(entry, record));
  const now = new Date().toISOString();
  return toolIndexFile(path, index, [{ ...record, setUpAt: previous?.setUpAt ?? now, updatedAt: now }]);
}

/** Do an entry and a storage name the same server? (however the address is written) */
export function sameServer(a: string, b: string): boolean {
  return normaliseServerAddress(a) === normaliseServerAddress(b);
}
