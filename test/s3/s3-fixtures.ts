/**
 * Shared set-up for the suites against the real gateway: clients from the injected server,
 * fresh bucket names, and seeding many objects with bounded parallelism.
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { createS3Client, type S3ClientOptions, type S3Connection } from '../../companion/src/s3/s3-client.ts';

export function testConnection(overrides: Partial<S3Connection> = {}): S3Connection {
  const server = inject('s3');
  return { endpoint: server.endpoint, region: server.region, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, ...overrides };
}

export function testClient(overrides: Partial<S3Connection> = {}, options: S3ClientOptions = {}): S3Client {
  return createS3Client(testConnection(overrides), options);
}

export function uniqueBucketName(label: string): string {
  return `cg-${label}-${randomBytes(4).toString('hex')}`;
}

export async function createBucket(client: S3Client, label: string): Promise<string> {
  const bucket = uniqueBucketName(label);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Puts every key (body = the key's first bytes) with `parallel` requests in flight. */
export async function putKeys(client: S3Client, bucket: string, keys: readonly string[], parallel = 32): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++];
      if (key === undefined) break;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key.slice(0, 40)}` }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, keys.length) }, worker));
}

/** The expected listing, ordered independently of the code under test: by UTF-8 bytes. */
export function sortByUtf8(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/** Keys an S3 listing must survive. */
export function hostileKeys(): string[] {
  const longKey = `long/${'x'.repeat(1019)}`; // 1,024 bytes: the S3 maximum
  const longUnicode = `long-unicode/${'é'.repeat(505)}`; // 1,023 bytes
  return [
    'a',
    'a/b',
    'a/b/c',
    'a!',
    'a0',
    'a-',
    'folder/',
    'folder/inside.txt',
    'folder//double',
    'folder///triple',
    '//leading-double',
    '/leading',
    'trailing/',
    'with space.txt',
    ' leading space',
    'trailing space ',
    'plus+sign',
    'percent%20not-a-space',
    'percent%',
    'question?mark',
    'hash#mark',
    'amp&ersand',
    'equals=sign',
    'quote"double',
    "quote'single",
    'back\\slash',
    'tilde~',
    'caret^',
    'brace{}',
    'pipe|',
    '../escape-attempt',
    './dot',
    'UPPER',
    'upper',
    'Upper',
    'café-nfc', // é as one code point
    'cafe\u0301-nfd', // e + combining accent
    '日本語/ファイル.txt',
    'emoji-😀',
    'emoji-😀/inside',
    'astral-𝄞-music',
    '\uffff-last-bmp', // sorts before astral characters in UTF-8, after them in UTF-16
    '\ue000-private-use',
    '𐀀-first-astral',
    'zzz',
    '~tilde-first',
    longKey,
    longUnicode,
  ];
}

/** A tree: 3 levels of folders, files at every level, marker objects, sibling prefixes. */
export function nestedKeys(): string[] {
  const keys: string[] = [];
  for (let a = 0; a < 6; a++) {
    keys.push(`dir-${a}.txt`, `dir-${a}/`);
    for (let b = 0; b < 7; b++) {
      keys.push(`dir-${a}/sub-${b}/`);
      for (let c = 0; c < 9; c++) keys.push(`dir-${a}/sub-${b}/file-${c}.bin`);
      keys.push(`dir-${a}/sub-${b}-old/file.bin`);
    }
  }
  keys.push('photos/2024/a.jpg', 'photos-old/a.jpg', 'photos.txt', 'photos/', 'photos');
  return keys;
}

/** A flat bucket: numbered keys, no folders. */
export function flatKeys(count: number, prefix = 'file-'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
}
