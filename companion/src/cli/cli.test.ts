import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli.ts';
import type { CliIo } from './cli-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'cg-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return () => text;
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const io: CliIo = { stdout, stderr, stdin: process.stdin, env: {}, signal: new AbortController().signal };
  const code = await main(argv, io);
  return { code, stdout: out(), stderr: err() };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const HELLO = '5d41402abc4b2a76b9719d911017c592';

describe('connect-guard CLI', () => {
  it.each(['inventory', 'diff', 'doctor', 'bucket-name'])('%s --help documents its options and exit codes', async (command) => {
    const result = await run(command, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: connect-guard ${command}`));
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*130\s+cancelled/);
  });

  it('--help lists the commands', async () => {
    const result = await run('--help');
    expect(result.stdout).toMatch(/inventory[\s\S]*diff[\s\S]*doctor[\s\S]*bucket-name/);
  });

  it.each([
    [['nonsense'], 2, /Unknown command "nonsense"/],
    [['diff', '--bogus'], 2, /Unknown option '--bogus'[\s\S]*connect-guard diff --help/],
    [['diff', '--manifest', 'x.csv'], 2, /Bucket side: give exactly one of --bucket, --snapshot/],
    [['diff', '--snapshot', 's', '--manifest', 'm', '--folder', 'f'], 2, /WeSendit side: give exactly one of --manifest, --folder \(got --manifest and --folder\)/],
    [['diff', '--snapshot', 's', '--manifest', 'm', '--format', 'xml'], 2, /--format must be summary, ndjson or csv/],
    [['inventory', '--bucket', 'b'], 2, /--endpoint is required/],
    [['diff', '--aws-secret-access-key=abc', '--snapshot', 's'], 2, /not accepted on the command line \(--aws-secret-access-key\)/],
    [['bucket-name'], 2, /Give exactly one bucket name/],
    [['bucket-name', 'Bad_Name'], 3, /"Bad_Name" is not a WeSendit bucket name/],
    [['inventory', '--manifest', join(dir, 'missing.csv')], 3, /does not exist or is not a file/],
  ])('%j → exit %i with a clear message', async (argv, code, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(code);
    expect(result.stdout + result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('bucket-name shows the parts', async () => {
    const result = await run('bucket-name', 'usr-48291-itm-00384-nas-to-wsi-backup');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/user account id\s+usr-48291[\s\S]*item id\s+itm-00384[\s\S]*label\s+nas-to-wsi-backup/);
    const json = await run('bucket-name', '--json', 'usr-48291-itm-00384-nas-to-wsi-backup');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, accountId: '48291', itemId: '00384', label: 'nas-to-wsi-backup' });
  });

  it('a bad manifest line is reported with its number, exit 3', async () => {
    const snapshot = write('s.ndjson', '{"type":"snapshot","version":1,"source":"t"}\n{"type":"end","objects":0,"bytes":0}\n');
    const manifest = write('bad.csv', 'path,size,modified\na.txt,5,yesterday\n');
    const result = await run('diff', '--snapshot', snapshot, '--manifest', manifest);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/line 2: modified "yesterday" is not an ISO 8601 time/);
    const out = join(dir, 'never.csv');
    const withOut = await run('diff', '--snapshot', snapshot, '--manifest', manifest, '--format', 'csv', '--out', out);
    expect(withOut.code).toBe(3);
    // A failed run leaves neither a report nor its partial file.
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
  });

  it('inventory writes a snapshot that diff reads back; reports in every format', async () => {
    const bucketList = write('bucket.csv', `path,size,modified,md5\nb.txt,5,2024-01-01T00:00:00Z,${HELLO}\na.txt,3,2024-01-01T00:00:00Z,\n`);
    const snapshot = join(dir, 'snap.ndjson');
    const inventory = await run('inventory', '--manifest', bucketList, '--out', snapshot, '--json');
    expect(inventory.code).toBe(0);
    expect(JSON.parse(inventory.stdout)).toMatchObject({ type: 'result', objects: 2, bytes: 8, snapshot });
    const manifest = write('wesendit.ndjson', `{"path":"b.txt","size":5,"modified":"2024-02-01T00:00:00Z","md5":"${HELLO}"}\n{"path":"c.txt","size":1}\n`);

    const summary = await run('diff', '--snapshot', snapshot, '--manifest', manifest);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/Only in bucket \(will appear in WeSendit\)\s+1/);
    expect(summary.stdout).toMatch(/Only in WeSendit \(will be written to the bucket\)\s+1/);
    expect(summary.stdout).toMatch(/Same content \(no change\)\s+1/);
    expect(summary.stdout).toMatch(/Integrating Existing Data/);

    const csvPath = join(dir, 'r.csv');
    const csv = await run('diff', '--snapshot', snapshot, '--manifest', manifest, '--format', 'csv', '--out', csvPath);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toMatch(/Report \(csv\) written to/);
    expect(readFileSync(csvPath, 'utf8').split('\r\n').slice(1, 4).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      'a.txt,only-in-bucket',
      'b.txt,same',
      'c.txt,only-in-wesendit',
    ]);

    const ndjson = await run('diff', '--snapshot', snapshot, '--manifest', manifest, '--format', 'ndjson');
    const lines = ndjson.stdout.trim().split('\n').map((l): unknown => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ type: 'totals', objects: 3 });
    expect(ndjson.stderr).toMatch(/Connect preview/);
  });
});
