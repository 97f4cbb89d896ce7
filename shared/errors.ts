/**
 * Errors that cross a boundary (background ↔ page, extension ↔ companion, CLI ↔ user) carry a
 * stable code and a message that names the fix.
 */
export type ConnectGuardErrorCode =
  | 'WRONG_ACCESS_KEY'
  | 'WRONG_SECRET_KEY'
  | 'NO_SUCH_BUCKET'
  | 'IP_NOT_ALLOWED'
  | 'ACCESS_DENIED'
  | 'ENDPOINT_UNREACHABLE'
  | 'TLS_ERROR'
  | 'CLOCK_SKEW'
  | 'INVALID_ENDPOINT'
  | 'INVALID_BUCKET_NAME'
  | 'INVALID_INPUT'
  | 'MISSING_CREDENTIALS'
  | 'MULTIPART_LISTING_UNSUPPORTED'
  | 'COMPANION_UNAVAILABLE'
  | 'PROTOCOL_ERROR'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'VAULT_LOCKED'
  | 'VAULT_MISSING'
  | 'VAULT_EXISTS'
  | 'WRONG_PASSPHRASE'
  | 'WEAK_PASSPHRASE'
  | 'KDF_BELOW_FLOOR'
  | 'VAULT_CORRUPT'
  | 'UNSUPPORTED_VERSION'
  | 'VERIFY_FAILED'
  | 'NOT_FOUND'
  /** The S3 server's answer breaks S3's rules (a listing page out of order, without the token it announces, with a wrong KeyCount, not well-formed). */
  | 'SERVER_FAULT'
  | 'FORBIDDEN_SENDER'
  /** WeSendit's file browser could not be found or read (no file table, a page failed, the list changed while reading). */
  | 'WESENDIT_LISTING_FAILED'
  /** An external tool (rclone, aws) that a hand-off needs is not installed. */
  | 'TOOL_NOT_INSTALLED'
  /** An external tool's config is encrypted with a password Connect Guard does not hold. */
  | 'TOOL_CONFIG_LOCKED'
  /** A remote, profile or alias of that name exists already; nothing is overwritten silently. */
  | 'ALREADY_EXISTS'
  /** A file could not be written (read-only, permissions, disk full); nothing was changed. */
  | 'CANNOT_WRITE'
  /** The local disk filled up during a backup or restore; what was finished is kept for the next run. */
  | 'DISK_FULL'
  | 'INTERNAL';

export interface ErrorData {
  readonly code: ConnectGuardErrorCode;
  readonly message: string;
}

export class ConnectGuardError extends Error {
  override readonly name = 'ConnectGuardError';
  constructor(
    readonly code: ConnectGuardErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into error data that can cross a message boundary. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof ConnectGuardError) return error.toData();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message };
}

/** Rethrows error data received from another context as a real Error. */
export function fromErrorData(data: ErrorData): ConnectGuardError {
  return new ConnectGuardError(data.code, data.message);
}

/** Every error code, so a code from another process can be checked (a missing key fails to compile). */
const ERROR_CODES: Readonly<Record<ConnectGuardErrorCode, true>> = {
  WRONG_ACCESS_KEY: true,
  WRONG_SECRET_KEY: true,
  NO_SUCH_BUCKET: true,
  IP_NOT_ALLOWED: true,
  ACCESS_DENIED: true,
  ENDPOINT_UNREACHABLE: true,
  TLS_ERROR: true,
  CLOCK_SKEW: true,
  INVALID_ENDPOINT: true,
  INVALID_BUCKET_NAME: true,
  INVALID_INPUT: true,
  MISSING_CREDENTIALS: true,
  MULTIPART_LISTING_UNSUPPORTED: true,
  COMPANION_UNAVAILABLE: true,
  PROTOCOL_ERROR: true,
  TIMEOUT: true,
  CANCELLED: true,
  VAULT_LOCKED: true,
  VAULT_MISSING: true,
  VAULT_EXISTS: true,
  WRONG_PASSPHRASE: true,
  WEAK_PASSPHRASE: true,
  KDF_BELOW_FLOOR: true,
  VAULT_CORRUPT: true,
  UNSUPPORTED_VERSION: true,
  VERIFY_FAILED: true,
  NOT_FOUND: true,
  SERVER_FAULT: true,
  FORBIDDEN_SENDER: true,
  WESENDIT_LISTING_FAILED: true,
  TOOL_NOT_INSTALLED: true,
  TOOL_CONFIG_LOCKED: true,
  ALREADY_EXISTS: true,
  CANNOT_WRITE: true,
  DISK_FULL: true,
  INTERNAL: true,
};

export function isErrorCode(value: unknown): value is ConnectGuardErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function isErrorData(value: unknown): value is ErrorData {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value && isErrorCode(value.code) && typeof value.message === 'string';
}
