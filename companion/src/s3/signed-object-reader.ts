import { createHash, createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { encryptionOf, type ObjectEncryption } from '../../../shared/backup/backup-manifest.ts';

/** An object's bytes and the headers a backup keeps. */
export interface ObjectResponse {
  readonly body: IncomingMessage;
  readonly contentLength?: number;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
  /** Encryption whose ETag is not an MD5 (from the response headers). */
  readonly encryption?: ObjectEncryption;
}

/** Fails like an SDK error does (`Code`, `$metadata.httpStatusCode`), so `classifyS3Error` names it. */
export class S3HttpError extends Error {
  override readonly name: string;
  readonly Code: string;
  readonly $metadata: { readonly httpStatusCode: number };
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
  }
}

export type ReadObject = (bucket: string, key: string, signal: AbortSignal) => Promise<ObjectResponse>;

export interface ObjectReader {
  readonly read: ReadObject;
  /** Closes the reader's keep-alive sockets. */
  destroy(): void;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** RFC 3986 encoding as SigV4 wants it for S3 paths: every byte but unreserved ones and `/`. */
function encodePath(path: string): string {
  return encodeURIComponent(path)
    .replaceAll('%2F', '/')
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/**
 * GetObject for many small objects: SigV4-signed requests on a keep-alive agent, the bytes
 * streamed as they come. The SDK's per-request work (middleware stack, endpoint rules, schema,
 * checksum plumbing) cost more CPU than the download of a 4 KiB object itself; a backup of
 * 100k objects is that many requests. Signing follows AWS's SigV4 specification with the
 * client's own credentials, region, endpoint and clock offset. Returns undefined when the
 * client is not a path-style client (AWS virtual-hosted buckets): the SDK serves those.
 */
export async function createSignedObjectReader(client: S3Client, maxSockets: number): Promise<ObjectReader | undefined> {
  const config = client.config;
  if (!config.forcePathStyle || !config.endpoint) return undefined;
  const endpoint = await config.endpoint();
  const region = await config.region();
  const secure = endpoint.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }) : new HttpAgent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const request = secure ? httpsRequest : httpRequest;
  const host = endpoint.port ? `${endpoint.hostname}:${endpoint.port}` : endpoint.hostname;
  const basePath = endpoint.path.replace(/\/$/, '');
  const signingKeys = new Map<string, Buffer>();

  const read: ReadObject = async (bucket, key, signal) => {
    const credentials = await config.credentials();
    const now = new Date(Date.now() + (config.systemClockOffset ?? 0));
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const path = encodePath(`${basePath}/${bucket}/${key}`);
    const headers: Record<string, string> = { host, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': amzDate };
    if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
    const names = Object.keys(headers).sort();
    const canonical = ['GET', path, '', ...names.map((name) => `${name}:${headers[name]}`), '', names.join(';'), EMPTY_SHA256].join('\n');
    const scope = `${day}/${region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
    const cacheKey = `${credentials.accessKeyId}/${scope}`;
    let signingKey = signingKeys.get(cacheKey);
    if (!signingKey) {
      signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), 's3'), 'aws4_request');
      signingKeys.clear();
      signingKeys.set(cacheKey, signingKey);
    }
    const signature = createHmac('sha256', signingKey).update(toSign, 'utf8').digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;

    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = request({ host: endpoint.hostname, port: endpoint.port, path, method: 'GET', headers, agent, signal, timeout: 30_000 }, resolve);
      outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      outgoing.on('error', reject);
      outgoing.end();
    });
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      let text = '';
      for await (const chunk of response) text += String(chunk);
      const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? (status === 404 ? 'NoSuchKey' : `HTTP${status}`);
      const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${status}`;
      throw new S3HttpError(code, status, message);
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
    }
    const length = response.headers['content-length'];
    const etag = response.headers.etag?.replace(/^"|"$/g, '');
    const modified = response.headers['last-modified'];
    const type = response.headers['content-type'];
    const sse = response.headers['x-amz-server-side-encryption'];
    const customer = response.headers['x-amz-server-side-encryption-customer-algorithm'];
    const encryption = encryptionOf(typeof sse === 'string' ? sse : undefined, typeof customer === 'string' ? customer : undefined);
    return {
      body: response,
      ...(length !== undefined ? { contentLength: Number(length) } : {}),
      ...(etag ? { etag } : {}),
      ...(modified ? { lastModified: new Date(modified).toISOString() } : {}),
      ...(type ? { contentType: type } : {}),
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      ...(encryption ? { encryption } : {}),
    };
  };
  return { read, destroy: () => agent.destroy() };
}
