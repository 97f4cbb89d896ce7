import type { HandoffEntry } from '../handoff/tool-index.ts';
import { readToolIndex } from '../handoff/tool-index.ts';
import { toolKeysPath, toolIndexPath } from '../handoff/tool-paths.ts';
import { listToolsUsingOldKeys, updateTools } from '../handoff/update-tools.ts';
import { parseCommandArgs, type CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';
import { STORAGE_SOURCE_HELP, STORAGE_SOURCE_OPTIONS, resolveToolStorageRecord, toolPassphrase } from './tool-storage-source.ts';

export const UPDATE_TOOLS_HELP = `Usage: connect-guard update-tools --storage NAME [options]

After WeSendit issued new credentials for a storage (a lost or rotated key), gives every external
tool Connect Guard set up for it the new key pair, then runs each tool to prove it authenticates:
rclone lists the bucket through its remote, the AWS CLI through its profile.

Updated: every tool set up for the storage's endpoint and bucket with another Access Key, and
every tool set up with one of the storage's earlier Access Keys (the vault export's history, or
--old-access-key). The tool key file's passphrase comes from CONNECT_GUARD_TOOL_PASSPHRASE or is
asked (hidden).

Options:
  --old-access-key KEY  also update tools set up with this Access Key (repeatable)
  --no-check            do not run the tools afterwards
  --list                only list the tools that still use an old key
  -h, --help            this help

${STORAGE_SOURCE_HELP}
`;

export const TOOLS_HELP = `Usage: connect-guard tools

Lists the external tools Connect Guard set up (rclone remotes, AWS profiles): storage, bucket,
endpoint, Access Key and config file. No secret is shown or needed.
`;

const OPTIONS = {
  ...STORAGE_SOURCE_OPTIONS,
  'old-access-key': { type: 'string', multiple: true },
  'no-check': { type: 'boolean' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function describeEntry(entry: HandoffEntry): string {
  return entry.tool === 'rclone' ? `rclone remote "${entry.name}:" in ${entry.configPath}` : `AWS profile "${entry.name}" in ${entry.configPath}`;
}

const MARKS = { ok: '✓', failed: '✗', skipped: '-' } as const;

export async function runUpdateTools(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('update-tools', args, OPTIONS);
  if (values.help) {
    io.stdout.write(UPDATE_TOOLS_HELP);
    return EXIT.ok;
  }
  const { credentials, previousAccessKeys } = await resolveToolStorageRecord('update-tools', values, io);
  const which = { credentials, oldAccessKeys: [...previousAccessKeys, ...(values['old-access-key'] ?? [])] };
  const stale = await listToolsUsingOldKeys(io.env, which);
  const label = credentials.storageName || credentials.bucketName;
  if (stale.length === 0) {
    io.stdout.write(`No external tool set up by Connect Guard uses an old key of "${label}".\n`);
    return EXIT.ok;
  }
  if (values.list) {
    io.stdout.write(`These tools still use an old key of "${label}"; WeSendit no longer accepts it:\n${stale.map((entry) => `  ${describeEntry(entry)} (Access Key ${entry.accessKey})\n`).join('')}`);
    return EXIT.ok;
  }
  const results = await updateTools({ ...which, credentials, toolPassphrase: await toolPassphrase(io, false), env: io.env, verify: values['no-check'] !== true });
  io.stdout.write(`Gave ${results.length} tool(s) the new Access Key ${credentials.accessKey.trim()} of "${label}":\n`);
  for (const { entry, check } of results) io.stdout.write(`  ${MARKS[check.status]} ${describeEntry(entry)}: ${check.message}\n`);
  return results.some((result) => result.check.status === 'failed') ? EXIT.access : EXIT.ok;
}

export async function runTools(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('tools', args, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write(TOOLS_HELP);
    return EXIT.ok;
  }
  const entries = await readToolIndex(toolIndexPath(io.env));
  if (entries.length === 0) {
    io.stdout.write(`No external tool set up yet (${toolIndexPath(io.env)}). See "connect-guard setup --help".\n`);
    return EXIT.ok;
  }
  io.stdout.write(`External tools set up by Connect Guard (keys in ${toolKeysPath(io.env)}):\n`);
  for (const entry of entries) io.stdout.write(`  ${describeEntry(entry)}\n    storage "${entry.storageName}", bucket ${entry.bucket} at ${entry.endpoint}, Access Key ${entry.accessKey}\n`);
  return EXIT.ok;
}
