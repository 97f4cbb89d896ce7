/**
 * The real `connect-guard` CLI (child process, as a user runs it) against the real Ceph gateway:
 * a bucket with plain and multipart objects, a manifest and a local folder as the WeSendit side.
 * Expected classes are computed here from the bodies, independently of the diff engine.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli as runConnectGuard, type CliResult } from '../support/run-cli.ts';
import { createBucket, testClient } from './s3-fixtures.ts';

const MiB = 1024 * 1024;
const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runConnectGuard(args, tmpdir(), env);
}

type Expected = 'only-in-bucket' | 'only-in-wesendit' | 'same' | 'conflict' | 'unknown';

/** One key of the scenario: what the bucket holds, what WeSendit holds and what it reports. */
interface Case {
  readonly key: string;
  readonly bucket?: Buffer;
  readonly multipartPartSize?: number;
  readonly wesendit?: Buffer;
  readonly manifestMd5?: boolean;
}

function expectedClass(c: Case): Expected {
  if (c.bucket && !c.wesendit) return 'only-in-bucket';
  if (!c.bucket && c.wesendit) return 'only-in-wesendit';
  if (!c.bucket || !c.wesendit) throw new Error('case without sides');
  if (c.bucket.length !== c.wesendit.length) return 'conflict';
  if (c.bucket.length === 0) return 'same';
  // A manifest cannot vouch for a multipart ETag, and without an MD5 nothing is proven.
  if (!c.manifestMd5 || c.multipartPartSize) return 'unknown';
  return c.bucket.equals(c.wesendit) ? 'same' : 'conflict';
}

function patterned(size: number, seed: number): Buffer {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 997) data[i] = (i * 31 + seed) & 0xff;
  return data;
}

const big = patterned(11 * MiB + 17, 1);
const cases: Case[] = [
  ...Array.from({ length: 30 }, (_, i): Case => ({ key: `same/${i}.txt`, bucket: Buffer.from(`same ${i}`), wesendit: Buffer.from(`same ${i}`), manifestMd5: true })),
  { key: 'conflict/size.txt', bucket: Buffer.from('the bucket version'), wesendit: Buffer.from('WeSendit version'), manifestMd5: true },
  { key: 'conflict/content.txt', bucket: Buffer.from('AAAA'), wesendit: Buffer.from('BBBB'), manifestMd5: true },
  { key: 'unknown/no-hash.txt', bucket: Buffer.from('1234'), wesendit: Buffer.from('1234'), manifestMd5: false },
  { key: 'big.bin', bucket: big, multipartPartSize: 5 * MiB, wesendit: big, manifestMd5: true },
  { key: 'empty', bucket: Buffer.alloc(0), wesendit: Buffer.alloc(0), manifestMd5: false },
  ...Array.from({ length: 12 }, (_, i): Case => ({ key: `only-bucket/${i}.txt`, bucket: Buffer.from(`b${i}`) })),
  ...Array.from({ length: 7 }, (_, i): Case => ({ key: `only-wesendit/${i}.txt`, wesendit: Buffer.from(`w${i}`), manifestMd5: true })),
  { key: 'Photo.jpg', bucket: Buffer.from('photo') },
  { key: 'photo.jpg', wesendit: Buffer.from('photo'), manifestMd5: true },
  { key: 'caf\u00e9.txt', bucket: Buffer.from('nfc'), wesendit: Buffer.from('nfc'), manifestMd5: true },
  { key: 'cafe\u0301.txt', wesendit: Buffer.from('nfd'), manifestMd5: true },
  { key: '\uFF01.txt', bucket: Buffer.from('fullwidth'), wesendit: Buffer.from('fullwidth'), manifestMd5: true },
  { key: '😀/x', bucket: Buffer.from('emoji'), wesendit: Buffer.from('emoji!'), manifestMd5: true },
  { key: 'with, comma "and quotes".txt', bucket: Buffer.from('q'), wesendit: Buffer.from('q'), manifestMd5: true },
];

async function putMultipart(client: S3Client, bucket: string, key: string, data: Buffer, partSize: number): Promise<void> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts: { ETag: string; PartNumber: number }[] = [];
  for (let offset = 0, n = 1; offset < data.length; offset += partSize, n++) {
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: data.subarray(offset, offset + partSize) }));
    parts.push({ ETag: ETag ?? '', PartNumber: n });
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

interface ReportRow {
  readonly type: 'row';
  readonly key: string;
  readonly class: Expected;
  readonly reason: string;
  readonly lookalikeOf?: string;
}
interface ReportTotals {
  readonly type: 'totals';
  readonly classes: Record<Expected, { objects: number }>;
  readonly lookalikes: number;
  readonly multipartUploads?: { supported: boolean; count?: number };
}

function parseReport(text: string): { rows: ReportRow[]; totals: ReportTotals } {
  const lines = text.trim().split('\n').map((line): unknown => JSON.parse(line));
  const rows = lines.slice(0, -1) as ReportRow[];
  const totals = lines.at(-1) as ReportTotals;
  return { rows, totals };
}

describe('connect-guard diff against Ceph', () => {
  let client: S3Client;
  let bucket: string;
  let dir: string;
  let manifest: string;
  let folder: string;
  const server = (): { endpoint: string } => inject('s3');

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'cli-diff');
    for (const c of cases) {
      if (!c.bucket) continue;
      if (c.multipartPartSize) await putMultipart(client, bucket, c.key, c.bucket, c.multipartPartSize);
      else await client.send(new PutObjectCommand({ Bucket: bucket, Key: c.key, Body: c.bucket }));
    }
    // An upload still in progress: not an object yet, but the seed says to wait for it.
    await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'uploading.bin' }));

    dir = mkdtempSync(join(tmpdir(), 'cg-cli-diff-'));
    manifest = join(dir, 'wesendit.csv');
    const lines = ['path,size,modified,md5'];
    for (const c of [...cases].reverse()) {
      if (!c.wesendit) continue;
      lines.push([csvCell(c.key), String(c.wesendit.length), '2024-03-01T10:00:00Z', c.manifestMd5 ? md5(c.wesendit) : ''].join(','));
    }
    writeFileSync(manifest, lines.join('\r\n') + '\r\n');
    folder = join(dir, 'folder');
    for (const c of cases) {
      if (!c.wesendit) continue;
      const path = join(folder, ...c.key.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, c.wesendit);
    }
  });

  afterAll(() => {
    client?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts every class as computed independently, and classes each key', async () => {
    const out = join(dir, 'report.ndjson');
    const result = await runCli(['diff', '--endpoint', server().endpoint, '--bucket', bucket, '--manifest', manifest, '--format', 'ndjson', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { rows, totals } = parseReport(readFileSync(out, 'utf8'));
    const expected = new Map(cases.map((c) => [c.key, expectedClass(c)]));
    expect(new Map(rows.map((r) => [r.key, r.class]))).toEqual(expected);
    const counts: Record<Expected, number> = { 'only-in-bucket': 0, 'only-in-wesendit': 0, same: 0, conflict: 0, unknown: 0 };
    for (const c of expected.values()) counts[c]++;
    for (const name of Object.keys(counts) as Expected[]) expect(totals.classes[name].objects, name).toBe(counts[name]);
    // Rows come in S3 order (UTF-8 bytes).
    const keys = rows.map((r) => r.key);
    expect(keys).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(rows.find((r) => r.key === 'photo.jpg')?.lookalikeOf).toBe('Photo.jpg');
    expect(rows.find((r) => r.key === 'caf\u00e9.txt')?.lookalikeOf).toBe('cafe\u0301.txt');
    expect(rows.find((r) => r.key === 'big.bin')?.reason).toMatch(/multipart ETag [0-9a-f]{8}…-3 cannot be compared/);
    expect(totals.multipartUploads).toEqual({ supported: true, count: 1 });
    expect(result.stdout).toMatch(/1 upload in progress/);
  });

  it('matches a multipart object against the local file (5 MiB parts inferred)', async () => {
    const result = await runCli(['diff', '--endpoint', server().endpoint, '--bucket', bucket, '--folder', folder, '--format', 'ndjson']);
    expect(result.code).toBe(0);
    const { rows } = parseReport(result.stdout);
    const row = rows.find((r) => r.key === 'big.bin');
    expect(row?.class).toBe('same');
    expect(row?.reason).toMatch(/^multipart ETag [0-9a-f]{8}…-3 matches the WeSendit file hashed with 5 MiB parts$/);
    expect(rows.find((r) => r.key === 'unknown/no-hash.txt')?.class).toBe('same');
    expect(rows.find((r) => r.key === 'conflict/content.txt')?.class).toBe('conflict');
    expect(result.stderr).toMatch(/Integrating Existing Data/);
  });

  it('gives the same answer from a snapshot written by inventory', async () => {
    const snapshot = join(dir, 'snapshot.ndjson');
    const listed = await runCli(['inventory', '--endpoint', server().endpoint, '--bucket', bucket, '--out', snapshot]);
    expect(listed.code).toBe(0);
    const bucketObjects = cases.filter((c) => c.bucket).length;
    expect(listed.stdout).toContain(`Listed ${bucketObjects} objects`);
    expect(listed.stdout).toMatch(/1 upload in progress/);
    const direct = await runCli(['diff', '--endpoint', server().endpoint, '--bucket', bucket, '--manifest', manifest, '--format', 'csv']);
    const fromSnapshot = await runCli(['diff', '--snapshot', snapshot, '--manifest', manifest, '--format', 'csv']);
    expect(fromSnapshot.code).toBe(0);
    expect(fromSnapshot.stdout).toBe(direct.stdout);
    expect(direct.stdout.split('\r\n').length).toBe(cases.length + 2);
  });

  it('names a wrong Secret Key in plain words, exit code 4', async () => {
    const result = await runCli(['diff', '--endpoint', server().endpoint, '--bucket', bucket, '--manifest', manifest], {
      AWS_SECRET_ACCESS_KEY: 'cg-test-wrong-secret-not-real',
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/Secret Key does not match/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a Secret Key on the command line, exit code 2', async () => {
    const result = await runCli(['diff', '--endpoint', server().endpoint, '--bucket', bucket, '--manifest', manifest, '--secret-key', 'whatever']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not accepted on the command line \(--secret-key\)/);
  });
});
