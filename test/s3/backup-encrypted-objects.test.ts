/**
 * Objects encrypted with SSE-KMS: on AWS their ETag is not the MD5 of their bytes, so a backup
 * that takes every 32-hex ETag as an MD5 never verifies (and the connect click stays held). The
 * object is encrypted for real by Ceph's KMS (the `testing` key backend of test/support/ceph-rgw.ts),
 * but Ceph, unlike AWS, still gives it the plaintext's MD5 as ETag; a proxy in front of the
 * gateway gives it an ETag that is not, as AWS does. The backup records the encryption the
 * server names, verifies the object by the SHA-256 of what was downloaded, and still catches a
 * damaged file. An SSE-C object (Ceph encrypts it with the customer key the test sends) cannot
 * be read without that key: the backup says so, naming the object.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBucket } from '../../companion/src/s3/backup-bucket.ts';
import { verifyBackupFolder } from '../../companion/src/s3/verify-backup.ts';
import { parseManifestLine } from '../../shared/backup/backup-manifest.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { TEST_KMS_KEY_ID, TEST_SSE_C_KEY } from '../support/ceph-rgw.ts';
import { createBucket, testClient, testConnection } from './s3-fixtures.ts';

const md5Hex = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('a backup of SSE-KMS objects whose ETag is not an MD5', () => {
  let client: S3Client;
  let proxy: FaultProxy;
  let bucket: string;
  let sandbox: string;
  const secret = randomBytes(70_000);
  const plain = randomBytes(5_000);
  /** What AWS would send as the encrypted object's ETag: 32 hex digits, not its MD5. */
  const awsLikeEtag = md5Hex(randomBytes(16));

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'sse-kms');
    sandbox = mkdtempSync(join(tmpdir(), 'cg-sse-kms-'));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'vault/secret.bin', Body: secret, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: TEST_KMS_KEY_ID }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain.bin', Body: plain }));
    const realEtag = md5Hex(secret);
    proxy = await startFaultProxy({
      target: testConnection().endpoint,
      fault: (_number, request) => {
        const url = request.url ?? '';
        if (url.includes('list-type=2')) return { kind: 'rewrite', body: (text) => text.replaceAll(realEtag, awsLikeEtag) };
        if (url.startsWith(`/${bucket}/vault/secret.bin`)) return { kind: 'rewrite', headers: (headers) => ({ ...headers, etag: `"${awsLikeEtag}"` }) };
        return undefined;
      },
    });
  });
  afterAll(async () => {
    client.destroy();
    await proxy.close();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('verifies by SHA-256, records the encryption, and a damaged file still fails the check', async () => {
    const proxied = testClient({ endpoint: proxy.endpoint });
    try {
      const backup = await backupBucket({ client: proxied, bucket, root: join(sandbox, 'backups') });
      expect(backup.verified).toBe(true);
      const manifest = readFileSync(join(backup.folder, 'manifest.ndjson'), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => parseManifestLine(line, 'manifest'));
      const encrypted = manifest.find((entry) => entry.key === 'vault/secret.bin');
      expect(encrypted).toMatchObject({ etag: awsLikeEtag, encryption: 'aws:kms', sha256: sha256Hex(secret), md5: md5Hex(secret) });
      expect(manifest.find((entry) => entry.key === 'plain.bin')?.encryption).toBeUndefined();

      // One flipped byte in the encrypted object's file: its ETag says nothing, its SHA-256 does.
      const file = join(backup.folder, ...(encrypted?.path ?? '').split('/'));
      const bytes = readFileSync(file);
      bytes[100] = (bytes[100] ?? 0) ^ 0xff;
      writeFileSync(file, bytes);
      const again = await verifyBackupFolder({ folder: backup.folder });
      expect(again.failures).toEqual([{ key: 'vault/secret.bin', reason: 'SHA-256 differs from the manifest' }]);
    } finally {
      proxied.destroy();
    }
  });
});

describe('a backup of an object encrypted with a customer-provided key (SSE-C)', () => {
  it('says the object needs its customer key, which Connect Guard does not hold, naming it', async () => {
    const client = testClient();
    const sandbox = mkdtempSync(join(tmpdir(), 'cg-sse-c-'));
    try {
      const bucket = await createBucket(client, 'sse-c');
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a-plain.txt', Body: 'plain' }));
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'customer/ledger.db',
          Body: randomBytes(3000),
          SSECustomerAlgorithm: 'AES256',
          SSECustomerKey: TEST_SSE_C_KEY.toString('base64'),
          SSECustomerKeyMD5: createHash('md5').update(TEST_SSE_C_KEY).digest('base64'),
        }),
      );
      const failed = backupBucket({ client, bucket, root: join(sandbox, 'backups'), concurrency: 1 });
      await expect(failed).rejects.toMatchObject({ code: 'ACCESS_DENIED', message: expect.stringMatching(/"customer\/ledger\.db" is encrypted with a customer-provided key \(SSE-C\).*--prefix/) });
    } finally {
      client.destroy();
      rmSync(sandbox, { recursive: true, force: true });
    }
  });
});
