/**
 * Hands a storage to rclone: an `s3` remote with the storage's endpoint and keys, and an `alias`
 * remote bound to its bucket, in an rclone config encrypted with the password kept in the tool
 * key file. An existing remote is never replaced without `replace`; a config encrypted with
 * another password, or one holding other remotes in plain text, is left alone with a clear error;
 * everything (config, tool key file, list of tools) is written together or not at all.
 */
import { readFile } from 'node:fs/promises';
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { defaultToolEntryName, rcloneGuide, rcloneSpaceSepList, type ToolGuide } from '../../../shared/handoff/tool-guides.ts';
import { companionCommandWords } from './companion-command.ts';
import { getTool } from './find-tool.ts';
import { checkToolEntryName, findSection, parseIniFile, serializeIniFile, withSection, type IniFile } from './ini-sections.ts';
import { decryptRcloneConfig, encryptRcloneConfig, rcloneConfigKind } from './rclone-config-crypt.ts';
import { recordHandoff } from './tool-index.ts';
import { openToolKeys, rclonePassword, toolKeysFile, type ToolKeysKdf } from './tool-keys.ts';
import { rcloneConfigPath, toolIndexPath, toolKeysPath, type Env } from './tool-paths.ts';
import { writePrivateFiles, type PrivateFile } from './write-private-files.ts';

export interface ToolSetupInput {
  readonly credentials: StorageCredentials;
  /** Signing region when the endpoint names none. */
  readonly region?: string;
  /** The remote (rclone) or profile (aws) to write; default from the storage name. */
  readonly name?: string;
  /** The passphrase of the tool key file (it is created with it when missing). */
  readonly toolPassphrase: string;
  /** Replace a remote or profile of that name. */
  readonly replace?: boolean;
  readonly env: Env;
  readonly kdf?: ToolKeysKdf;
}

export interface RcloneSetupInput extends ToolSetupInput {
  /** The config file; default `RCLONE_CONFIG` or rclone's default. */
  readonly configPath?: string;
  /** Encrypt a config that holds other remotes in plain text (they then need the password too). */
  readonly encryptExisting?: boolean;
  /** rclone's provider setting; default `Other`. */
  readonly provider?: string;
}

export interface ToolSetupOutput {
  readonly tool: 'rclone' | 'aws';
  readonly name: string;
  readonly configPath: string;
  readonly toolKeysPath: string;
  /** The tool key file was created by this run. */
  readonly toolKeysCreated: boolean;
  /** A remote or profile of that name was replaced. */
  readonly replaced: boolean;
  readonly guide: ToolGuide;
}

export { defaultToolEntryName };

export function checkBucket(credentials: StorageCredentials): string {
  const bucket = credentials.bucketName.trim();
  if (bucket === '' || /[\s/:]/.test(bucket)) {
    throw new ConnectGuardError('INVALID_BUCKET_NAME', `The storage "${credentials.storageName}" has ${bucket === '' ? 'no S3 API Bucket Name' : `an invalid S3 API Bucket Name "${bucket}"`}. Copy it from WeSendit's storage settings.`);
  }
  return bucket;
}

export async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return '';
    throw new ConnectGuardError('INVALID_INPUT', `Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

/**
 * The plain text of an rclone config Connect Guard may write to, with the password it holds:
 * missing or empty, encrypted with that password, or (with `encryptExisting`) plain.
 */
export async function openRcloneConfig(path: string, password: string, encryptExisting: boolean): Promise<IniFile> {
  const text = await readOptional(path);
  const kind = rcloneConfigKind(text);
  if (kind === 'unsupported') {
    throw new ConnectGuardError('TOOL_CONFIG_LOCKED', `${path} is encrypted with a newer rclone format than RCLONE_ENCRYPT_V0. Nothing was changed. Choose a separate config with --rclone-config FILE.`);
  }
  if (kind === 'encrypted') {
    const plain = decryptRcloneConfig(text, password);
    if (plain === undefined) {
      throw new ConnectGuardError(
        'TOOL_CONFIG_LOCKED',
        `${path} is encrypted with a password Connect Guard does not hold (not the one its tool key file stands for). Nothing was changed. ` +
          'Either keep Connect Guard\'s remotes in a separate config (--rclone-config FILE), or remove that config\'s password with "rclone config" (s → r) and run again, so Connect Guard encrypts it with its own.',
      );
    }
    return parseIniFile(plain);
  }
  const config = parseIniFile(text);
  if (config.sections.length > 0 && !encryptExisting) {
    throw new ConnectGuardError(
      'TOOL_CONFIG_LOCKED',
      `${path} holds ${config.sections.length} remote(s) in plain text. Connect Guard writes a Secret Key only into an encrypted config. Nothing was changed. ` +
        'Either add --encrypt-existing (the whole file is encrypted; rclone then needs RCLONE_PASSWORD_COMMAND for every remote in it), or use a separate config with --rclone-config FILE.',
    );
  }
  return config;
}

export function refuseExisting(exists: boolean, what: string, where: string, replace: boolean | undefined): void {
  if (exists && !replace) {
    throw new ConnectGuardError('ALREADY_EXISTS', `${what} exists already in ${where}. Nothing was changed. Choose another name, or replace it explicitly (--replace on the command line, "Replace" in the popup).`);
  }
}

export async function setupRclone(input: RcloneSetupInput): Promise<ToolSetupOutput> {
  await getTool('rclone', input.env);
  const { credentials } = input;
  const bucket = checkBucket(credentials);
  const endpoint = parseEndpoint(credentials.serverAddress);
  const remote = input.name ?? defaultToolEntryName(credentials);
  checkToolEntryName(remote, 'an rclone remote');
  const s3Remote = `${remote}-s3`;
  const configPath = input.configPath ?? rcloneConfigPath(input.env);
  const keysPath = toolKeysPath(input.env);

  const keys = await openToolKeys(keysPath, input.toolPassphrase, { create: true, ...input.kdf });
  const password = await rclonePassword(keys);
  const config = await openRcloneConfig(configPath, password, input.encryptExisting === true);
  const existing = [remote, s3Remote].filter((name) => findSection(config, name) !== undefined);
  refuseExisting(existing.length > 0, `rclone remote ${existing.map((name) => `"${name}"`).join(' and ')}`, configPath, input.replace);

  const region = endpoint.region ?? input.region;
  const next = withSection(
    withSection(config, s3Remote, [
      ['type', 's3'],
      ['provider', input.provider ?? (endpoint.isAws ? 'AWS' : 'Other')],
      ['access_key_id', credentials.accessKey.trim()],
      ['secret_access_key', credentials.secretKey.trim()],
      ['endpoint', endpoint.url],
      ...(region === undefined ? [] : [['region', region] as const]),
      ['force_path_style', String(endpoint.forcePathStyle)],
      // Never create a bucket: a mistyped name must fail, not quietly become a new bucket.
      ['no_check_bucket', 'true'],
    ]),
    remote,
    [
      ['type', 'alias'],
      ['remote', `${s3Remote}:${bucket}`],
    ],
  );

  const indexFile = await recordHandoff(toolIndexPath(input.env), {
    tool: 'rclone',
    name: remote,
    s3Remote,
    configPath,
    toolKeysPath: keysPath,
    storageName: credentials.storageName,
    endpoint: credentials.serverAddress,
    bucket,
    accessKey: credentials.accessKey.trim(),
  });
  const files: PrivateFile[] = [
    ...(keys.created ? [await toolKeysFile(keys)] : []),
    { path: configPath, text: encryptRcloneConfig(serializeIniFile(next), password) },
    indexFile,
  ];
  await writePrivateFiles(files);

  const defaultConfig = rcloneConfigPath({ ...input.env, RCLONE_CONFIG: undefined });
  return {
    tool: 'rclone',
    name: remote,
    configPath,
    toolKeysPath: keysPath,
    toolKeysCreated: keys.created,
    replaced: existing.length > 0,
    guide: rcloneGuide({
      remote,
      bucket,
      ...(configPath === defaultConfig ? {} : { configPath }),
      passwordCommand: rcloneSpaceSepList([...companionCommandWords(), 'rclone-config-password', '--tool-keys', keysPath]),
    }),
  };
}
