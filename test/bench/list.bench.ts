/**
 * `npm run bench:list`: listing 100k objects on the local Ceph gateway (seeded once into a gateway
 * kept in ~/.cache/connect-guard/ceph-list-bench-100000, or CG_BENCH_CACHE), directly and through a
 * proxy adding 40 ms per request (a WAN round trip), against rclone (`lsf -R`, with and without
 * `--fast-list`) and the AWS CLI (`s3api list-objects-v2`) in the same run; then peak memory
 * listing 10k vs 1M keys from a listing simulator. Every tool runs as its own process under GNU
 * time, so wall time, CPU and peak RSS are measured the same way for all.
 *
 * Ours is the `connect-guard` bin exactly as a user runs it (`inventory --out FILE`, credentials
 * from the environment; the command itself, so its shebang's Node flags apply, with the Node of
 * this run first on the PATH): start-up, the listing, the in-progress-uploads check and
 * the snapshot file are all in its figures. Its object count is read from the snapshot it wrote.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runUnderGnuTime } from './gnu-time.ts';

const BIN = fileURLToPath(new URL('../../companion/bin/connect-guard.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'cg-bench-list-'));

await runBenchmark();

interface Measured {
  readonly tool: string;
  readonly objects: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly error?: string;
}

/** Runs a command under GNU time, counting the lines it prints (or the snapshot it writes). */
async function measure(tool: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number, snapshot?: string): Promise<Measured> {
  let lines = 0;
  const run = await runUnderGnuTime(command, args, {
    env,
    timeoutMs,
    onStdout: (chunk) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    },
  });
  return {
    tool,
    objects: snapshot === undefined ? lines : snapshotObjects(snapshot),
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    peakRssMb: run.peakRssMb,
    ...(run.error === undefined ? {} : { error: run.error }),
  };
}

/** Objects in a snapshot file, or -1 when it is missing or its end line disagrees. The file is removed. */
function snapshotObjects(path: string): number {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
    const end: unknown = JSON.parse(lines[lines.length - 1] ?? '{}');
    const entries = lines.length - 2;
    const counted = typeof end === 'object' && end !== null && 'objects' in end ? end.objects : undefined;
    return counted === entries ? entries : -1;
  } catch {
    return -1;
  } finally {
    rmSync(path, { force: true });
  }
}

interface Target {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

function peerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // rclone 1.60 fails with LoadCustomCABundleError when this is set; nothing here uses TLS.
  delete env.AWS_CA_BUNDLE;
  delete env.AWS_PROFILE;
  return env;
}

/** `connect-guard inventory --bucket … --out FILE` as a user runs it. */
function measureOurs(tool: string, target: Target, concurrency: number, timeoutMs: number): Promise<Measured> {
  const snapshot = join(scratch, `snapshot-${Date.now()}.ndjson`);
  const env = peerEnv({ AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
  const args = [BIN, 'inventory', '--endpoint', target.endpoint, '--bucket', target.bucket, '--out', snapshot, '--json', ...(concurrency === 16 ? [] : ['--concurrency', String(concurrency)])];
  const [bin, ...rest] = args;
  return measure(tool, bin ?? BIN, rest, { ...env, PATH: `${dirname(process.execPath)}:${env.PATH ?? ''}` }, timeoutMs, snapshot);
}

async function measureAll(target: Target, timeoutMs: number, includeSequential: boolean): Promise<Measured[]> {
  const ours = (concurrency: number): Promise<Measured> => measureOurs(concurrency === 1 ? 'connect-guard (sequential)' : `connect-guard (${concurrency} parallel)`, target, concurrency, timeoutMs);
  const rcloneEnv = peerEnv({
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Ceph',
    RCLONE_CONFIG_BENCH_ENDPOINT: target.endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: target.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: target.secretAccessKey,
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
    RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
    RCLONE_CONFIG: '/dev/null',
  });
  const awsEnv = peerEnv({
    AWS_ACCESS_KEY_ID: target.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  });
  const results: Measured[] = [];
  results.push(await ours(16));
  if (includeSequential) results.push(await ours(1));
  results.push(await measure('rclone lsf -R', '/usr/bin/rclone', ['lsf', '-R', '--files-only', `bench:${target.bucket}`], rcloneEnv, timeoutMs));
  results.push(await measure('rclone lsf -R --fast-list', '/usr/bin/rclone', ['lsf', '-R', '--files-only', '--fast-list', `bench:${target.bucket}`], rcloneEnv, timeoutMs));
  results.push(
    await measure(
      'aws s3api list-objects-v2',
      '/usr/bin/aws',
      ['s3api', 'list-objects-v2', '--bucket', target.bucket, '--endpoint-url', target.endpoint, '--query', 'Contents[].[Key]', '--output', 'text'],
      awsEnv,
      timeoutMs,
    ),
  );
  return results;
}

function printTable(title: string, rows: readonly Measured[], compare = true): void {
  const ours = compare ? rows[0] : undefined;
  console.log(`\n${title}`);
  console.log('tool                              objects   seconds   objects/s   CPU s   peak RSS MB   our speed-up');
  for (const row of rows) {
    const rate = row.objects / row.seconds;
    const ratio = ours && row !== ours ? `${(row.seconds / ours.seconds).toFixed(2)}×` : '';
    console.log(
      `${row.tool.padEnd(32)} ${String(row.objects).padStart(8)} ${row.seconds.toFixed(2).padStart(9)} ${Math.round(rate).toString().padStart(11)} ${row.cpuSeconds.toFixed(2).padStart(7)} ${row.peakRssMb.toFixed(0).padStart(13)}   ${ratio}` +
        (row.error ? `   ERROR ${row.error}` : ''),
    );
  }
}

async function runBenchmark(): Promise<void> {
  const { ensureSystem } = await import('../support/ensure-system.ts');
  const { startCephRgw } = await import('../support/ceph-rgw.ts');
  const { startFaultProxy } = await import('../support/fault-proxy.ts');
  const { startListSimulator } = await import('../support/list-simulator.ts');
  const { createS3Client } = await import('../../companion/src/s3/s3-client.ts');
  ensureSystem(['ceph', 'peers']);
  const benchStarted = Date.now();
  const objectCount = Number(process.env.CG_BENCH_OBJECTS ?? 100_000);

  // What `npm install` leaves (its prepare step builds the bundle); then start-up both ways.
  spawnSync(process.execPath, [BIN, '--help'], { stdio: 'ignore' });
  const startup = [
    await measure('connect-guard --help (bundle)', process.execPath, [BIN, '--help'], process.env, 30_000),
    await measure('connect-guard --help (tsx)', process.execPath, [BIN, '--help'], { ...process.env, CONNECT_GUARD_FROM_SOURCE: '1' }, 30_000),
  ];
  printTable('Start-up: connect-guard --help (objects column: lines of help)', startup, false);

  // Memory first (about 15 s): a slow seeding on a busy machine must not leave it out.
  // A listing simulator serves 10k and 1M keys; our peak RSS must not grow with them.
  const memory: Measured[] = [];
  for (const keys of [10_000, 1_000_000]) {
    const simulator = await startListSimulator({ keys });
    const target: Target = { endpoint: simulator.endpoint, bucket: simulator.bucket, accessKeyId: 'CGSIMULATORKEY000001', secretAccessKey: 'cg-simulator-secret-not-real' };
    memory.push(await measureOurs(`connect-guard, ${keys.toLocaleString('en')} keys`, target, 16, 120_000));
    await simulator.close();
  }
  printTable('Memory: listing simulator (ListObjectsV2 pages of a synthetic key space), snapshot written', memory, false);
  const [small, large] = memory;
  if (small && large) {
    const growth = large.peakRssMb - small.peakRssMb;
    console.log('Both runs: the connect-guard command as users run it (the Node flags of its shebang, none added).');
    console.log(`Peak RSS 1M − 10k: ${growth.toFixed(0)} MB (need < 100 MB: ${growth < 100 ? 'MET' : 'NOT MET'}); 1M listed exactly: ${large.objects === 1_000_000 ? 'yes' : 'NO'}`);
  }
  // The seeded gateway is kept between runs (bluestore in a cache folder): seeding 100k objects
  // costs minutes on a shared two-core machine, and the objects never change.
  const cacheDir = process.env.CG_BENCH_CACHE ?? join(homedir(), '.cache', 'connect-guard', `ceph-list-bench-${objectCount}`);
  mkdirSync(cacheDir, { recursive: true });
  const rgw = await startCephRgw({ objectStore: 'bluestore', dataDir: cacheDir, buckets: ['bench-list', 'bench-list-meta'] });
  const stopOnSignal = (): void => void rgw.stop().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const seedClient = createS3Client(rgw, { maxSockets: 64 });
    const marker = `seeded-${objectCount}-v1`;
    const seeded = await seedClient.send(new HeadObjectCommand({ Bucket: 'bench-list-meta', Key: marker })).then(
      () => true,
      () => false,
    );
    if (seeded) console.log(`\nUsing the seeded gateway in ${cacheDir} (${objectCount} objects).`);
    else {
      console.log(`\nSeeding ${objectCount} objects into a gateway kept in ${cacheDir} for later runs…`);
      const seedStarted = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < objectCount) {
            const index = next++;
            // A NAS-like mix: a flat run of files and a tree of folders.
            const key = index % 2 === 0 ? `file-${String(index).padStart(7, '0')}.dat` : `photos/${2000 + (index % 25)}/album-${index % 40}/IMG_${String(index).padStart(7, '0')}.jpg`;
            await seedClient.send(new PutObjectCommand({ Bucket: 'bench-list', Key: key, Body: 'x' }));
            if (index % 20_000 === 0 && index > 0) console.log(`  ${index} objects, ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);
          }
        }),
      );
      await seedClient.send(new PutObjectCommand({ Bucket: 'bench-list-meta', Key: marker, Body: 'seeded' }));
      console.log(`Seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s.`);
    }
    seedClient.destroy();

    const direct: Target = { endpoint: rgw.endpoint, bucket: 'bench-list', accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
    const local = await measureAll(direct, 120_000, true);
    printTable(`Local: ${objectCount} objects on the Ceph gateway (127.0.0.1)`, local);

    const proxy = await startFaultProxy({ target: rgw.endpoint, delayMs: 40 });
    const wan = await measureAll({ ...direct, endpoint: proxy.endpoint }, 120_000, false);
    await proxy.close();
    printTable(`WAN-like: the same through a proxy adding 40 ms per request`, wan);

    const ours = wan[0];
    const rcloneBest = Math.min(...wan.filter((row) => row.tool.startsWith('rclone') && !row.error).map((row) => row.seconds));
    const awsCli = wan.find((row) => row.tool.startsWith('aws'));
    if (ours) {
      const vsRclone = rcloneBest / ours.seconds;
      const vsAws = awsCli ? awsCli.seconds / ours.seconds : NaN;
      console.log(`\nFloors (WAN-like): vs rclone best ${vsRclone.toFixed(2)}× (need ≥ 2×: ${vsRclone >= 2 ? 'MET' : 'NOT MET'}), vs aws cli ${vsAws.toFixed(2)}× (need ≥ 5×: ${vsAws >= 5 ? 'MET' : 'NOT MET'})`);
      const exact = [...local, ...wan].filter((row) => !row.error).every((row) => row.objects === objectCount);
      console.log(`Every tool listed exactly ${objectCount} objects: ${exact ? 'yes' : 'NO'}`);
    }
  } finally {
    await rgw.stop();
  }

  rmSync(scratch, { recursive: true, force: true });
  console.log(`\nbench:list took ${((Date.now() - benchStarted) / 1000).toFixed(0)} s.`);
}
