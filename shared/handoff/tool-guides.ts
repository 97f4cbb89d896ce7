/**
 * What Connect Guard prints (CLI) and shows (popup) after handing a storage to an external tool:
 * the commands for WeSendit's "upload only, no delete" (help article, strategy 3), a dry run
 * first, and the honest limits of each tool. Pure text: the CLI, the companion's replies and the
 * popup all take it from here.
 */

export type ToolName = 'rclone' | 'aws' | 'mc';

export interface ToolStep {
  /** What the command does, in plain words. */
  readonly title: string;
  /** One shell command line (POSIX quoting). */
  readonly command: string;
}

export interface ToolGuide {
  readonly tool: ToolName;
  /** The rclone remote, AWS profile or mc alias. */
  readonly name: string;
  readonly bucket: string;
  readonly steps: readonly ToolStep[];
  readonly notes: readonly string[];
}

/** Quotes one word for a POSIX shell when it needs quoting. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * rclone's `--password-command` value: a space-separated list with CSV quoting (fs/config_list.go
 * in rclone), so a path with spaces is written in double quotes.
 */
export function rcloneSpaceSepList(words: readonly string[]): string {
  return words.map((word) => (/[\s"]/.test(word) || word === '' ? `"${word.replaceAll('"', '""')}"` : word)).join(' ');
}

export interface RcloneGuideInput {
  /** The remote to use: an alias bound to the bucket. */
  readonly remote: string;
  readonly bucket: string;
  /** The config file, when it is not rclone's default one. */
  readonly configPath?: string;
  /** The command rclone runs for the config password (already a space-separated list). */
  readonly passwordCommand: string;
  /** A local folder for the examples. */
  readonly source?: string;
}

export function rcloneGuide(input: RcloneGuideInput): ToolGuide {
  const source = shellWord(input.source ?? './folder-to-upload');
  const target = shellWord(`${input.remote}:`);
  const steps: ToolStep[] = [
    ...(input.configPath === undefined ? [] : [{ title: 'Use this rclone config (once per shell, or in ~/.profile)', command: `export RCLONE_CONFIG=${shellWord(input.configPath)}` }]),
    {
      title: 'Let rclone ask connect-guard for the config password (once per shell, or in ~/.profile); it asks you for the passphrase for external tools',
      command: `export RCLONE_PASSWORD_COMMAND=${shellWord(input.passwordCommand)}`,
    },
    { title: 'Dry run: see what would be uploaded (nothing is written)', command: `rclone copy --immutable --checksum --dry-run ${source} ${target}` },
    { title: 'Upload only: new files are added, nothing is deleted or overwritten', command: `rclone copy --immutable --checksum --progress ${source} ${target}` },
    { title: 'List what is in the bucket', command: `rclone lsf ${target}` },
  ];
  return {
    tool: 'rclone',
    name: input.remote,
    bucket: input.bucket,
    steps,
    notes: [
      `"${input.remote}:" is bound to the bucket ${input.bucket}, so a typo in a bucket name cannot send files elsewhere.`,
      'Use "rclone copy", never "rclone sync": sync deletes from the bucket whatever is not in the local folder.',
      '--immutable refuses to change a file that exists in the bucket with other content and goes on with the rest; rclone names each one ("ERROR : name: … immutable file modified") and ends with exit code 6. --checksum makes it compare content (MD5), not only size and time, so a changed file of the same size is reported, not skipped silently.',
      'For an object whose checksum the server does not give as MD5 (uploaded in parts by another tool), rclone can only compare sizes: a changed file of the same size is then skipped, never overwritten.',
      'The config is encrypted (RCLONE_ENCRYPT_V0) with a random password kept in Connect Guard\'s tool key file; without RCLONE_PASSWORD_COMMAND rclone asks for that password, which you do not know: set the variable instead.',
    ],
  };
}

export interface AwsGuideInput {
  readonly profile: string;
  readonly bucket: string;
  readonly endpointUrl: string;
  /** The config file, when it is not the AWS CLI's default one. */
  readonly configPath?: string;
  readonly source?: string;
}

export function awsGuide(input: AwsGuideInput): ToolGuide {
  const source = shellWord(input.source ?? './folder-to-upload');
  const common = `--profile ${shellWord(input.profile)} --endpoint-url ${shellWord(input.endpointUrl)}`;
  const target = shellWord(`s3://${input.bucket}/`);
  return {
    tool: 'aws',
    name: input.profile,
    bucket: input.bucket,
    steps: [
      ...(input.configPath === undefined ? [] : [{ title: 'Use this AWS CLI config (once per shell, or in ~/.profile)', command: `export AWS_CONFIG_FILE=${shellWord(input.configPath)}` }]),
      { title: 'Dry run: every "upload:" line for a name that is already in the bucket is an overwrite', command: `aws s3 sync --dryrun ${source} ${target} ${common}` },
      { title: 'Upload (never add --delete)', command: `aws s3 sync ${source} ${target} ${common}` },
      { title: 'List what is in the bucket', command: `aws s3 ls ${target} ${common}` },
    ],
    notes: [
      'The AWS CLI has no "never overwrite" mode. "aws s3 sync" without --delete deletes nothing, but it uploads, and so overwrites, a same-name object when the sizes differ or the local file is newer; a changed file of the same size and an older time is skipped. "aws s3 cp --recursive" overwrites every same-name object. Read the dry run first; for strict upload-only, use rclone.',
      'AWS CLI 2.9 has no endpoint_url setting, so every command carries --endpoint-url.',
      'The profile reads its keys through credential_process = connect-guard credential-process, which asks for the passphrase for external tools (or reads CONNECT_GUARD_TOOL_PASSPHRASE); no key is written to ~/.aws in plain text.',
    ],
  };
}

export interface McGuideInput {
  readonly alias: string;
  readonly bucket: string;
  readonly endpointUrl: string;
  readonly accessKey: string;
  readonly source?: string;
}

/** mc (MinIO client) is not in Debian (Debian's `mc` is Midnight Commander): Connect Guard only prints these steps. */
export function mcGuide(input: McGuideInput): ToolGuide {
  const source = shellWord(input.source ?? './folder-to-upload');
  const target = shellWord(`${input.alias}/${input.bucket}`);
  return {
    tool: 'mc',
    name: input.alias,
    bucket: input.bucket,
    steps: [
      {
        title: `Add the alias; mc asks for the Access Key (${input.accessKey}) and the Secret Key (input hidden); paste the Secret Key from Connect Guard ("Copy secret")`,
        command: `mc alias set ${shellWord(input.alias)} ${shellWord(input.endpointUrl)} --api S3v4 --path on`,
      },
      { title: 'Dry run: see what would be uploaded', command: `mc mirror --dry-run ${source} ${target}` },
      { title: 'Upload only: without --overwrite and --remove, mc mirror neither overwrites nor deletes', command: `mc mirror ${source} ${target}` },
      { title: 'List what is in the bucket', command: `mc ls ${target}` },
    ],
    notes: [
      'mc keeps its aliases, Secret Key included, in plain-text JSON (~/.mc/config.json, mode 0600): anyone who can read your home folder can read the key. Prefer rclone or the AWS CLI set up by Connect Guard, whose keys stay encrypted.',
      'Never add --overwrite or --remove to mc mirror: --remove deletes from the bucket what is not in the local folder.',
    ],
  };
}

/** The guide as plain text for a terminal. */
export function formatToolGuide(guide: ToolGuide): string {
  const steps = guide.steps.map((step, i) => `  ${i + 1}. ${step.title}:\n       ${step.command}\n`).join('');
  const notes = guide.notes.map((note) => `  - ${note}\n`).join('');
  return `${steps}\nGood to know:\n${notes}`;
}
