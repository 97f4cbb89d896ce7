import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { refuseAnswersNotS3 } from './refuse-answers-not-s3.ts';

/** The client, named for code outside `s3/`: only files in `s3/` import the SDK, even for types. */
export type { S3Client };

/** Where and as whom to talk S3. The secret stays in memory only. */
export interface S3Connection {
  /** The S3 Server Address, written any way `parseEndpoint` accepts. */
  readonly endpoint: string;
  /** Signing region; defaults to the one named by the endpoint, else `us-east-1`. */
  readonly region?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3ClientOptions {
  /** Sockets kept open per client; at least the listing concurrency. Default 64. */
  readonly maxSockets?: number;
  /** Milliseconds to establish a TCP/TLS connection. Default 5 000. */
  readonly connectionTimeoutMs?: number;
  /** Milliseconds a request may stay silent before it is abandoned and retried. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /**
   * Attempts per request, including the first. The SDK's standard strategy retries 5xx,
   * SlowDown/throttling, connection resets and timeouts with exponential backoff and full
   * jitter. Default 6.
   */
  readonly maxAttempts?: number;
  /** Clock offset in ms added to the signing time (the SDK corrects it after a skew error). */
  readonly systemClockOffset?: number;
}

/**
 * An S3 client that works unchanged against AWS and S3-compatible servers (Ceph, MinIO, R2,
 * Wasabi, WeSendit): path-style requests off AWS, and checksums only when an operation requires
 * them off AWS: with the SDK's defaults (trailing checksums since early 2025) many such servers
 * reject or corrupt streamed uploads; Ceph answers a streamed PUT with 411 MissingContentLength.
 */
export function createS3Client(connection: S3Connection, options: S3ClientOptions = {}): S3Client {
  const endpoint = parseEndpoint(connection.endpoint);
  const maxSockets = options.maxSockets ?? 64;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  const client = new S3Client({
    endpoint: endpoint.url,
    region: connection.region ?? endpoint.region ?? 'us-east-1',
    forcePathStyle: endpoint.forcePathStyle,
    ...(endpoint.isAws ? {} : { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }),
    credentials: {
      accessKeyId: connection.accessKeyId,
      secretAccessKey: connection.secretAccessKey,
      ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
    },
    maxAttempts: options.maxAttempts ?? 6,
    retryMode: 'standard',
    ...(options.systemClockOffset === undefined ? {} : { systemClockOffset: options.systemClockOffset }),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      // Until the response starts; without throwOnRequestTimeout the handler only logs a warning.
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
      // A body that stops flowing half-way.
      socketTimeout: options.requestTimeoutMs ?? 30_000,
    }),
  });
  // A wrong address (a web page) is named as such, not as "UnknownError".
  refuseAnswersNotS3(client);
  return client;
}
