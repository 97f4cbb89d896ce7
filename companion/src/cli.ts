import { ConnectGuardError } from '../../shared/errors.ts';
import { refuseSecretArguments } from './credentials/refuse-secret-arguments.ts';
import { BUCKET_NAME_HELP, runBucketName } from './cli/bucket-name-command.ts';
import { AUDIT_HELP, runAudit } from './cli/audit-command.ts';
import { BACKUP_HELP, runBackup } from './cli/backup-command.ts';
import { UsageError, type CliIo } from './cli/cli-io.ts';
import { DIFF_HELP, runDiff } from './cli/diff-command.ts';
import { DOCTOR_HELP, runDoctor } from './cli/doctor-command.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './cli/exit-codes.ts';
import { INVENTORY_HELP, runInventory } from './cli/inventory-command.ts';
import { RESTORE_HELP, runRestore } from './cli/restore-command.ts';
import { SETUP_HELP, runSetup } from './cli/setup-command.ts';
import { TOOLS_HELP, UPDATE_TOOLS_HELP, runTools, runUpdateTools } from './cli/update-tools-command.ts';
import { CREDENTIAL_PROCESS_HELP, RCLONE_CONFIG_PASSWORD_HELP, runCredentialProcess, runRcloneConfigPassword } from './cli/tool-secret-commands.ts';
import { HOST_HELP, runHostCommand } from './host/host-command.ts';
import { INSTALL_HOST_HELP, UNINSTALL_HOST_HELP, runInstallHostCommand, runUninstallHostCommand } from './host/install-host-command.ts';

export const MAIN_HELP = `Usage: connect-guard COMMAND [options]

Before you connect WeSendit storage to a bucket that already holds data, see what the sync will do.

Commands:
  inventory     list a bucket (or folder, or manifest) with progress; write a snapshot
  diff          compare a bucket with WeSendit's files: what appears, is written, is the same, conflicts
  doctor        check endpoint, keys, bucket and permissions; name what is wrong and the fix
  backup        back a bucket up to a local folder (or another bucket), verified, resumable, incremental
  restore       put back what a sync deleted or overwrote, from a backup (dry run unless --apply)
  audit         after the connect: review the sync result against the plan the preview made
  bucket-name   explain a WeSendit bucket name ({user account id}-{item id}-{label})
  setup         hand a storage to rclone, the AWS CLI or mc safely (encrypted config, upload-only commands)
  tools         list the external tools set up by "setup"
  update-tools  after a lost or rotated key: give those tools the new key and check each one works
  credential-process, rclone-config-password
                what the tools set up by "setup" run to read their key (not for the terminal)
  install-host  register the companion with Chromium, Chrome, Brave, Edge and Firefox for the extension
  uninstall-host  remove that registration
  host          the native-messaging host the browser starts (not for the terminal)

Run "connect-guard COMMAND --help" for a command's options.

Example:
  export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…   (or --profile NAME, or be asked)
  connect-guard diff --endpoint s3.example.com --bucket my-nas-backup --manifest wesendit.csv

${EXIT_CODES_HELP}
`;

const HELP: Record<string, string> = { inventory: INVENTORY_HELP, diff: DIFF_HELP, backup: BACKUP_HELP, restore: RESTORE_HELP, audit: AUDIT_HELP, doctor: DOCTOR_HELP, 'bucket-name': BUCKET_NAME_HELP, host: HOST_HELP, 'install-host': INSTALL_HOST_HELP, 'uninstall-host': UNINSTALL_HOST_HELP, setup: SETUP_HELP, tools: TOOLS_HELP, 'update-tools': UPDATE_TOOLS_HELP, 'credential-process': CREDENTIAL_PROCESS_HELP, 'rclone-config-password': RCLONE_CONFIG_PASSWORD_HELP };

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help': {
      const topic = command === 'help' ? rest[0] : undefined;
      io.stdout.write(topic && HELP[topic] ? HELP[topic] : MAIN_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    case 'inventory':
      return runInventory(rest, io);
    case 'diff':
      return runDiff(rest, io);
    case 'doctor':
      return runDoctor(rest, io);
    case 'backup':
      return runBackup(rest, io);
    case 'restore':
      return runRestore(rest, io);
    case 'audit':
      return runAudit(rest, io);
    case 'bucket-name':
      return runBucketName(rest, io);
    case 'setup':
      return runSetup(rest, io);
    case 'tools':
      return runTools(rest, io);
    case 'update-tools':
      return runUpdateTools(rest, io);
    case 'credential-process':
      return runCredentialProcess(rest, io);
    case 'rclone-config-password':
      return runRcloneConfigPassword(rest, io);
    case 'host':
      return runHostCommand(rest, io);
    case 'install-host':
      return runInstallHostCommand(rest, io);
    case 'uninstall-host':
      return runUninstallHostCommand(rest, io);
    default:
      throw new UsageError(`Unknown command "${command}". Commands: inventory, diff, doctor, backup, restore, audit, bucket-name, setup, tools, update-tools, credential-process, rclone-config-password, install-host, uninstall-host, host.`, '');
  }
}

/**
 * Runs the CLI and returns its exit code. User errors print their message (which names the
 * fix) without a stack trace; CONNECT_GUARD_DEBUG=1 adds the stack.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    refuseSecretArguments(argv);
  } catch (error) {
    io.stderr.write(`connect-guard: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
  try {
    return await dispatch(argv, io);
  } catch (error) {
    const debug = io.env.CONNECT_GUARD_DEBUG === '1';
    if (error instanceof UsageError) {
      io.stderr.write(`connect-guard: ${error.message}\nRun "connect-guard ${error.command ? `${error.command} ` : ''}--help" for usage.\n`);
      return EXIT.usage;
    }
    if (error instanceof ConnectGuardError) {
      io.stderr.write(`connect-guard: ${error.message}\n${debug && error.stack ? `${error.stack}\n` : ''}`);
      return exitCodeFor(error.code);
    }
    if (io.signal.aborted) {
      io.stderr.write('connect-guard: cancelled.\n');
      return EXIT.cancelled;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `connect-guard: unexpected error: ${message}\n` +
        (debug && error instanceof Error && error.stack ? `${error.stack}\n` : 'Run again with CONNECT_GUARD_DEBUG=1 to see where it happened, and please report it.\n'),
    );
    return EXIT.internal;
  }
}

/** Entry point of the `connect-guard` bin: real process streams, Ctrl-C cancels, second Ctrl-C exits. */
export async function runFromProcess(): Promise<void> {
  // The SDK warns on every run under Node < 22 about its own future releases; connect-guard
  // supports Node 20 and pins the SDK, so the notice is not something a user can act on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    controller.abort();
  });
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal: controller.signal,
  });
  process.exitCode = code;
  // Keep-alive sockets of the S3 client would hold the process open.
  process.stdin.pause();
}
