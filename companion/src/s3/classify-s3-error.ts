import { ConnectGuardError } from '../../../shared/errors.ts';
import { NotAnS3Answer } from './listing-faults.ts';

/** What the user told us that helps name the fix. */
export interface S3ErrorContext {
  readonly bucket?: string;
  readonly endpoint?: string;
  /** WeSendit's "Allowed IP addresses" field, when known. */
  readonly allowedIps?: string;
}

export const BUCKET_NAME_PATTERN_HELP =
  "WeSendit's bucket names follow the pattern {user account id}-{item id}-{label}, e.g. usr-48291-itm-00384-nas-to-wsi-backup. " +
  "Open the storage settings in WeSendit and compare the S3 API Bucket Name with the entry in your tool.";

function property(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value ? Reflect.get(value, name) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The S3 error code (`SignatureDoesNotMatch`, …) or the network error code (`ECONNREFUSED`, …). */
export function s3ErrorCode(error: unknown): string | undefined {
  const cause = property(error, 'cause');
  return (
    text(property(error, 'Code')) ??
    text(property(error, 'code')) ??
    (cause === undefined ? undefined : s3ErrorCode(cause)) ??
    text(property(error, 'name'))
  );
}

export function s3HttpStatus(error: unknown): number | undefined {
  const status = property(property(error, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

const networkCodes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNREFUSED', 'UND_ERR_SOCKET']);
const throttlingCodes = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests', 'TooManyRequestsException', 'RequestThrottled', 'ServiceUnavailable', 'InternalError', 'RequestTimeout']);
const tlsCodes = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|EPROTO$)/;

/**
 * Whether trying the same request again may succeed: 5xx, throttling (SlowDown), resets,
 * refused connections during a long run, timeouts. Not: wrong keys, missing bucket, denied.
 */
export function isRetryableS3Error(error: unknown): boolean {
  const code = s3ErrorCode(error);
  const status = s3HttpStatus(error);
  if (code === 'AbortError') return false;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (code !== undefined && (networkCodes.has(code) || throttlingCodes.has(code) || code === 'TimeoutError')) return true;
  const message = error instanceof Error ? error.message : '';
  return /socket hang up|ECONNRESET|timed? ?out|premature close|aborted/i.test(message) && code !== 'AbortError';
}

/**
 * Names any S3 failure in the words of WeSendit's troubleshooting section, with the fix.
 * Every failure of listing, backup and the doctor goes through here, so each has a stable code.
 */
/** The address answers, but not as S3 does (a web page, a portal, another service). */
function notAnS3Server(context: S3ErrorContext, status: number, description: string, cause: unknown): ConnectGuardError {
  const address = context.endpoint ? `The address ${context.endpoint}` : 'The S3 Server Address';
  return new ConnectGuardError(
    'INVALID_ENDPOINT',
    `${address} does not answer like an S3 server: it answered an S3 request with HTTP ${status} and ${description}. ` +
      'Check the S3 Server Address: it is the address WeSendit shows as "S3 Server Address" under Settings → API Keys and Connection (or your provider\'s S3 endpoint), not the address of a web page.',
    { cause },
  );
}

export function classifyS3Error(error: unknown, context: S3ErrorContext = {}): ConnectGuardError {
  if (error instanceof ConnectGuardError) return error;
  if (error instanceof NotAnS3Answer) return notAnS3Server(context, error.status, error.description, error);
  const code = s3ErrorCode(error);
  const status = s3HttpStatus(error);
  const where = context.endpoint ? ` (${context.endpoint})` : '';
  const bucket = context.bucket ? `"${context.bucket}"` : 'the bucket';
  const options = { cause: error };
  switch (code) {
    case 'InvalidAccessKeyId':
      return new ConnectGuardError(
        'WRONG_ACCESS_KEY',
        'The server does not know this Access Key. Check that the Access Key is entered correctly; you can view it anytime in WeSendit under Settings → API Keys and Connection.',
        options,
      );
    case 'SignatureDoesNotMatch':
      return new ConnectGuardError(
        'WRONG_SECRET_KEY',
        'The Access Key is known but the Secret Key does not match it. Check that the Secret Key is entered correctly (no missing characters or spaces). If the Secret Key has been lost, new S3 credentials must be generated in WeSendit.',
        options,
      );
    case 'NoSuchBucket':
      return new ConnectGuardError('NO_SUCH_BUCKET', `There is no bucket ${bucket} at this endpoint${where}. ${BUCKET_NAME_PATTERN_HELP}`, options);
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'Forbidden': {
      if (context.allowedIps && context.allowedIps.trim() !== '') {
        return new ConnectGuardError(
          'IP_NOT_ALLOWED',
          `Access to ${bucket} was denied. This storage only accepts requests from these IP addresses: ${context.allowedIps.trim()}. Run this from one of them, or add this computer's public IP address in WeSendit under Settings → API Keys and Connection. If the address is allowed, check that the permissions include reading (Read Only or Read & Write).`,
          options,
        );
      }
      return new ConnectGuardError(
        'ACCESS_DENIED',
        `The keys are valid but access to ${bucket} was denied. Either access is limited to certain IP addresses and this computer's address is not among them, or the permissions do not allow this (Write Only keys cannot list). Check "Allowed IP addresses" and "Permissions" in WeSendit under Settings → API Keys and Connection.`,
        options,
      );
    }
    case 'RequestTimeTooSkewed':
      return new ConnectGuardError(
        'CLOCK_SKEW',
        "This computer's clock differs too much from the server's (more than 15 minutes), so the server rejects the signed requests. Set the clock to synchronise automatically (NTP), then try again.",
        options,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectGuardError('ENDPOINT_UNREACHABLE', `The S3 Server Address${where} cannot be found (DNS lookup failed). Check the address for typos, and that this computer is online.`, options);
    case 'ECONNREFUSED':
      return new ConnectGuardError('ENDPOINT_UNREACHABLE', `Nothing answers at the S3 Server Address${where} (connection refused). Check the address and port, and that no firewall blocks it.`, options);
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'TimeoutError':
      return new ConnectGuardError('ENDPOINT_UNREACHABLE', `The S3 Server Address${where} did not answer in time. Check the address, your network and any firewall or proxy.`, options);
    case 'AbortError':
      return new ConnectGuardError('CANCELLED', 'Cancelled.', options);
    default:
      break;
  }
  if (code !== undefined && tlsCodes.test(code)) {
    return new ConnectGuardError(
      'TLS_ERROR',
      `The secure connection to the S3 Server Address${where} failed (${code}). Check that the address is right (https:// for a TLS server, http:// for a plain one) and that its certificate is valid for this host name.`,
      options,
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  if (status !== undefined && (status >= 500 || status === 429)) {
    return new ConnectGuardError('ENDPOINT_UNREACHABLE', `The S3 server${where} kept failing (HTTP ${status}${code ? ` ${code}` : ''}) after several retries. Try again later.`, options);
  }
  return new ConnectGuardError('INTERNAL', `S3 request failed${code ? ` (${code})` : ''}: ${detail}`, options);
}
