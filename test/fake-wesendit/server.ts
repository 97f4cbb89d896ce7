/**
 * A fake WeSendit web UI on 127.0.0.1 for the end-to-end tests and the demo (node:http, no
 * framework). Pages are small renderers in ./pages, one route each:
 *
 * - `/storages` — "Create storage" and the one-time credentials dialog (ten markup variants)
 * - `/settings/api-keys` — "API Keys and Connection": the storage connections
 * - `/storage/files?storage=&path=&page=&perPage=&variant=` — a storage's file browser
 * - `/storage/connect?storage=&variant=` — the connect-to-bucket form; its "Connect" syncs the storage
 *   with the bucket on a loopback S3 server as WeSendit does (fake-connect-sync.ts), then shows the
 *   one-time credentials dialog
 *
 * Every page takes `?lang=de`. Tests and the demo set each storage's files through the returned
 * object (`setStorageFiles`) and read them back (`storageFiles`) to compute expected results.
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
import { syncStorageWithBucket, type ConflictPolicy, type ConnectSyncReport, type SyncMisbehaviour } from './fake-connect-sync.ts';
import { DEFAULT_STORAGES, FakeStorage, type FakeFile, type FakeFileSpec, type FakeStorageSpec } from './fake-storage.ts';
import { renderApiKeysPage } from './pages/api-keys-page.ts';
import { parseConnectVariant, renderConnectPage } from './pages/connect-page.ts';
import { parseFilesVariant, renderFilesPage } from './pages/files-page.ts';
import { parseLang } from './pages/i18n.ts';
import { parseVariant, renderStoragesPage } from './pages/storages-page.ts';

export interface FakeWeSenditOptions {
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** The S3 Server Address shown in the dialog (later: a local S3 gateway). */
  readonly s3ServerAddress?: string;
  /** Issue these instead of random credentials (e.g. a real user of a local S3 gateway). */
  readonly issueCredentials?: () => StorageCredentials | Promise<StorageCredentials>;
  /** The storage connections on "API Keys and Connection" (default: DEFAULT_STORAGES, without files). */
  readonly storages?: readonly FakeStorageSpec[];
  /** What "Connect" does with a same-name file whose content differs on both sides (default `wesendit-wins`). */
  readonly conflictPolicy?: ConflictPolicy;
  /** How the next syncs misbehave (default: not at all); see `setSyncMisbehaviour`. */
  readonly syncMisbehaviour?: SyncMisbehaviour;
}

/** What a "Connect" submitted (the secret is not kept). */
export interface ConnectAttempt {
  readonly storageId: string;
  readonly provider: string;
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKey: string;
}

export interface FakeWeSendit {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Credentials issued by the latest "Create storage", read server-side. */
  lastCredentials(): StorageCredentials | undefined;
  /** Replaces a storage's files; an iterable (e.g. a generator) keeps 100k specs out of one array. */
  setStorageFiles(storageId: string, files: Iterable<FakeFileSpec>): void;
  /** A storage's files with size, last modified and MD5, sorted by key. */
  storageFiles(storageId: string): FakeFile[];
  /** The storage itself (its folders, a file's bytes). */
  getStorage(storageId: string): FakeStorage;
  /** Every "Connect" submitted, oldest first, without secrets. */
  connectAttempts(): readonly ConnectAttempt[];
  /** What each successful "Connect" did to the bucket and the storage, oldest first. */
  syncReports(): readonly ConnectSyncReport[];
  setConflictPolicy(policy: ConflictPolicy): void;
  /** Makes the following syncs misbehave as a real sync could (fake-connect-sync.ts). */
  setSyncMisbehaviour(misbehave: SyncMisbehaviour): void;
  /** Writes the files a sync held back with `late`; resolves when they are in the bucket. */
  finishLate(): Promise<void>;
  /**
   * Holds every "Connect" that arrives from now on (it is in `connectAttempts` at once) until
   * `release()`: WeSendit still syncing, so a test can look at the page meanwhile.
   */
  holdConnects(): { release(): void };
  stop(): Promise<void>;
}

type Route = (request: IncomingMessage, url: URL, response: ServerResponse) => Promise<void> | void;

const CLIENT_SCRIPT = new URL('./pages/storages-client.js', import.meta.url);
const CONNECT_SCRIPT = new URL('./pages/connect-client.js', import.meta.url);
const MAX_BODY_BYTES = 64 * 1024;
/** File-browser pages kept rendered (≈ 230 KB each at 1,000 rows). */
const MAX_CACHED_PAGES = 400;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    length += buffer.length;
    if (length > MAX_BODY_BYTES) throw new Error('The form is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface ConnectBody {
  readonly provider: string;
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/** The connect failure in WeSendit's plain words (the fake's own, not the extension's doctor). */
function describeSyncError(error: unknown, bucket: string): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'InvalidAccessKeyId') return 'The access key is not known to the S3 server. Check the Access Key.';
  if (name === 'SignatureDoesNotMatch') return 'The secret key does not match the access key. Check the Secret Key.';
  if (name === 'NoSuchBucket') return `There is no bucket named "${bucket}". Check the bucket name.`;
  if (name === 'AccessDenied') return 'The S3 server denied access to the bucket.';
  return error instanceof Error ? error.message : String(error);
}

function parseConnectBody(text: string): ConnectBody {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('Send the form as a JSON object.');
  const record: Record<string, unknown> = { ...value };
  const read = (name: string): string => (typeof record[name] === 'string' ? String(record[name]).trim() : '');
  const body = { provider: read('provider'), endpoint: read('endpoint'), region: read('region'), bucket: read('bucket'), accessKey: read('accessKey'), secretKey: read('secretKey') };
  const missing: string[] = (['bucket', 'accessKey', 'secretKey'] as const).filter((name) => body[name] === '');
  if (body.endpoint === '' && body.region === '') missing.push('endpoint');
  if (missing.length > 0) throw new Error(`Fill in: ${missing.join(', ')}.`);
  return body;
}

function send(response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

export async function startFakeWeSendit(options: FakeWeSenditOptions = {}): Promise<FakeWeSendit> {
  let issued: StorageCredentials | undefined;
  const serverAddress = options.s3ServerAddress ?? 'https://s3.wesendit.example';
  const storages = new Map((options.storages ?? DEFAULT_STORAGES).map((spec) => [spec.id, new FakeStorage(spec)]));
  const attempts: ConnectAttempt[] = [];
  const reports: ConnectSyncReport[] = [];
  let conflictPolicy: ConflictPolicy = options.conflictPolicy ?? 'wesendit-wins';
  let misbehave: SyncMisbehaviour = options.syncMisbehaviour ?? {};
  const lateWrites: (() => Promise<void>)[] = [];
  let connectsHeld: Promise<void> | undefined;
  const html = (response: ServerResponse, status: number, body: string): void =>
    send(response, status, 'text/html; charset=utf-8', body, { 'Cache-Control': 'no-cache' });
  const filesPages = new Map<string, { status: number; html: string }>();
  const getStorage = (id: string | null): FakeStorage => {
    const storage = storages.get(id ?? '');
    if (!storage) throw new Error(`No storage "${id ?? ''}". Known: ${[...storages.keys()].join(', ')}.`);
    return storage;
  };

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
    ['GET /assets/connect-client.js', async (_request, _url, response) => {
      send(response, 200, 'text/javascript; charset=utf-8', await readFile(CONNECT_SCRIPT, 'utf8'), { 'Cache-Control': 'no-cache' });
    }],
    ['GET /settings/api-keys', (_request, url, response) => {
      html(response, 200, renderApiKeysPage({ lang: parseLang(url.searchParams.get('lang')), storages: [...storages.values()] }));
    }],
    ['GET /storage/files', (_request, url, response) => {
      const path = url.searchParams.get('path') ?? '';
      const storage = getStorage(url.searchParams.get('storage'));
      // A page of unchanged files is the same bytes: rendered once per version of the storage, so
      // this server's own work stays small next to the browser's on a machine the test shares.
      const cacheKey = `${storage.spec.id} ${storage.version} ${url.search}`;
      let page = filesPages.get(cacheKey);
      if (!page) {
        page = renderFilesPage({
          lang: parseLang(url.searchParams.get('lang')),
          storage,
          variant: parseFilesVariant(url.searchParams.get('variant')),
          path: path === '/' ? '' : path,
          page: url.searchParams.get('page'),
          perPage: url.searchParams.get('perPage'),
        });
        if (filesPages.size >= MAX_CACHED_PAGES) filesPages.clear();
        filesPages.set(cacheKey, page);
      }
      html(response, page.status, page.html);
    }],
    ['GET /storage/connect', (_request, url, response) => {
      html(response, 200, renderConnectPage({
        lang: parseLang(url.searchParams.get('lang')),
        storage: getStorage(url.searchParams.get('storage')),
        variant: parseConnectVariant(url.searchParams.get('variant')),
      }));
    }],
    ['POST /api/storages/connect', async (request, url, response) => {
      const storage = getStorage(url.searchParams.get('storage'));
      let form: ConnectBody;
      try {
        form = parseConnectBody(await readBody(request));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return send(response, 400, 'application/json', JSON.stringify({ error: message }));
      }
      const { secretKey: _secret, ...withoutSecret } = form;
      attempts.push({ storageId: storage.spec.id, ...withoutSecret });
      if (connectsHeld) await connectsHeld;
      try {
        reports.push(await syncStorageWithBucket({ storage, ...form, policy: conflictPolicy, misbehave, deferLate: (write) => lateWrites.push(write) }));
        storage.markConnected(form.bucket);
      } catch (error) {
        return send(response, 502, 'application/json', JSON.stringify({ error: describeSyncError(error, form.bucket) }));
      }
      issued = options.issueCredentials ? await options.issueCredentials() : generateFakeCredentials({ serverAddress, storageName: storage.spec.name });
      send(response, 200, 'application/json', JSON.stringify({ credentials: issued }), { 'Cache-Control': 'no-store' });
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
    setStorageFiles: (storageId, files) => getStorage(storageId).setFiles(files),
    storageFiles: (storageId) => getStorage(storageId).listFiles(),
    getStorage,
    connectAttempts: () => [...attempts],
    syncReports: () => [...reports],
    setSyncMisbehaviour: (next) => {
      misbehave = next;
    },
    finishLate: async () => {
      const writes = lateWrites.splice(0);
      for (const write of writes) await write();
    },
    setConflictPolicy: (policy) => {
      conflictPolicy = policy;
    },
    holdConnects: () => {
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      connectsHeld = held;
      return {
        release: () => {
          if (connectsHeld === held) connectsHeld = undefined;
          release();
        },
      };
    },
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
