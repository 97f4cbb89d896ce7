/**
 * The two commands the tools run, not the user: `credential-process` (the AWS CLI's
 * credential_process: prints `{"Version":1,"AccessKeyId":…,"SecretAccessKey":…}`) and
 * `rclone-config-password` (rclone's --password-command: prints the config password). Both open
 * the tool key file with the passphrase for external tools, from CONNECT_GUARD_TOOL_PASSPHRASE or
 * asked on the terminal (/dev/tty: the tools capture the child's stdout and stderr), and print
 * only to stdout, which the tool reads and does not show.
 */
import { ConnectGuardError } from '../../../shared/errors.ts';
import { readTtyPassphrase } from '../credentials/read-tty-passphrase.ts';
import { findToolKey, rclonePasswordOf, readToolKeys } from '../handoff/tool-keys.ts';
import { toolKeysPath } from '../handoff/tool-paths.ts';
import { UsageError, parseCommandArgs, type CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';

export const CREDENTIAL_PROCESS_HELP = `Usage: connect-guard credential-process --endpoint URL --bucket NAME [--tool-keys FILE]

For the AWS CLI's credential_process (written by "connect-guard setup aws"): prints the storage's
key pair as the AWS CLI expects it, read from the encrypted tool key file. The passphrase for
external tools comes from CONNECT_GUARD_TOOL_PASSPHRASE or is asked on the terminal.
`;

export const RCLONE_CONFIG_PASSWORD_HELP = `Usage: connect-guard rclone-config-password [--tool-keys FILE]

For rclone's --password-command (RCLONE_PASSWORD_COMMAND, printed by "connect-guard setup
rclone"): prints the password of the rclone config Connect Guard encrypted. The passphrase for
external tools comes from CONNECT_GUARD_TOOL_PASSPHRASE or is asked on the terminal.
`;

/** These commands print a secret for a tool to read: never onto a screen someone may be watching. */
function refuseTerminalOutput(io: CliIo, command: string): void {
  if (io.stdout.isTTY) {
    throw new ConnectGuardError('INVALID_INPUT', `"connect-guard ${command}" prints a secret for a tool to read and is not run by hand. Use the commands "connect-guard setup" printed.`);
  }
}

async function passphrase(io: CliIo): Promise<string> {
  const fromEnv = io.env.CONNECT_GUARD_TOOL_PASSPHRASE;
  if (fromEnv) return fromEnv;
  return readTtyPassphrase('connect-guard: passphrase for external tools (input hidden): ', 'Set CONNECT_GUARD_TOOL_PASSPHRASE for runs without a terminal.');
}

export async function runCredentialProcess(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('credential-process', args, { endpoint: { type: 'string' }, bucket: { type: 'string' }, 'tool-keys': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write(CREDENTIAL_PROCESS_HELP);
    return EXIT.ok;
  }
  refuseTerminalOutput(io, 'credential-process');
  if (!values.endpoint || !values.bucket) throw new UsageError('--endpoint and --bucket name the storage whose keys to print.', 'credential-process');
  const path = values['tool-keys'] ?? toolKeysPath(io.env);
  const { storages } = await readToolKeys(path, await passphrase(io));
  const storage = findToolKey(storages, values.endpoint, values.bucket);
  if (storage === undefined) {
    throw new ConnectGuardError('NOT_FOUND', `${path} holds no keys for bucket ${values.bucket} at ${values.endpoint}. Run "connect-guard setup aws" for this storage again.`);
  }
  io.stdout.write(`${JSON.stringify({ Version: 1, AccessKeyId: storage.credentials.accessKey.trim(), SecretAccessKey: storage.credentials.secretKey.trim() })}\n`);
  return EXIT.ok;
}

export async function runRcloneConfigPassword(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('rclone-config-password', args, { 'tool-keys': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write(RCLONE_CONFIG_PASSWORD_HELP);
    return EXIT.ok;
  }
  refuseTerminalOutput(io, 'rclone-config-password');
  const { vaultKey } = await readToolKeys(values['tool-keys'] ?? toolKeysPath(io.env), await passphrase(io));
  io.stdout.write(`${await rclonePasswordOf(vaultKey)}\n`);
  return EXIT.ok;
}
