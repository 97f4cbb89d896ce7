/**
 * The S3 Server Address pointing at something that is not S3 (a web server, a portal page):
 * every command says so in plain words instead of "S3 request failed (NotFound): UnknownError",
 * and gives up at once instead of retrying a page that will never be a listing.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBucketObjects } from '../../companion/src/s3/list-bucket-objects.ts';
import { diagnoseConnection } from '../../companion/src/s3/diagnose-connection.ts';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { runCli } from '../support/run-cli.ts';

const PAGE = '<!DOCTYPE html><html><head><title>Files</title></head><body><h1>Not here</h1></body></html>';

/** A plain web server on 127.0.0.1: every request gets `status` and an HTML page. */
async function startWebServer(status: number): Promise<{ server: Server; endpoint: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    request.resume();
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(PAGE) });
    response.end(request.method === 'HEAD' ? undefined : PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, endpoint: `http://127.0.0.1:${port}`, requests: () => requests };
}

const connection = (endpoint: string) => ({ endpoint, accessKeyId: 'CGNOTS3KEY0000000001', secretAccessKey: 'cg-not-s3-secret-not-real' });

describe.each([
  [404, 'answering 404 Not Found with a web page'],
  [200, 'answering 200 OK with a web page'],
  [403, 'answering 403 Forbidden with a web page'],
])('a web server %i (%s)', (status) => {
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let home: string;

  beforeAll(async () => {
    web = await startWebServer(status);
    home = mkdtempSync(join(tmpdir(), 'cg-not-s3-'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => web.server.close(() => resolve()));
    rmSync(home, { recursive: true, force: true });
  });

  it('a listing says the address does not answer like an S3 server, after few requests', async () => {
    const client = createS3Client(connection(web.endpoint));
    const before = web.requests();
    try {
      const listing = (async () => {
        for await (const _entry of listBucketObjects({ client, bucket: 'usr-1-itm-2-files', endpoint: web.endpoint })) {
          // nothing is listed
        }
      })();
      await expect(listing).rejects.toMatchObject({
        code: 'INVALID_ENDPOINT',
        message: expect.stringMatching(new RegExp(`${web.endpoint.replace(/[.]/g, '\\.')} does not answer like an S3 server\\b.*HTTP ${status}`)),
      });
    } finally {
      client.destroy();
    }
    // The listing and one folder probe; no rounds of retries.
    expect(web.requests() - before).toBeLessThanOrEqual(4);
  });

  it('the doctor fails "server reachable" with the same words', async () => {
    const report = await diagnoseConnection({ connection: connection(web.endpoint), bucket: 'usr-1-itm-2-files' });
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.name === 'server reachable')).toMatchObject({ status: 'fail', code: 'INVALID_ENDPOINT', message: expect.stringMatching(/does not answer like an S3 server/) });
  });

  it('connect-guard backup exits 3 with the fix, not "S3 request failed"', async () => {
    const result = await runCli(['backup', '--bucket', 'usr-1-itm-2-files', '--endpoint', web.endpoint, '--to', join(home, 'backups')], home);
    expect(result.stderr).not.toMatch(/S3 request failed|UnknownError/);
    expect(result.stderr).toMatch(/does not answer like an S3 server/);
    expect(result.stderr).toMatch(/S3 Server Address/);
    expect(result.code).toBe(3);
  });
});
