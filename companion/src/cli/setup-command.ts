import { formatToolGuide, mcGuide } from '../../../shared/handoff/tool-guides.ts';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { defaultToolEntryName, setupRclone, type ToolSetupOutput } from '../handoff/setup-rclone.ts';
import { setupAws } from '../handoff/setup-aws.ts';
import { toolKeysExist } from '../handoff/tool-keys.ts';
import { toolKeysPath } from '../handoff/tool-paths.ts';
import { UsageError, parseCommandArgs, type CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';
import { STORAGE_SOURCE_HELP, STORAGE_SOURCE_OPTIONS, resolveToolStorage, toolPassphrase } from './tool-storage-source.ts';

export const SETUP_HELP = `Usage: connect-guard setup rclone|aws|mc --storage NAME [options]

Hands a storage's S3 credentials to an external tool safely, for WeSendit's "upload only, no
delete", and prints the commands: a dry run first, then the upload.

  rclone  an s3 remote and an alias remote bound to the bucket, in an ENCRYPTED rclone config
          (RCLONE_ENCRYPT_V0) whose random password lives in Connect Guard's tool key file;
          rclone gets it from "connect-guard rclone-config-password" (RCLONE_PASSWORD_COMMAND)
  aws     a profile whose credential_process is "connect-guard credential-process", reading the
          key pair from the tool key file; nothing in ~/.aws holds a key
  mc      printed steps only (mc asks for the Secret Key itself; its config is plain-text JSON)

The tool key file (~/.config/connect-guard/tool-keys.json, or CONNECT_GUARD_CONFIG_DIR) is a
vault export under a passphrase for external tools (CONNECT_GUARD_TOOL_PASSPHRASE, or asked;
chosen the first time). The tools ask for it when they need a key.

Options:
  --name NAME           the rclone remote / AWS profile / mc alias (default: from the storage name)
  --replace             replace a remote or profile of that name (never done without it)
  --rclone-config FILE  rclone: this config file (default: RCLONE_CONFIG or ~/.config/rclone/rclone.conf)
  --encrypt-existing    rclone: encrypt a config that holds other remotes in plain text
  --provider NAME       rclone: the s3 provider setting (default Other; AWS for Amazon)
  --aws-config FILE     aws: this config file (default: AWS_CONFIG_FILE or ~/.aws/config)
  -h, --help            this help

${STORAGE_SOURCE_HELP}
`;

const OPTIONS = {
  ...STORAGE_SOURCE_OPTIONS,
  name: { type: 'string' },
  replace: { type: 'boolean' },
  'rclone-config': { type: 'string' },
  'encrypt-existing': { type: 'boolean' },
  provider: { type: 'string' },
  'aws-config': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function report(io: CliIo, output: ToolSetupOutput): void {
  const what = output.tool === 'rclone' ? `rclone remote "${output.name}:" (bucket ${output.guide.bucket})` : `AWS profile "${output.name}"`;
  io.stdout.write(`${output.replaced ? 'Replaced' : 'Wrote'} ${what} in ${output.configPath}.\n`);
  io.stdout.write(`Keys: ${output.toolKeysPath}${output.toolKeysCreated ? ' (created; keep its passphrase in your password manager)' : ''}.\n\n`);
  io.stdout.write(formatToolGuide(output.guide));
}

export async function runSetup(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('setup', args, OPTIONS);
  if (values.help) {
    io.stdout.write(SETUP_HELP);
    return EXIT.ok;
  }
  const [tool, ...extra] = positionals;
  if (tool !== 'rclone' && tool !== 'aws' && tool !== 'mc') throw new UsageError('Name the tool: connect-guard setup rclone|aws|mc --storage NAME.', 'setup');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`, 'setup');
  const credentials = await resolveToolStorage('setup', values, io);
  if (tool === 'mc') {
    const guide = mcGuide({
      alias: values.name ?? defaultToolEntryName(credentials),
      bucket: credentials.bucketName,
      endpointUrl: parseEndpoint(credentials.serverAddress).url,
      accessKey: credentials.accessKey,
    });
    io.stdout.write(`mc (MinIO client) for "${credentials.storageName}": Connect Guard writes nothing for mc; run these steps.\n\n${formatToolGuide(guide)}`);
    return EXIT.ok;
  }
  const creating = !(await toolKeysExist(toolKeysPath(io.env)));
  const common = {
    credentials,
    ...(values.region ? { region: values.region } : {}),
    ...(values.name ? { name: values.name } : {}),
    toolPassphrase: await toolPassphrase(io, creating),
    replace: values.replace === true,
    env: io.env,
  };
  const output =
    tool === 'rclone'
      ? await setupRclone({
          ...common,
          ...(values['rclone-config'] ? { configPath: values['rclone-config'] } : {}),
          encryptExisting: values['encrypt-existing'] === true,
          ...(values.provider ? { provider: values.provider } : {}),
        })
      : await setupAws({ ...common, ...(values['aws-config'] ? { configPath: values['aws-config'] } : {}) });
  report(io, output);
  return EXIT.ok;
}
