/**
 * After a lost or rotated key (help article §2: "any existing connections using the old key (e.g.
 * in external tools) … must be reconfigured"): finds the tools Connect Guard set up for the
 * storage or with one of its old Access Keys, gives each the new key pair, and proves with the
 * real tool that it now authenticates. Every file is checked and prepared first (tool key files
 * opened with the passphrase, rclone configs decrypted), then all are written together.
 */
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { normaliseServerAddress } from '../../../shared/vault-format/storage-record.ts';
import { findSection, serializeIniFile, withSectionValues, type IniFile } from './ini-sections.ts';
import { encryptRcloneConfig } from './rclone-config-crypt.ts';
import { openRcloneConfig } from './setup-rclone.ts';
import { readToolIndex, toolIndexFile, type HandoffEntry } from './tool-index.ts';
import { openToolKeys, putToolKey, rclonePassword, toolKeysFile, type ToolKeys, type ToolKeysKdf } from './tool-keys.ts';
import { toolIndexPath, type Env } from './tool-paths.ts';
import { verifyTool, type ToolCheck } from './verify-tool.ts';
import { writePrivateFiles, type PrivateFile } from './write-private-files.ts';

export interface ToolsToUpdate {
  /** The storage's current credentials (the new key pair). */
  readonly credentials: Pick<StorageCredentials, 'serverAddress' | 'bucketName' | 'accessKey'>;
  /** Access Keys the storage had before (the vault's replaced pairs, or a record of the same name). */
  readonly oldAccessKeys?: readonly string[];
}

/** Hand-offs that still use an old key: set up with one of `oldAccessKeys`, or for the same endpoint and bucket with another key. */
export function toolsUsingOldKeys(entries: readonly HandoffEntry[], { credentials, oldAccessKeys = [] }: ToolsToUpdate): HandoffEntry[] {
  const current = credentials.accessKey.trim();
  const server = normaliseServerAddress(credentials.serverAddress);
  const bucket = credentials.bucketName.trim();
  return entries.filter(
    (entry) => entry.accessKey !== current && (oldAccessKeys.some((key) => key.trim() === entry.accessKey) || (bucket !== '' && entry.bucket === bucket && normaliseServerAddress(entry.endpoint) === server)),
  );
}

/** The tools listed for the gate and the CLI, without touching any file but the index. */
export async function listToolsUsingOldKeys(env: Env, which: ToolsToUpdate): Promise<HandoffEntry[]> {
  return toolsUsingOldKeys(await readToolIndex(toolIndexPath(env)), which);
}

export interface UpdateToolsInput extends ToolsToUpdate {
  readonly credentials: StorageCredentials;
  readonly toolPassphrase: string;
  readonly env: Env;
  readonly kdf?: ToolKeysKdf;
  /** Run each tool to prove the new key works (default true). */
  readonly verify?: boolean;
}

export interface ToolUpdateResult {
  readonly entry: HandoffEntry;
  /** The entry as it is now (new Access Key). */
  readonly updated: HandoffEntry;
  readonly check: ToolCheck;
}

export async function updateTools(input: UpdateToolsInput): Promise<ToolUpdateResult[]> {
  const indexPath = toolIndexPath(input.env);
  const index = await readToolIndex(indexPath);
  const targets = toolsUsingOldKeys(index, input);
  if (targets.length === 0) return [];
  const newKey = input.credentials.accessKey.trim();
  const newSecret = input.credentials.secretKey.trim();
  if (newKey === '' || newSecret === '') throw new ConnectGuardError('MISSING_CREDENTIALS', 'The new Access Key and Secret Key are both needed to update the tools.');

  // Prepare everything before writing anything.
  const keyFiles = new Map<string, ToolKeys>();
  for (const path of new Set(targets.map((entry) => entry.toolKeysPath))) keyFiles.set(path, await openToolKeys(path, input.toolPassphrase, input.kdf ?? {}));
  const passwords = new Map<string, string>();
  for (const [path, keys] of keyFiles) passwords.set(path, await rclonePassword(keys));

  const configs = new Map<string, { config: IniFile; password: string }>();
  const changedKeyFiles = new Set<string>();
  for (const entry of targets) {
    const keys = keyFiles.get(entry.toolKeysPath);
    const password = passwords.get(entry.toolKeysPath) ?? '';
    if (keys === undefined) continue;
    if (entry.tool === 'rclone') {
      const opened = configs.get(entry.configPath) ?? { config: await openRcloneConfig(entry.configPath, password, false), password };
      const s3Remote = entry.s3Remote ?? `${entry.name}-s3`;
      if (findSection(opened.config, s3Remote) === undefined) {
        throw new ConnectGuardError('NOT_FOUND', `The rclone remote "${s3Remote}" is no longer in ${entry.configPath}. Nothing was changed. Set it up again with "connect-guard setup rclone --replace".`);
      }
      configs.set(entry.configPath, {
        config: withSectionValues(opened.config, s3Remote, new Map([['access_key_id', newKey], ['secret_access_key', newSecret]])),
        password: opened.password,
      });
    } else {
      await putToolKey(keys, { ...input.credentials, serverAddress: entry.endpoint, bucketName: entry.bucket, accessKey: newKey, secretKey: newSecret });
      changedKeyFiles.add(entry.toolKeysPath);
    }
  }

  const now = new Date().toISOString();
  const updated = targets.map((entry) => ({ ...entry, accessKey: newKey, updatedAt: now }));
  const files: PrivateFile[] = [];
  for (const path of changedKeyFiles) {
    const keys = keyFiles.get(path);
    if (keys) files.push(await toolKeysFile(keys));
  }
  for (const [path, { config, password }] of configs) files.push({ path, text: encryptRcloneConfig(serializeIniFile(config), password) });
  files.push(toolIndexFile(indexPath, index, updated));
  await writePrivateFiles(files);

  const results: ToolUpdateResult[] = [];
  for (const [i, entry] of targets.entries()) {
    const now = updated[i] ?? entry;
    const check =
      input.verify === false
        ? { status: 'skipped' as const, message: 'Not checked.' }
        : await verifyTool({
            entry: now,
            env: input.env,
            rclonePassword: passwords.get(entry.toolKeysPath),
            toolPassphrase: input.toolPassphrase,
            secrets: [newSecret],
          });
    results.push({ entry, updated: now, check });
  }
  return results;
}
