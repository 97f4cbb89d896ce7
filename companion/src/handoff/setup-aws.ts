/**
 * Hands a storage to the AWS CLI: a profile whose `credential_process` is
 * `connect-guard credential-process`, which reads the key pair from the encrypted tool key file;
 * no key is written to ~/.aws in plain text. AWS CLI 2.9 has no `endpoint_url` setting, so the
 * printed commands carry `--endpoint-url`; non-AWS endpoints get path-style addressing.
 */
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { awsGuide, shellWord } from '../../../shared/handoff/tool-guides.ts';
import { companionCommandWords } from './companion-command.ts';
import { getTool } from './find-tool.ts';
import { checkToolEntryName, findSection, parseIniFile, serializeIniFile, withRawSection } from './ini-sections.ts';
import { checkBucket, defaultToolEntryName, readOptional, refuseExisting, type ToolSetupInput, type ToolSetupOutput } from './setup-rclone.ts';
import { recordHandoff } from './tool-index.ts';
import { openToolKeys, putToolKey, toolKeysFile } from './tool-keys.ts';
import { awsConfigPath, awsCredentialsPath, toolIndexPath, toolKeysPath } from './tool-paths.ts';
import { writePrivateFiles } from './write-private-files.ts';

export interface AwsSetupInput extends ToolSetupInput {
  /** The config file; default `AWS_CONFIG_FILE` or ~/.aws/config. */
  readonly configPath?: string;
}

/** The config file's section name of a profile. */
export function awsProfileSection(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}

/** The `credential_process` line: split by the AWS CLI like a POSIX shell would. */
export function credentialProcessCommand(keysPath: string, credentials: Pick<StorageCredentials, 'serverAddress' | 'bucketName'>): string {
  return [...companionCommandWords(), 'credential-process', '--tool-keys', keysPath, '--endpoint', credentials.serverAddress.trim(), '--bucket', credentials.bucketName.trim()].map(shellWord).join(' ');
}

export async function setupAws(input: AwsSetupInput): Promise<ToolSetupOutput> {
  await getTool('aws', input.env);
  const { credentials } = input;
  const bucket = checkBucket(credentials);
  const endpoint = parseEndpoint(credentials.serverAddress);
  const profile = input.name ?? defaultToolEntryName(credentials);
  checkToolEntryName(profile, 'an AWS profile');
  const configPath = input.configPath ?? awsConfigPath(input.env);
  const credentialsPath = awsCredentialsPath(input.env);
  const keysPath = toolKeysPath(input.env);

  const config = parseIniFile(await readOptional(configPath), /=/);
  const inCredentials = parseIniFile(await readOptional(credentialsPath), /=/);
  if (findSection(inCredentials, profile) !== undefined) {
    // Keys there win over credential_process: the profile would silently use them.
    throw new ConnectGuardError(
      'ALREADY_EXISTS',
      `AWS profile "${profile}" has keys in ${credentialsPath}, and those would be used instead of Connect Guard's. Nothing was changed. Choose another profile name, or remove [${profile}] from that file first.`,
    );
  }
  const section = awsProfileSection(profile);
  const exists = findSection(config, section) !== undefined;
  refuseExisting(exists, `AWS profile "${profile}"`, configPath, input.replace);

  const keys = await openToolKeys(keysPath, input.toolPassphrase, { create: true, ...input.kdf });
  await putToolKey(keys, credentials);
  const region = endpoint.region ?? input.region ?? 'us-east-1';
  const next = withRawSection(config, section, [
    `region = ${region}`,
    `credential_process = ${credentialProcessCommand(keysPath, credentials)}`,
    ...(endpoint.forcePathStyle ? ['s3 =', '    addressing_style = path'] : []),
  ]);

  const indexFile = await recordHandoff(toolIndexPath(input.env), {
    tool: 'aws',
    name: profile,
    configPath,
    toolKeysPath: keysPath,
    storageName: credentials.storageName,
    endpoint: credentials.serverAddress,
    bucket,
    accessKey: credentials.accessKey.trim(),
  });
  await writePrivateFiles([await toolKeysFile(keys), { path: configPath, text: serializeIniFile(next) }, indexFile]);

  const defaultConfig = awsConfigPath({ ...input.env, AWS_CONFIG_FILE: undefined });
  return {
    tool: 'aws',
    name: profile,
    configPath,
    toolKeysPath: keysPath,
    toolKeysCreated: keys.created,
    replaced: exists,
    guide: awsGuide({ profile, bucket, endpointUrl: endpoint.url, ...(configPath === defaultConfig ? {} : { configPath }) }),
  };
}
