/**
 * Where the CLI's tool commands (setup, update-tools, doctor's tool check) take a storage from:
 * an encrypted vault export (`--vault-export FILE --storage NAME`, its passphrase from
 * CONNECT_GUARD_PASSPHRASE or a hidden prompt), or the usual S3 credential sources
 * (`--storage NAME --endpoint … --bucket …`, keys from the environment, a profile or a prompt).
 * And the passphrase for external tools (CONNECT_GUARD_TOOL_PASSPHRASE or a hidden prompt).
 */
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { findExportRecord, readExportStorages, readExportText } from '../credentials/find-export-storage.ts';
import { readHiddenLine } from '../credentials/read-hidden-line.ts';
import { resolveS3Credentials } from '../credentials/resolve-s3-credentials.ts';
import { UsageError, type CliIo } from './cli-io.ts';

export const STORAGE_SOURCE_OPTIONS = {
  storage: { type: 'string' },
  'vault-export': { type: 'string' },
  endpoint: { type: 'string' },
  bucket: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'access-key': { type: 'string' },
} as const;

export const STORAGE_SOURCE_HELP = `The storage, either from an encrypted vault export (popup → Settings → "Export vault"):
  --vault-export FILE   the export; its passphrase from CONNECT_GUARD_PASSPHRASE or asked (hidden)
  --storage NAME        the storage's name in the vault (or its S3 API Bucket Name)
  --bucket NAME         only needed when two storages share a name
or from the usual S3 credential sources:
  --storage NAME        a name for it
  --endpoint URL        its S3 Server Address
  --bucket NAME         its S3 API Bucket Name
  --region NAME, --profile NAME, --access-key ID, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, or asked
A Secret Key is never accepted on the command line.`;

export interface StorageSourceValues {
  readonly storage?: string;
  readonly 'vault-export'?: string;
  readonly endpoint?: string;
  readonly bucket?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly 'access-key'?: string;
}

function hiddenPrompt(io: CliIo, question: string, missing: string): Promise<string> {
  if (!io.stdin.isTTY) return Promise.reject(new ConnectGuardError('MISSING_CREDENTIALS', missing));
  return readHiddenLine(question, io.stdin, io.stderr);
}

/** The storage's seven fields (the vault's, or built from the S3 options). */
export async function resolveToolStorage(command: string, values: StorageSourceValues, io: CliIo): Promise<StorageCredentials> {
  return (await resolveToolStorageRecord(command, values, io)).credentials;
}

/** The storage and the Access Keys it had before (from the vault export's history; none otherwise). */
export async function resolveToolStorageRecord(command: string, values: StorageSourceValues, io: CliIo): Promise<{ credentials: StorageCredentials; previousAccessKeys: readonly string[] }> {
  const name = values.storage?.trim();
  if (!name) throw new UsageError('--storage NAME is required: the storage to hand to the tool.', command);
  const exportPath = values['vault-export'];
  if (exportPath !== undefined) {
    const text = await readExportText(exportPath);
    const passphrase =
      io.env.CONNECT_GUARD_PASSPHRASE ||
      (await hiddenPrompt(io, 'Passphrase of the vault export (input hidden): ', 'The vault export needs its passphrase: set CONNECT_GUARD_PASSPHRASE or run on a terminal to be asked.'));
    const record = findExportRecord(await readExportStorages(text, passphrase), name, values.bucket, exportPath);
    return { credentials: { ...record.credentials }, previousAccessKeys: record.previousKeys.map((pair) => pair.accessKey) };
  }
  const endpoint = values.endpoint ?? io.env.AWS_ENDPOINT_URL_S3 ?? io.env.AWS_ENDPOINT_URL;
  if (!endpoint || !values.bucket) {
    throw new UsageError('Give --vault-export FILE (with --storage NAME), or --endpoint URL and --bucket NAME with the keys in the environment, a profile or a prompt.', command);
  }
  const terminal = io.stdin.isTTY
    ? { ask: (question: string) => hiddenPrompt(io, question, ''), askHidden: (question: string) => hiddenPrompt(io, question, '') }
    : undefined;
  const credentials = await resolveS3Credentials({ env: io.env, profile: values.profile, accessKeyId: values['access-key'], prompt: terminal });
  return {
    credentials: { storageName: name, permissions: '', allowedIps: '', serverAddress: endpoint, bucketName: values.bucket, accessKey: credentials.accessKeyId, secretKey: credentials.secretAccessKey },
    previousAccessKeys: [],
  };
}

/**
 * The passphrase for external tools: CONNECT_GUARD_TOOL_PASSPHRASE, or asked (twice when the key
 * file is about to be created, so a typo cannot lock the tools out).
 */
export async function toolPassphrase(io: CliIo, creating: boolean): Promise<string> {
  const fromEnv = io.env.CONNECT_GUARD_TOOL_PASSPHRASE;
  if (fromEnv) return fromEnv;
  const missing = 'The tools\' key file needs its passphrase: set CONNECT_GUARD_TOOL_PASSPHRASE or run on a terminal to be asked.';
  const first = await hiddenPrompt(io, creating ? 'Choose a passphrase for external tools (input hidden): ' : 'Passphrase for external tools (input hidden): ', missing);
  if (!creating) return first;
  const second = await hiddenPrompt(io, 'Type it again: ', missing);
  if (first !== second) throw new ConnectGuardError('INVALID_INPUT', 'The two passphrases differ. Nothing was written; run again.');
  return first;
}
