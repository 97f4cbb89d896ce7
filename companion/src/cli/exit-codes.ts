import type { ConnectGuardErrorCode } from '../../../shared/errors.ts';

/** Exit codes of every command, listed in `--help`. */
export const EXIT = {
  ok: 0,
  /** Unexpected failure (a bug: please report it). */
  internal: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** Bad input: manifest, snapshot, folder, bucket name or endpoint; a vault export, tool config or passphrase; a full disk. */
  invalidInput: 3,
  /** Credentials or permissions: wrong keys, no such bucket, access denied, missing credentials. */
  access: 4,
  /** The server cannot be reached (DNS, refused, TLS, timeouts, clock skew), or its answers break S3's rules. */
  unreachable: 5,
  /** Stopped by the user (Ctrl-C). */
  cancelled: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0    success (for doctor: every check passed; for bucket-name: the name fits)
  1    unexpected failure
  2    wrong usage (unknown option, missing argument, secret on the command line)
  3    bad input (manifest, snapshot, folder, bucket name, endpoint; a vault export or its passphrase;
       a tool that is not installed, a remote that exists, a config that cannot be opened or written;
       the local disk full)
  4    credentials or permissions (wrong Access or Secret Key, no such bucket, access denied or IP not allowed)
  5    server unreachable (DNS, connection refused, TLS, timeout, clock skew) or faulty (a listing that breaks S3's rules)
  130  cancelled`;

export function exitCodeFor(code: ConnectGuardErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'INVALID_BUCKET_NAME':
    case 'INVALID_ENDPOINT':
    case 'NOT_FOUND':
    case 'ALREADY_EXISTS':
    case 'TOOL_NOT_INSTALLED':
    case 'TOOL_CONFIG_LOCKED':
    case 'CANNOT_WRITE':
    case 'DISK_FULL':
    case 'WRONG_PASSPHRASE':
    case 'WEAK_PASSPHRASE':
    case 'VAULT_CORRUPT':
    case 'UNSUPPORTED_VERSION':
    case 'KDF_BELOW_FLOOR':
      return EXIT.invalidInput;
    case 'WRONG_ACCESS_KEY':
    case 'WRONG_SECRET_KEY':
    case 'NO_SUCH_BUCKET':
    case 'IP_NOT_ALLOWED':
    case 'ACCESS_DENIED':
    case 'MISSING_CREDENTIALS':
      return EXIT.access;
    case 'ENDPOINT_UNREACHABLE':
    case 'TLS_ERROR':
    case 'CLOCK_SKEW':
    case 'TIMEOUT':
    case 'SERVER_FAULT':
      return EXIT.unreachable;
    case 'CANCELLED':
      return EXIT.cancelled;
    default:
      return EXIT.internal;
  }
}
