import { ConnectGuardError } from '../../../shared/errors.ts';

/** Options people try for a secret: `--secret-key`, `--aws-secret-access-key=…`, `--secret`, `--password`. */
const SECRET_OPTION = /^--?(?:aws[-_]?)?(?:secret(?:[-_]?(?:access)?[-_]?key)?|password|passwd|sk)(?:=.*)?$/i;

/**
 * Refuses any command-line option that would carry a secret: the command line is visible to
 * every user of the machine (`ps`, /proc/PID/cmdline) and lands in shell history. The error
 * names the option only, never its value.
 */
export function refuseSecretArguments(argv: readonly string[]): void {
  for (const argument of argv) {
    if (argument === '--') return;
    if (!SECRET_OPTION.test(argument)) continue;
    const option = argument.split('=')[0];
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `The Secret Key is not accepted on the command line (${option}): command lines are visible to other users in "ps" and are kept in your shell history. ` +
        'Instead, either set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, use a profile from ~/.aws/credentials (--profile NAME or AWS_PROFILE), ' +
        'or run on a terminal and type it when asked (the input is hidden). If you typed the key into this command, consider it exposed: remove it from your shell history.',
    );
  }
}
