/**
 * `npm run bench:audit`: the sync review of a 1M-object plan against a 1M-object bucket listing
 * after a sync that changed 1% of the objects, next to our own `diff` of the same bucket against
 * the same objects as a WeSendit manifest, and next to `rclone check --combined` between the
 * bucket before and after (the same two sides, both listed over S3). The buckets are served by
 * the listing simulator (test/support/list-simulator.ts): a million keys without a million PUTs.
 * Every tool runs as its own process under GNU time, as a user runs it.
 *
 * Floors: audit ≤ 1.2 × our diff's time, faster than rclone check, and peak RSS(1M) − RSS(10k)
 * < 150 MB.
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLAN_FORMAT, PLAN_VERSION, PlanTextBuilder, type PlanEntry } from '../../shared/audit/sync-plan.ts';
import { planHasher } from '../../companion/src/audit/plan-file.ts';
import { startListSimulator, type ListSimulator } from '../support/list-simulator.ts';
import { runUnderGnuTime, type TimedRun } from './gnu-time.ts';

const KEYS = Number(process.env.AUDIT_BENCH_KEYS ?? 1_000_000);
const SMALL = 10_000;
const BIN = fileURLToPath(new URL('../../companion/bin/connect-guard.js', import.meta.url));
const TIMEOUT_MS = 30 * 60 * 1000;
/** One object in a hundred changed by the sync. */
const changed = (index: number): boolean => index % 100 === 37;

const scratch = mkdtempSync(join(tmpdir(), 'cg-audit-bench-'));

async function writeLines(path: string, lines: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
  const out = createWriteStream(path);
  await lines(async (text) => {
    if (!out.write(text)) await once(out, 'drain');
  });
  out.end();
  await once(out, 'finish');
}

/** The plan the preview would have saved: every object of the bucket before the sync, same on both sides. */
async function writePlan(path: string, before: ListSimulator, keys: number): Promise<void> {
  const builder = new PlanTextBuilder(planHasher());
  await writeLines(path, async (write) => {
    await write(builder.header({ format: PLAN_FORMAT, version: PLAN_VERSION, bucket: before.bucket, endpoint: before.endpoint, policy: 'wesendit-wins', createdAt: new Date().toISOString(), wesenditSource: 'bench' }));
    let batch: PlanEntry[] = [];
    for (let i = 0; i < keys; i++) {
      const object = before.objectAt(i);
      batch.push({ key: object.key, class: 'same', winner: 'both', bucket: { size: object.size, etag: object.etag }, wesendit: { size: object.size, md5: object.etag } });
      if (batch.length === 4096) {
        await write(builder.entries(batch));
        batch = [];
      }
    }
    await write(builder.entries(batch));
    await write(builder.end());
  });
}

/** The same objects as a WeSendit manifest (what `diff` compares the bucket with). */
async function writeManifest(path: string, before: ListSimulator, keys: number): Promise<void> {
  await writeLines(path, async (write) => {
    await write('path,size,modified,md5\n');
    let text = '';
    for (let i = 0; i < keys; i++) {
      const object = before.objectAt(i);
      text += `${object.key},${object.size},2026-01-15T10:00:00.000Z,${object.etag}\n`;
      if (text.length > 1 << 16) {
        await write(text);
        text = '';
      }
    }
    await write(text);
  });
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'CGBENCH', AWS_SECRET_ACCESS_KEY: 'cg-bench-secret', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', ...extra };
  // rclone 1.60 fails with LoadCustomCABundleError when this is set; nothing here uses TLS.
  delete result.AWS_CA_BUNDLE;
  delete result.AWS_PROFILE;
  return result;
}

interface Row {
  readonly tool: string;
  readonly run: TimedRun;
  readonly note: string;
}

function line(row: Row): string {
  const { run } = row;
  return `  ${row.tool.padEnd(44)} ${run.seconds.toFixed(2).padStart(7)} s  CPU ${run.cpuSeconds.toFixed(2).padStart(6)} s  peak RSS ${run.peakRssMb.toFixed(0).padStart(5)} MB  ${row.note}${run.error ? `  [${run.error}]` : ''}`;
}

/** Ours: exit 0 as predicted, 6 not yet arrived, 7 unexpected are all a finished review. */
function reviewed(run: TimedRun): TimedRun {
  if (run.code === 6 || run.code === 7) {
    const { error: _error, ...rest } = run;
    return { ...rest, code: 0 };
  }
  return run;
}

async function measureAudit(planPath: string, after: ListSimulator): Promise<Row> {
  let stdout = '';
  const run = reviewed(
    await runUnderGnuTime(process.execPath, [BIN, 'audit', '--plan', planPath, '--endpoint', after.endpoint, '--format', 'summary'], {
      env: env(),
      timeoutMs: TIMEOUT_MS,
      onStdout: (chunk) => {
        stdout += chunk.toString();
      },
    }),
  );
  const unexpected = /Unexpected\s+([\d,]+)/.exec(stdout)?.[1] ?? '?';
  return { tool: 'connect-guard audit', run, note: `${unexpected} unexpected` };
}

async function main(): Promise<void> {
  console.log(`Load average before the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores, Node ${process.versions.node}`);
  console.log(`Sync review of ${KEYS.toLocaleString('en-US')} objects after a sync that changed 1% of them (listing simulator on 127.0.0.1)`);
  const before = await startListSimulator({ keys: KEYS });
  const after = await startListSimulator({ keys: KEYS, changed });
  const smallAfter = await startListSimulator({ keys: SMALL, changed });
  try {
    const planPath = join(scratch, 'plan.ndjson');
    const smallPlan = join(scratch, 'plan-small.ndjson');
    const manifestPath = join(scratch, 'wesendit.csv');
    await writePlan(planPath, before, KEYS);
    await writePlan(smallPlan, before, SMALL);
    await writeManifest(manifestPath, before, KEYS);
    // The bundle is built once, outside the measurements.
    await runUnderGnuTime(process.execPath, [BIN, '--help'], { env: env(), timeoutMs: 120_000 });

    const rows: Row[] = [];
    const audit = await measureAudit(planPath, after);
    rows.push(audit);
    const diff = await runUnderGnuTime(process.execPath, [BIN, 'diff', '--bucket', after.bucket, '--endpoint', after.endpoint, '--manifest', manifestPath, '--format', 'summary'], { env: env(), timeoutMs: TIMEOUT_MS });
    rows.push({ tool: 'connect-guard diff (same bucket, manifest)', run: diff, note: '' });
    let rcloneOut = '';
    const rclone = await runUnderGnuTime('/usr/bin/rclone', ['check', 'before:simulated', 'after:simulated', '--combined', '-', '--fast-list', '--checkers', '16'], {
      env: env({
        RCLONE_CONFIG: '/dev/null',
        ...Object.fromEntries(
          [['BEFORE', before], ['AFTER', after]].flatMap(([name, simulator]) => {
            const sim = simulator as ListSimulator;
            return [
              [`RCLONE_CONFIG_${String(name)}_TYPE`, 's3'],
              [`RCLONE_CONFIG_${String(name)}_PROVIDER`, 'Ceph'],
              [`RCLONE_CONFIG_${String(name)}_ENDPOINT`, sim.endpoint],
              [`RCLONE_CONFIG_${String(name)}_ACCESS_KEY_ID`, 'CGBENCH'],
              [`RCLONE_CONFIG_${String(name)}_SECRET_ACCESS_KEY`, 'cg-bench-secret'],
              [`RCLONE_CONFIG_${String(name)}_FORCE_PATH_STYLE`, 'true'],
              [`RCLONE_CONFIG_${String(name)}_REGION`, 'us-east-1'],
              [`RCLONE_CONFIG_${String(name)}_LIST_VERSION`, '2'],
            ];
          }),
        ),
      }),
      timeoutMs: TIMEOUT_MS,
      onStdout: (chunk) => {
        rcloneOut += chunk.toString();
      },
    });
    // rclone check exits 1 when it found differences: that is its finished answer here.
    const rcloneDiffers = (rcloneOut.match(/^\* /gm) ?? []).length;
    rows.push({ tool: 'rclone check --combined (before vs after)', run: rclone.code === 1 && rcloneDiffers > 0 ? { ...rclone, code: 0, error: undefined } as TimedRun : rclone, note: `${rcloneDiffers.toLocaleString('en-US')} differ` });
    const small = await measureAudit(smallPlan, smallAfter);
    rows.push({ ...small, tool: `connect-guard audit, ${SMALL.toLocaleString('en-US')} objects` });
    for (const row of rows) console.log(line(row));

    const vsDiff = audit.run.seconds / diff.seconds;
    const vsRclone = rclone.seconds / audit.run.seconds;
    const rssGrowth = audit.run.peakRssMb - small.run.peakRssMb;
    const ok = [vsDiff <= 1.2, audit.run.seconds < rclone.seconds, rssGrowth < 150, !audit.run.error, !diff.error];
    console.log(`  floors: audit/diff time ${vsDiff.toFixed(2)}× (≤ 1.2: ${ok[0] ? 'MET' : 'NOT MET'}); rclone check/audit ${vsRclone.toFixed(2)}× (> 1: ${ok[1] ? 'MET' : 'NOT MET'}); RSS(1M) − RSS(10k) ${rssGrowth.toFixed(0)} MB (< 150: ${ok[2] ? 'MET' : 'NOT MET'})`);
    console.log(`  → ${ok.every(Boolean) ? 'PASS' : 'FAIL'}`);
    if (!ok.every(Boolean)) process.exitCode = 1;
  } finally {
    await Promise.all([before.close(), after.close(), smallAfter.close()]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
