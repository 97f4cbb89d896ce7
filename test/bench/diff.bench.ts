/**
 * `npm run bench:diff`: diff of two synthetic 1M-entry inventories (overlapping: same,
 * conflicting, unknown, only on one side, case-only look-alikes), each run in a fresh child
 * process so wall time and peak RSS belong to the diff alone. Floors: ≤ 3 s, ≤ 400 MB.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifestBatches } from '../../companion/src/inventory/read-manifest.ts';
import type { InventoryEntry } from '../../shared/inventory.ts';
import { diffInventories, diffInventoryBatches } from '../../shared/diff/diff-inventories.ts';
import { DiffTally } from '../../shared/diff/summarize-diff.ts';

const PER_SIDE = Number(process.env.DIFF_BENCH_ENTRIES ?? 1_000_000);
const FLOOR_SECONDS = 3;
const FLOOR_MB = 400;

const MD5_A = '0cc175b9c0f1b6a831c399e269772661';
const MD5_B = '92eb5ffee6ae2fec3ad71c777531578f';
const MD5_C = '4a8a08f09d37b73795649038408b5f33';
const MULTIPART = '8d777f385d3dfec8815d20f7496026dc-3';
const TIME_OLD = '2024-03-01T10:00:00.000Z';
const TIME_NEW = '2024-05-02T08:00:00.000Z';

/**
 * Key i of the union, in S3 order: zero-padded numbers keep generation order equal to byte
 * order. One folder in five holds camera names (`IMG_….JPG`), which are not in folded form and
 * so cost the look-alike index their text. Every 1000th key also has a case-only twin on the
 * bucket side.
 */
function keyOf(i: number): string {
  const folderNumber = Math.floor(i / 1000);
  const folder = String(folderNumber).padStart(5, '0');
  const number = String(i).padStart(8, '0');
  return folderNumber % 5 === 0 ? `photos/${folder}/IMG_${number}.JPG` : `photos/${folder}/img-${number}.jpg`;
}

/** The case-only twin of key i, and whether it sorts before it (upper case sorts first). */
function twinOf(key: string): { key: string; before: boolean } {
  const upper = key.endsWith('.JPG');
  return { key: key.slice(0, -3) + (upper ? 'jpg' : 'JPG'), before: !upper };
}

type Side = 'bucket' | 'wesendit';

/** Categories by i % 20: 0–11 both (0–8 same, 9–10 conflict, 11 unknown), 12–15 bucket only, 16–19 WeSendit only. */
async function* synthetic(side: Side, total: number): AsyncGenerator<InventoryEntry[]> {
  let batch: InventoryEntry[] = [];
  for (let i = 0; i < total; i++) {
    const c = i % 20;
    const key = keyOf(i);
    const size = 1000 + (i % 4096);
    const twin = side === 'bucket' && i % 1000 === 7 ? twinOf(key) : undefined;
    if (twin?.before) batch.push({ key: twin.key, size, etag: MD5_A, lastModified: TIME_OLD });
    if (c <= 8) batch.push(side === 'bucket' ? { key, size, etag: MD5_A, lastModified: TIME_OLD } : { key, size, md5: MD5_A, lastModified: TIME_OLD });
    else if (c <= 10) batch.push(side === 'bucket' ? { key, size, etag: MD5_B, lastModified: TIME_OLD } : { key, size: size + 1, md5: MD5_C, lastModified: TIME_NEW });
    else if (c === 11) batch.push(side === 'bucket' ? { key, size, etag: MULTIPART, lastModified: TIME_NEW } : { key, size, md5: MD5_C, lastModified: TIME_OLD });
    else if (c <= 15) {
      if (side === 'bucket') batch.push({ key, size, etag: MD5_A, lastModified: TIME_OLD });
    } else if (side === 'wesendit') batch.push({ key, size, md5: MD5_A, lastModified: TIME_NEW });
    if (twin && !twin.before) batch.push({ key: twin.key, size, etag: MD5_A, lastModified: TIME_OLD });
    if (batch.length >= 1024) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Union size so that each side holds about PER_SIDE entries (16 of every 20 keys per side). */
const UNION = Math.round((PER_SIDE * 20) / 16);

interface ChildResult {
  mode: string;
  seconds: number;
  /** User + system CPU seconds: less disturbed than wall time by other work on the machine. */
  cpuSeconds: number;
  maxRssMb: number;
  rows: number;
  classes: Record<string, number>;
  lookalikes: number;
}

async function runChild(mode: string): Promise<ChildResult> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const tally = new DiffTally();
  let rows = 0;
  if (mode === 'generate-only') {
    for await (const b of synthetic('bucket', UNION)) rows += b.length;
    for await (const b of synthetic('wesendit', UNION)) rows += b.length;
  } else if (mode === 'manifest') {
    const path = process.env.DIFF_BENCH_MANIFEST ?? '';
    for await (const batch of diffInventoryBatches(synthetic('bucket', UNION), readManifestBatches(path))) {
      tally.addBatch(batch);
      rows += batch.length;
    }
  } else if (mode === 'batches') {
    for await (const batch of diffInventoryBatches(synthetic('bucket', UNION), synthetic('wesendit', UNION))) {
      tally.addBatch(batch);
      rows += batch.length;
    }
  } else {
    for await (const row of diffInventories(synthetic('bucket', UNION), synthetic('wesendit', UNION))) {
      tally.add(row);
      rows++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const totals = tally.totals;
  return {
    mode,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    rows,
    classes: Object.fromEntries(Object.entries(totals.classes).map(([k, v]) => [k, v.objects])),
    lookalikes: totals.lookalikes,
  };
}

if (process.env.DIFF_BENCH_CHILD) {
  const result = await runChild(process.env.DIFF_BENCH_CHILD);
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  const self = fileURLToPath(import.meta.url);
  const measure = (mode: string, extraEnv: Record<string, string> = {}): ChildResult => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', self], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, ...extraEnv, DIFF_BENCH_CHILD: mode },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`diff bench child (${mode}) failed:\n${child.stderr}`);
    const line = child.stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as ChildResult;
  };
  console.log(`Load average before the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
  console.log(`Diff of two synthetic inventories, ${PER_SIDE.toLocaleString('en-US')} entries per side (${UNION.toLocaleString('en-US')} distinct keys + look-alike twins), Node ${process.versions.node}`);
  const generate = measure('generate-only');
  console.log(`  input generation alone:         ${generate.seconds.toFixed(2)} s (CPU ${generate.cpuSeconds.toFixed(2)} s), peak RSS ${generate.maxRssMb.toFixed(0)} MB (${generate.rows.toLocaleString('en-US')} entries)`);
  let pass = true;
  for (const mode of ['batches', 'rows']) {
    const r = measure(mode);
    const ok = r.seconds <= FLOOR_SECONDS && r.maxRssMb <= FLOOR_MB;
    if (mode === 'batches') pass = ok;
    const label = mode === 'batches' ? 'diffInventoryBatches (CLI path)' : 'diffInventories (row API)';
    console.log(
      `  ${label.padEnd(31)} ${r.seconds.toFixed(2)} s (CPU ${r.cpuSeconds.toFixed(2)} s), peak RSS ${r.maxRssMb.toFixed(0)} MB, ${r.rows.toLocaleString('en-US')} rows, ` +
        `${Math.round(r.rows / r.seconds).toLocaleString('en-US')} rows/s ${ok ? 'PASS' : 'over floor'}`,
    );
    console.log(`    classes ${JSON.stringify(r.classes)}, look-alikes ${r.lookalikes}`);
  }
  // The WeSendit side as a CSV manifest of the same entries: parse, validate, sort, diff.
  const dir = mkdtempSync(join(tmpdir(), 'cg-diff-bench-'));
  try {
    const manifestPath = join(dir, 'wesendit.csv');
    const out = createWriteStream(manifestPath);
    out.write('path,size,modified,md5\n');
    let lines = 0;
    for await (const batch of synthetic('wesendit', UNION)) {
      let text = '';
      for (const e of batch) text += `${e.key},${e.size},${e.lastModified ?? ''},${e.md5 ?? ''}\n`;
      lines += batch.length;
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const m = measure('manifest', { DIFF_BENCH_MANIFEST: manifestPath });
    const ok = m.maxRssMb <= FLOOR_MB;
    if (!ok) pass = false;
    console.log(
      `  CSV manifest (${lines.toLocaleString('en-US')} lines) vs bucket: ${m.seconds.toFixed(2)} s (CPU ${m.cpuSeconds.toFixed(2)} s), peak RSS ${m.maxRssMb.toFixed(0)} MB, ${m.rows.toLocaleString('en-US')} rows ` +
        `(read, validate, sort, diff) ${ok ? 'PASS (memory)' : 'over memory floor'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  floors: ≤ ${FLOOR_SECONDS} s and ≤ ${FLOOR_MB} MB peak RSS, including input generation → ${pass ? 'PASS' : 'FAIL'}`);
  if (!pass) process.exitCode = 1;
}
