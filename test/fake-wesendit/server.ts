/**
 * A fake WeSendit web UI on 127.0.0.1 for the end-to-end tests and the demo (node:http, no
 * framework). Pages are small renderers in ./pages so further WeSendit screens (API Keys and
 * Connection, a storage's file list, the connect-to-bucket form) can be added as routes.
 *
 * Each "Create storage" issues fresh fake credentials. The response carrying the Secret Key is
 * `Cache-Control: no-store`, as a real credentials response would be; otherwise Chromium's HTTP
 * cache keeps a copy and a profile scan for the secret finds the page's copy, not a leak of ours.
 * Tests read the issued credentials server-side from `GET /__test/last-credentials`, so the
 * browser profile sees the secret only through the page itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { CREDENTIAL_FIELDS, type StorageCredentials } from '../../shared/credentials.ts';
import { generateFakeCredentials } from './fake-credentials.ts';
import { parseLang } from './pages/i18n.ts';
import { parseVariant, renderStoragesPage } from './pages/storages-page.ts';

export interface FakeWeSenditOptions {
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** The S3 Server Address shown in the dialog (later: a local S3 gateway). */
  readonly s3ServerAddress?: string;
  /** Issue these instead of random credentials (e.g. a real user of a local S3 gateway). */
  readonly issueCredentials?: () => StorageCredentials | Promise<StorageCredentials>;
}

export interface FakeWeSendit {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Credentials issued by the latest "Create storage", read server-side. */
  lastCredentials(): StorageCredentials | undefined;
  stop(): Promise<void>;
}

type Route = (request: IncomingMessage, url: URL, response: ServerResponse) => Promise<void> | void;

const CLIENT_SCRIPT = new URL('./pages/storages-client.js', import.meta.url);

function send(response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

export async function startFakeWeSendit(options: FakeWeSenditOptions = {}): Promise<FakeWeSendit> {
  let issued: StorageCredentials | undefined;
  const serverAddress = options.s3ServerAddress ?? 'https://s3.wesendit.example';

  const routes = new Map<string, Route>([
    ['GET /', (_request, url, response) => {
      response.writeHead(302, { Location: `/storages${url.search}` });
      response.end();
    }],
    ['GET /storages', (_request, url, response) => {
      const html = renderStoragesPage({
        lang: parseLang(url.searchParams.get('lang')),
        variant: parseVariant(url.searchParams.get('variant')),
        embedded: url.searchParams.get('embedded') === '1',
      });
      send(response, 200, 'text/html; charset=utf-8', html, { 'Cache-Control': 'no-cache' });
    }],
    ['GET /assets/storages-client.js', async (_request, _url, response) => {
      send(response, 200, 'text/javascript; charset=utf-8', await readFile(CLIENT_SCRIPT, 'utf8'), { 'Cache-Control': 'no-cache' });
    }],
    ['POST /api/storages', async (_request, _url, response) => {
      issued = options.issueCredentials ? await options.issueCredentials() : generateFakeCredentials({ serverAddress });
      send(response, 201, 'application/json', JSON.stringify(issued), { 'Cache-Control': 'no-store' });
    }],
    ['GET /__test/last-credentials', (_request, _url, response) => {
      if (!issued) return send(response, 404, 'application/json', JSON.stringify({ error: 'No storage created yet.' }), { 'Cache-Control': 'no-store' });
      send(response, 200, 'application/json', JSON.stringify(issued), { 'Cache-Control': 'no-store' });
    }],
  ]);

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = routes.get(`${request.method ?? 'GET'} ${url.pathname}`);
    if (!route) return send(response, 404, 'text/plain; charset=utf-8', `No page ${url.pathname}`);
    Promise.resolve()
      .then(() => route(request, url, response))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!response.headersSent) send(response, 400, 'text/plain; charset=utf-8', message);
        else response.destroy();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lastCredentials: () => issued,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Reads the latest issued credentials over HTTP (for a server started in another process). */
export async function fetchLastCredentials(baseUrl: string): Promise<StorageCredentials> {
  const response = await fetch(`${baseUrl}/__test/last-credentials`);
  if (!response.ok) throw new Error(`The fake WeSendit UI has not issued credentials yet (HTTP ${response.status}).`);
  const body: unknown = await response.json();
  if (!isStorageCredentials(body)) throw new Error('The fake WeSendit UI answered with something other than credentials.');
  return body;
}

function isStorageCredentials(value: unknown): value is StorageCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const record: Record<string, unknown> = { ...value };
  return CREDENTIAL_FIELDS.every((field) => typeof record[field] === 'string');
}
