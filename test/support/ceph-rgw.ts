/**
 * A throwaway single-node Ceph cluster with the RADOS Gateway (S3) on 127.0.0.1: the real S3
 * server of the tests, the demo and the benchmarks. Recipe and measurements: TESTING-NOTES.md.
 *
 * CLI: `tsx test/support/ceph-rgw.ts start [--bucket NAME]… [--data-dir DIR]` prints the endpoint
 * and the (fake, test-only) keys and runs until SIGINT/SIGTERM, then stops the daemons and removes
 * the temporary folder.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ensureSystem } from './ensure-system.ts';

const run = promisify(execFile);

/** Clearly fake keys: they only open the throwaway gateway on 127.0.0.1. */
export const TEST_ACCESS_KEY_ID = 'CGTESTACCESSKEY00001';
export const TEST_SECRET_ACCESS_KEY = 'cg-test-secret-not-a-real-key-0000000001';
export const TEST_REGION = 'us-east-1';

/**
 * Server-side encryption for the tests, with keys as fake as the access keys: SSE-KMS through
 * Ceph's `testing` key backend (the key id names a key written into ceph.conf) and SSE-C with a
 * customer key the test sends. Ceph refuses both over plain HTTP unless told otherwise.
 */
export const TEST_KMS_KEY_ID = 'testkey-1';
/** 32 bytes, base64: the test KMS key `testkey-1` (and `testkey-2`, for a second key). */
const TEST_KMS_KEYS = {
  'testkey-1': Buffer.alloc(32, 'connect-guard-test-kms-key-one--').toString('base64'),
  'testkey-2': Buffer.alloc(32, 'connect-guard-test-kms-key-two--').toString('base64'),
};
/** A customer key for SSE-C (32 bytes; the SDK sends it base64 with its MD5). */
export const TEST_SSE_C_KEY = Buffer.alloc(32, 'connect-guard-test-sse-c-key-01-');

export interface StartCephRgwOptions {
  /**
   * `memstore` (default): fast, everything in RAM (≈ 25 KB per object), gone on stop.
   * `bluestore`: on a sparse file inside `dataDir`, kept across runs (for seeded benchmarks).
   */
  readonly objectStore?: 'memstore' | 'bluestore';
  /** Persistent folder for `bluestore`; reused when it already holds a cluster. */
  readonly dataDir?: string;
  /** Buckets to create for the first user (existing ones are kept). */
  readonly buckets?: readonly string[];
  /** Print daemon steps. */
  readonly verbose?: boolean;
}

export interface S3User {
  readonly uid: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface CephRgw {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** The cluster's folder (temporary for memstore, `dataDir` for bluestore). */
  readonly dir: string;
  /** Creates (or returns, when it exists) another S3 user with its own keys. */
  createUser(uid: string, accessKeyId: string, secretAccessKey: string): Promise<S3User>;
  /** A key of an existing user limited to `access` (a Ceph subuser): e.g. read-only keys. */
  createSubuserKey(uid: string, name: string, access: 'read' | 'write' | 'readwrite', accessKeyId: string, secretAccessKey: string): Promise<S3User>;
  /** Stops every daemon (SIGKILL via pid files) and removes the temporary folder. */
  stop(): Promise<void>;
}

interface ClusterState {
  readonly fsid: string;
  readonly osdUuid: string;
  monPort: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function cephConf(dir: string, state: ClusterState, rgwPort: number, objectStore: 'memstore' | 'bluestore'): string {
  const store =
    objectStore === 'memstore'
      ? ['osd objectstore = memstore', 'memstore device bytes = 17179869184']
      : [
          'osd objectstore = bluestore',
          `bluestore block path = ${dir}/osd/block`,
          'bluestore block create = true',
          'bluestore block size = 21474836480',
          'bluestore fsck on mount = false',
          'osd memory target = 1073741824',
          'bluestore cache autotune = false',
          'bluestore cache size = 268435456',
        ];
  return [
    '[global]',
    `fsid = ${state.fsid}`,
    `mon host = [v2:127.0.0.1:${state.monPort}]`,
    'public network = 127.0.0.0/8',
    'auth cluster required = none',
    'auth service required = none',
    'auth client required = none',
    // With auth none, radosgw otherwise loops on "get_initial_auth_request returned -13".
    'ms mon client mode = crc secure',
    'ms bind msgr1 = false',
    // Start-up 12.6 s → 1.2 s.
    'paxos propose interval = 0.05',
    'paxos min wait = 0.01',
    'osd pool default size = 1',
    'osd pool default min size = 1',
    'osd pool default pg num = 8',
    'osd pool default pgp num = 8',
    'osd pool default pg autoscale mode = off',
    'mon allow pool size one = true',
    'mon warn on pool no redundancy = false',
    'mon max pg per osd = 1000',
    'osd crush chooseleaf type = 0',
    ...store,
    `run dir = ${dir}/run`,
    `admin socket = ${dir}/run/$name.asok`,
    `pid file = ${dir}/run/$name.pid`,
    `log file = ${dir}/log/$name.log`,
    `mon data = ${dir}/mon/$name`,
    `osd data = ${dir}/osd/data`,
    'log to stderr = false',
    'err to stderr = false',
    'mon cluster log file = /dev/null',
    '',
    '[client.rgw]',
    `rgw frontends = beast endpoint=127.0.0.1:${rgwPort}`,
    'rgw thread pool size = 64',
    'rgw enable usage log = false',
    'rgw gc processor period = 3600',
    // SSE-KMS with the fixed test keys, and SSE-C, over plain HTTP on 127.0.0.1.
    'rgw crypt require ssl = false',
    'rgw crypt s3 kms backend = testing',
    `rgw crypt s3 kms encryption keys = ${Object.entries(TEST_KMS_KEYS).map(([id, key]) => `${id}=${key}`).join(' ')}`,
    '',
  ].join('\n');
}

const pidNames = ['client.rgw', 'osd.0', 'mon.a'];

/** Synchronous kill by pid files: safe inside a process `exit` handler. */
function killDaemons(dir: string): void {
  for (const name of pidNames) {
    const pidFile = join(dir, 'run', `${name}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(pidFile, { force: true });
  }
}

/**
 * A detached watchdog shell that kills the daemons once this process is gone, even when it was
 * killed with SIGKILL and could not run its own exit handlers.
 */
function startWatchdog(dir: string): void {
  const pidFiles = pidNames.map((name) => `'${join(dir, 'run', `${name}.pid`)}'`).join(' ');
  const script =
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
    `for f in ${pidFiles}; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done; ` +
    (existsSync(join(dir, '.temporary')) ? `rm -rf '${dir}'` : 'true');
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
}

async function ceph(env: NodeJS.ProcessEnv, args: readonly string[], seconds = 10): Promise<string> {
  // Without ceph-mgr some `ceph` commands hang forever: every call is bounded.
  const { stdout } = await run('timeout', [String(seconds), 'ceph', ...args], { env });
  return stdout;
}

async function waitFor(what: string, check: () => Promise<boolean>, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let delay = 20;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
  throw new Error(`Ceph: ${what} did not happen within ${seconds} s.`);
}

async function osdIsUp(env: NodeJS.ProcessEnv): Promise<boolean> {
  const stat: unknown = JSON.parse(await ceph(env, ['osd', 'stat', '-f', 'json'], 5));
  return typeof stat === 'object' && stat !== null && 'num_up_osds' in stat && Number(stat.num_up_osds) >= 1;
}

async function rgwAnswers(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2000) });
  return (await response.text()).includes('ListAllMyBucketsResult');
}

export async function startCephRgw(options: StartCephRgwOptions = {}): Promise<CephRgw> {
  ensureSystem(['ceph']);
  const objectStore = options.objectStore ?? 'memstore';
  const log = options.verbose ? (line: string) => console.error(`[ceph] ${line}`) : () => {};
  const persistent = objectStore === 'bluestore' && options.dataDir !== undefined;
  const dir = persistent && options.dataDir ? options.dataDir : mkdtempSync(join(tmpdir(), 'connect-guard-ceph-'));
  for (const sub of ['run', 'log', 'mon', 'osd']) mkdirSync(join(dir, sub), { recursive: true });
  if (!persistent) writeFileSync(join(dir, '.temporary'), '');

  const statePath = join(dir, 'cluster.json');
  const existing = persistent && existsSync(statePath) && existsSync(join(dir, 'osd', 'data', 'ready'));
  const conf = join(dir, 'ceph.conf');
  const env = { ...process.env, CEPH_CONF: conf };
  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    killDaemons(dir);
    if (!persistent) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  startWatchdog(dir);

  try {
    killDaemons(dir); // leftovers of a crashed earlier run on the same persistent folder
    const rgwPort = await freePort();
    let state: ClusterState;
    if (existing) {
      const saved: unknown = JSON.parse(readFileSync(statePath, 'utf8'));
      if (typeof saved !== 'object' || saved === null || !('fsid' in saved) || !('osdUuid' in saved) || !('monPort' in saved)) {
        throw new Error(`Ceph: ${statePath} is damaged; remove ${dir} to start over.`);
      }
      state = { fsid: String(saved.fsid), osdUuid: String(saved.osdUuid), monPort: Number(saved.monPort) };
      if (!(await portIsFree(state.monPort))) {
        // The monitor's address lives in its store: give it a new map with a free port.
        state.monPort = await freePort();
        await run('monmaptool', ['--create', '--clobber', '--fsid', state.fsid, '--addv', 'a', `[v2:127.0.0.1:${state.monPort}]`, join(dir, 'monmap')]);
        writeFileSync(conf, cephConf(dir, state, rgwPort, objectStore));
        await run('ceph-mon', ['-c', conf, '-i', 'a', '--inject-monmap', join(dir, 'monmap')], { env });
      }
    } else {
      const uuid = async () => (await run('uuidgen')).stdout.trim();
      state = { fsid: await uuid(), osdUuid: await uuid(), monPort: await freePort() };
      await run('monmaptool', ['--create', '--clobber', '--fsid', state.fsid, '--addv', 'a', `[v2:127.0.0.1:${state.monPort}]`, join(dir, 'monmap')]);
    }
    writeFileSync(conf, cephConf(dir, state, rgwPort, objectStore));
    writeFileSync(statePath, JSON.stringify(state));

    if (!existing) {
      log('mon mkfs');
      await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')], { env });
    }
    log('mon start');
    await run('ceph-mon', ['-c', conf, '-i', 'a'], { env });
    if (!existing) {
      log('osd new');
      await ceph(env, ['osd', 'new', state.osdUuid]);
      mkdirSync(join(dir, 'osd', 'data'), { recursive: true });
      log('osd mkfs');
      await run('ceph-osd', ['-c', conf, '-i', '0', '--mkfs', '--osd-uuid', state.osdUuid], { env, timeout: 120_000 });
    }
    log('osd start');
    await run('ceph-osd', ['-c', conf, '-i', '0'], { env });
    await waitFor('OSD up', () => osdIsUp(env), 60);
    log('rgw start');
    await run('radosgw', ['-c', conf, '-n', 'client.rgw'], { env });
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitFor(`S3 gateway answering on ${endpoint}`, () => rgwAnswers(endpoint), 60);

    const createUser = async (uid: string, accessKeyId: string, secretAccessKey: string): Promise<S3User> => {
      const info = await run('timeout', ['30', 'radosgw-admin', '-c', conf, 'user', 'info', '--uid', uid], { env }).catch(() => undefined);
      if (!info) {
        await run(
          'timeout',
          ['30', 'radosgw-admin', '-c', conf, 'user', 'create', '--uid', uid, '--display-name', `Connect Guard test user ${uid}`, '--access-key', accessKeyId, '--secret-key', secretAccessKey],
          { env },
        );
      }
      return { uid, accessKeyId, secretAccessKey };
    };
    const createSubuserKey = async (uid: string, name: string, access: 'read' | 'write' | 'readwrite', accessKeyId: string, secretAccessKey: string): Promise<S3User> => {
      await run(
        'timeout',
        ['30', 'radosgw-admin', '-c', conf, 'subuser', 'create', '--uid', uid, '--subuser', `${uid}:${name}`, '--access', access, '--key-type', 's3', '--access-key', accessKeyId, '--secret-key', secretAccessKey],
        { env },
      );
      return { uid: `${uid}:${name}`, accessKeyId, secretAccessKey };
    };
    log('user create');
    await createUser('connect-guard-test', TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY);

    if (options.buckets && options.buckets.length > 0) {
      const client = new S3Client({
        endpoint,
        region: TEST_REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
      });
      for (const bucket of options.buckets) {
        await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
          if (!(error instanceof Error && error.name === 'BucketAlreadyOwnedByYou')) throw error;
        });
      }
      client.destroy();
    }

    return {
      endpoint,
      accessKeyId: TEST_ACCESS_KEY_ID,
      secretAccessKey: TEST_SECRET_ACCESS_KEY,
      region: TEST_REGION,
      dir,
      createUser,
      createSubuserKey,
      async stop() {
        if (stopped) return;
        if (persistent) {
          // Let bluestore close cleanly so the seeded objects are there next time.
          for (const name of pidNames) {
            const pidFile = join(dir, 'run', `${name}.pid`);
            if (!existsSync(pidFile)) continue;
            const pid = Number(readFileSync(pidFile, 'utf8').trim());
            try {
              process.kill(pid, 'SIGTERM');
              await waitFor(`${name} exit`, async () => {
                try {
                  process.kill(pid, 0);
                  return false;
                } catch {
                  return true;
                }
              }, 15).catch(() => undefined);
            } catch {
              // Already gone.
            }
          }
        }
        stopSync();
        process.removeListener('exit', stopSync);
      },
    };
  } catch (error) {
    const logs = ['mon.a', 'osd.0', 'client.rgw']
      .map((name) => join(dir, 'log', `${name}.log`))
      .filter((file) => existsSync(file))
      .map((file) => `--- ${file} (tail) ---\n${readFileSync(file, 'utf8').split('\n').slice(-15).join('\n')}`)
      .join('\n');
    stopSync();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`, { cause: error });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args[0] !== 'start') {
    console.error('Usage: tsx test/support/ceph-rgw.ts start [--bucket NAME]… [--data-dir DIR]');
    process.exit(2);
  }
  const buckets: string[] = [];
  let dataDir: string | undefined;
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--bucket' && args[i + 1]) buckets.push(String(args[++i]));
    else if (args[i] === '--data-dir' && args[i + 1]) dataDir = String(args[++i]);
    else {
      console.error(`Unknown option ${args[i]}.`);
      process.exit(2);
    }
  }
  const rgw = await startCephRgw({ buckets, verbose: true, ...(dataDir ? { objectStore: 'bluestore' as const, dataDir } : {}) });
  console.log(`S3 endpoint:       ${rgw.endpoint}`);
  console.log(`Region:            ${rgw.region}`);
  console.log(`Access key id:     ${rgw.accessKeyId}`);
  console.log(`Secret access key: ${rgw.secretAccessKey}   (fake test key, valid only for this gateway)`);
  if (buckets.length > 0) console.log(`Buckets:           ${buckets.join(', ')}`);
  console.log('Press Ctrl+C to stop.');
  const shutdown = (): void => {
    void rgw.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  setInterval(() => {}, 1 << 30);
}
