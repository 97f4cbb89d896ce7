import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { ConnectGuardError, type ConnectGuardErrorCode } from '../../../shared/errors.ts';
import { classifyS3Error, s3ErrorCode } from './classify-s3-error.ts';
import { listMultipartUploads } from './list-multipart-uploads.ts';
import { createS3Client, type S3Connection } from './s3-client.ts';

export { classifyS3Error } from './classify-s3-error.ts';

export interface DiagnoseConnectionInput {
  readonly connection: S3Connection;
  readonly bucket: string;
  /** WeSendit's "Allowed IP addresses", shown when access is denied. */
  readonly allowedIps?: string;
  /**
   * Also check write permission with a PUT that the server must refuse (its Content-MD5 does not
   * match its body, so nothing is stored). Off by default: a doctor should not send writes to a
   * bucket unless asked; a server that ignored Content-MD5 would store a probe object (it is then
   * deleted at once and reported).
   */
  readonly probeWrite?: boolean;
  /** Milliseconds per request. Default 10 000. */
  readonly timeoutMs?: number;
  /** For tests: milliseconds added to the signing clock. */
  readonly clockOffsetMs?: number;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DoctorCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly code?: ConnectGuardErrorCode;
  readonly message: string;
}

export interface DoctorReport {
  /** No check failed (warnings allowed). */
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
}

const CHECKS = ['endpoint', 'server reachable', 'clock', 'access key', 'secret key', 'bucket', 'read permission', 'in-progress uploads', 'write permission'] as const;
type CheckName = (typeof CHECKS)[number];

/** Which checks an error at the first authenticated request leaves passed, and which it fails. */
const FAILS_AT: Partial<Record<ConnectGuardErrorCode, CheckName>> = {
  ENDPOINT_UNREACHABLE: 'server reachable',
  TLS_ERROR: 'server reachable',
  CLOCK_SKEW: 'clock',
  WRONG_ACCESS_KEY: 'access key',
  WRONG_SECRET_KEY: 'secret key',
  NO_SUCH_BUCKET: 'bucket',
  IP_NOT_ALLOWED: 'read permission',
  ACCESS_DENIED: 'read permission',
};

/**
 * Checks a connection step by step and names what is wrong in plain words with the fix from
 * WeSendit's troubleshooting section: endpoint unreachable (DNS, refused, TLS), clock skew, wrong
 * Access Key, wrong Secret Key, wrong bucket name, IP not allowed / missing permission. Reads
 * only, unless `probeWrite` is set.
 */
export async function diagnoseConnection(input: DiagnoseConnectionInput): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (name: CheckName, status: CheckStatus, message: string, code?: ConnectGuardErrorCode): void => {
    checks.push({ name, status, message, ...(code ? { code } : {}) });
  };
  const skipRest = (after: CheckName, why: string): DoctorReport => {
    for (const name of CHECKS.slice(CHECKS.indexOf(after) + 1)) add(name, 'skip', why);
    return { ok: false, checks };
  };

  let endpointUrl: string;
  try {
    endpointUrl = parseEndpoint(input.connection.endpoint).url;
    add('endpoint', 'pass', `Using ${endpointUrl}.`);
  } catch (error) {
    const classified = error instanceof ConnectGuardError ? error : classifyS3Error(error);
    add('endpoint', 'fail', classified.message, classified.code);
    return skipRest('endpoint', 'Not checked: the endpoint is not valid.');
  }

  const timeoutMs = input.timeoutMs ?? 10_000;
  // One attempt: the SDK would silently correct a skewed clock on retry, hiding it from the user.
  const client: S3Client = createS3Client(input.connection, {
    maxAttempts: 1,
    connectionTimeoutMs: timeoutMs,
    requestTimeoutMs: timeoutMs,
    ...(input.clockOffsetMs === undefined ? {} : { systemClockOffset: input.clockOffsetMs }),
  });
  const context = { bucket: input.bucket, endpoint: endpointUrl, ...(input.allowedIps ? { allowedIps: input.allowedIps } : {}) };
  try {
    try {
      await client.send(new ListObjectsV2Command({ Bucket: input.bucket, MaxKeys: 1 }));
    } catch (error) {
      const classified = classifyS3Error(error, context);
      const failing = FAILS_AT[classified.code];
      if (!failing) {
        add('server reachable', 'fail', classified.message, classified.code);
        return skipRest('server reachable', 'Not checked: the server gave an unexpected answer.');
      }
      for (const name of CHECKS.slice(1, CHECKS.indexOf(failing))) add(name, 'pass', passMessage(name, input.bucket));
      add(failing, 'fail', classified.message, classified.code);
      return skipRest(failing, `Not checked: fix "${failing}" first.`);
    }
    for (const name of CHECKS.slice(1, CHECKS.indexOf('read permission') + 1)) add(name, 'pass', passMessage(name, input.bucket));

    try {
      const uploads = await listMultipartUploads(client, input.bucket);
      if (!uploads.supported) add('in-progress uploads', 'warn', uploads.reason, 'MULTIPART_LISTING_UNSUPPORTED');
      else if (uploads.uploads.length > 0) {
        const sample = uploads.uploads.slice(0, 3).map((upload) => upload.key).join(', ');
        add(
          'in-progress uploads',
          'warn',
          `${uploads.uploads.length} upload(s) in progress (${sample}${uploads.uploads.length > 3 ? ', …' : ''}). Make sure no active uploads or transfers are running before you connect.`,
        );
      } else add('in-progress uploads', 'pass', 'No uploads in progress.');
    } catch (error) {
      const classified = classifyS3Error(error, context);
      add('in-progress uploads', 'warn', `Could not list in-progress uploads: ${classified.message}`, classified.code);
    }

    if (!input.probeWrite) add('write permission', 'skip', 'Not checked: the doctor only reads (use the write probe to check it).');
    else add(...(await probeWrite(client, input.bucket, context)));
  } finally {
    client.destroy();
  }
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

function passMessage(name: CheckName, bucket: string): string {
  switch (name) {
    case 'server reachable':
      return 'The server answers.';
    case 'clock':
      return "This computer's clock is close enough to the server's.";
    case 'access key':
      return 'The server knows the Access Key.';
    case 'secret key':
      return 'The Secret Key matches the Access Key.';
    case 'bucket':
      return `The bucket "${bucket}" exists.`;
    case 'read permission':
      return 'The bucket can be listed.';
    default:
      return 'OK.';
  }
}

async function probeWrite(client: S3Client, bucket: string, context: Parameters<typeof classifyS3Error>[1]): Promise<[CheckName, CheckStatus, string, ConnectGuardErrorCode?]> {
  const key = `.connect-guard-write-probe-${randomBytes(8).toString('hex')}`;
  const exists = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    () => false,
  );
  if (exists) return ['write permission', 'skip', 'Not checked: the probe name is taken.'];
  const wrongMd5 = createHash('md5').update('not the body').digest('base64');
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'connect-guard write probe', ContentMD5: wrongMd5 }));
  } catch (error) {
    const code = s3ErrorCode(error);
    if (code === 'BadDigest' || code === 'InvalidDigest') return ['write permission', 'pass', 'Writing is allowed (checked without storing anything).'];
    const classified = classifyS3Error(error, context);
    if (classified.code === 'ACCESS_DENIED' || classified.code === 'IP_NOT_ALLOWED') {
      return [
        'write permission',
        'warn',
        'These keys can read but not write (Read Only). That is enough for the preview and the backup; WeSendit needs Read & Write to sync into this bucket.',
        'ACCESS_DENIED',
      ];
    }
    return ['write permission', 'warn', `Could not check writing: ${classified.message}`, classified.code];
  }
  // The server ignored Content-MD5 and stored the probe: take it away again at once.
  const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
  return ['write permission', 'pass', `Writing is allowed. This server ignores Content-MD5, so a probe object "${key}" was written and deleted again.`];
}
