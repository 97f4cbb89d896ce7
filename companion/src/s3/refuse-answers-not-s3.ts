import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { NotAnS3Answer } from './listing-faults.ts';

/**
 * An S3 Server Address that points at a web server (a portal, a login page, a typo that lands on
 * a homepage) answers S3 requests with HTML. The SDK cannot read it and reports
 * "NotFound: UnknownError", or, for a 200 page, an empty listing. This looks at every raw answer
 * before the SDK does and turns one that is not S3's into {@link NotAnS3Answer}, which
 * `classifyS3Error` names as a wrong address. It is not retried: the page will not change.
 *
 * Left alone: 5xx answers (a proxy's error page during an outage is retried as a server failure),
 * and the bodies of GetObject/HeadObject (an object may well be a web page).
 */

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

function isRawResponse(value: unknown): value is RawResponse {
  return typeof value === 'object' && value !== null && 'statusCode' in value && typeof value.statusCode === 'number' && 'headers' in value && 'body' in value;
}

const OBJECT_COMMANDS = new Set(['GetObjectCommand', 'HeadObjectCommand']);
/** Error answers are small; a longer one is not read past this. */
const MAX_ERROR_BODY = 64 * 1024;

function contentType(response: RawResponse): string {
  const found = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'content-type');
  return (found?.[1] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(bytes);
      size += bytes.length;
      if (size > MAX_ERROR_BODY) break;
    }
    return Buffer.concat(chunks);
  }
  return Buffer.alloc(0);
}

/** Whether an error body is S3's: XML whose root element is `<Error>`. */
function isS3ErrorBody(text: string): boolean {
  const start = text
    .replace(/^\uFEFF/, '')
    .replace(/^\s*<\?xml[^>]*\?>/, '')
    .replace(/^(\s*<!--[\s\S]*?-->)*/, '')
    .trimStart();
  return /^<Error[\s>]/.test(start);
}

function describe(type: string, text: string): string {
  if (type === 'text/html' || type === 'application/xhtml+xml' || /^\s*(<!doctype html|<html)/i.test(text)) return `a web page (${type || 'HTML'})`;
  return type ? `a reply of type ${type} that is not S3's` : 'a reply that is not S3\'s';
}

/** Makes every request of this client fail with {@link NotAnS3Answer} when the answer is not S3's. */
export function refuseAnswersNotS3(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const response: unknown = result.response;
      if (!isRawResponse(response)) return result;
      const status = response.statusCode;
      const type = contentType(response);
      if (status >= 500 || status === 304) return result;
      if (status < 300) {
        if (!OBJECT_COMMANDS.has(context.commandName ?? '') && (type === 'text/html' || type === 'application/xhtml+xml')) {
          throw new NotAnS3Answer(status, describe(type, ''));
        }
        return result;
      }
      const bytes = await readBody(response.body);
      const text = bytes.toString('utf8');
      if (text.trim() === '') {
        // A HEAD answer has no body: its type is all there is to go by.
        if (type === 'text/html' || type === 'application/xhtml+xml') throw new NotAnS3Answer(status, describe(type, ''));
        response.body = Readable.from([bytes]);
        return result;
      }
      if (!isS3ErrorBody(text)) throw new NotAnS3Answer(status, describe(type, text));
      response.body = Readable.from([bytes]);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'connectGuardRefuseAnswersNotS3' },
  );
}
