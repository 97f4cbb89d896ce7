import { ConnectGuardError } from './errors.ts';

/** An S3 endpoint as the SDK wants it, parsed from what the user typed or WeSendit showed. */
export interface ParsedEndpoint {
  /** `scheme://host[:port]`, no path, no trailing slash. */
  readonly url: string;
  /** Host name without brackets for IPv6. */
  readonly host: string;
  readonly port?: number;
  /** An Amazon S3 endpoint (virtual-hosted style works there; elsewhere path style is safer). */
  readonly isAws: boolean;
  /** The region when the host name names one (AWS, Wasabi). */
  readonly region?: string;
  /** Path-style requests (`host/bucket/key`): what most S3-compatible servers need. */
  readonly forcePathStyle: boolean;
}

const example = 'Example: https://s3.example.com or s3.example.com:9000';

function invalid(input: string, why: string): ConnectGuardError {
  return new ConnectGuardError('INVALID_ENDPOINT', `The S3 Server Address "${input}" ${why}. ${example}`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

const awsHost = /^(?:.+\.)?(s3(?:[.-](?:dualstack|fips)|-fips)?(?:[.-]([a-z]{2}(?:-gov)?-[a-z]+-\d))?\.amazonaws\.com(?:\.cn)?)$/;
const wasabiHost = /^s3\.([a-z]{2}-[a-z]+-\d)\.wasabisys\.com$/;
const hostName = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

/**
 * Accepts the endpoint however it is written — with or without `https://`, with a port, a
 * trailing slash, a path (dropped: the bucket is given separately) or surrounding whitespace —
 * and returns the URL the S3 client needs. Without a scheme, https is assumed, except for
 * loopback hosts (a local test server speaks plain http).
 *
 * @throws ConnectGuardError `INVALID_ENDPOINT` saying what is wrong, with an example.
 */
export function parseEndpoint(input: string): ParsedEndpoint {
  const trimmed = input.trim();
  if (trimmed === '') throw invalid(input, 'is empty');
  if (/\s/.test(trimmed)) throw invalid(trimmed, 'contains spaces');
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed);
  const scheme = schemeMatch?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    throw invalid(trimmed, `uses "${scheme}://"; an S3 endpoint starts with https:// (or http:// for a local server)`);
  }
  if (scheme === undefined && /^[a-z][a-z0-9+.-]*:[^0-9]/i.test(trimmed) && !trimmed.startsWith('[')) {
    throw invalid(trimmed, 'is not a web address');
  }
  let parsed: URL;
  try {
    parsed = new URL(scheme === undefined ? `https://${trimmed}` : trimmed);
  } catch {
    throw invalid(trimmed, 'is not a valid address');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalid(trimmed, 'contains a user name or password; enter only the server address and put the keys in their own fields');
  }
  const bracketed = parsed.hostname;
  const host = bracketed.startsWith('[') ? bracketed.slice(1, -1) : bracketed;
  if (host === '') throw invalid(trimmed, 'has no host name');
  const isIpv6 = bracketed.startsWith('[');
  const isIpv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  if (!isIpv6 && !isIpv4 && !hostName.test(host)) throw invalid(trimmed, `has an invalid host name "${host}"`);
  if (!isIpv6 && !isIpv4 && /^[\d.]+$/.test(host)) throw invalid(trimmed, `has an invalid IP address "${host}"`);
  const protocol = scheme ?? (isLoopback(host) ? 'http' : 'https');
  const port = parsed.port === '' ? undefined : Number(parsed.port);
  const url = `${protocol}://${bracketed}${port === undefined ? '' : `:${port}`}`;

  const aws = awsHost.exec(host);
  if (aws) {
    // `bucket.s3.eu-central-1.amazonaws.com` is a bucket's own address: keep only the service host.
    const serviceHost = aws[1] ?? host;
    const region = aws[2] ?? 'us-east-1';
    return { url: `${protocol}://${serviceHost}${port === undefined ? '' : `:${port}`}`, host: serviceHost, ...(port === undefined ? {} : { port }), isAws: true, region, forcePathStyle: false };
  }
  const wasabi = wasabiHost.exec(host);
  return {
    url,
    host,
    ...(port === undefined ? {} : { port }),
    isAws: false,
    ...(wasabi?.[1] ? { region: wasabi[1] } : {}),
    forcePathStyle: true,
  };
}
