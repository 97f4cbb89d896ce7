import { createServer, type Server } from 'node:net';
import { CreateBucketCommand, CreateMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { diagnoseConnection, type DoctorReport } from '../../companion/src/s3/diagnose-connection.ts';
import { listBucketObjects } from '../../companion/src/s3/list-bucket-objects.ts';
import { accessDenied, startFaultProxy } from '../support/fault-proxy.ts';
import { createBucket, testClient, testConnection, uniqueBucketName } from './s3-fixtures.ts';

function check(report: DoctorReport, name: string) {
  return report.checks.find((candidate) => candidate.name === name);
}

function failed(report: DoctorReport) {
  return report.checks.filter((candidate) => candidate.status === 'fail');
}

describe('connection doctor against Ceph RGW', () => {
  let client: S3Client;
  let bucket: string;

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'doctor');
  });
  afterAll(() => client.destroy());

  it('passes every check for a good connection, and only reads', async () => {
    const report = await diagnoseConnection({ connection: testConnection(), bucket });
    expect(failed(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(check(report, 'write permission')).toMatchObject({ status: 'skip' });
    const keys: string[] = [];
    for await (const entry of listBucketObjects({ client, bucket })) keys.push(entry.key);
    expect(keys).toEqual([]);
  });

  it('wrong Secret Key → WRONG_SECRET_KEY, after the access key passed', async () => {
    const report = await diagnoseConnection({ connection: testConnection({ secretAccessKey: 'cg-test-secret-that-is-wrong-00000000000' }), bucket });
    expect(report.ok).toBe(false);
    expect(failed(report)).toMatchObject([{ name: 'secret key', code: 'WRONG_SECRET_KEY', message: expect.stringMatching(/Secret Key does not match.*new S3 credentials/) }]);
    expect(check(report, 'access key')).toMatchObject({ status: 'pass' });
    expect(check(report, 'bucket')).toMatchObject({ status: 'skip' });
  });

  it('unknown Access Key → WRONG_ACCESS_KEY', async () => {
    const report = await diagnoseConnection({ connection: testConnection({ accessKeyId: 'CGTESTUNKNOWNKEY0009' }), bucket });
    expect(failed(report)).toMatchObject([{ name: 'access key', code: 'WRONG_ACCESS_KEY', message: expect.stringContaining('Access Key') }]);
  });

  it('missing bucket → NO_SUCH_BUCKET with WeSendit’s name pattern', async () => {
    const report = await diagnoseConnection({ connection: testConnection(), bucket: 'usr-48291-itm-00384-not-there' });
    expect(failed(report)).toMatchObject([
      { name: 'bucket', code: 'NO_SUCH_BUCKET', message: expect.stringMatching(/\{user account id\}-\{item id\}-\{label\}.*usr-48291-itm-00384-nas-to-wsi-backup/) },
    ]);
    expect(check(report, 'secret key')).toMatchObject({ status: 'pass' });
  });

  it('another user’s bucket → ACCESS_DENIED naming IP addresses and permissions', async () => {
    const other = inject('s3').otherUser;
    const otherClient = testClient(other);
    const othersBucket = uniqueBucketName('others');
    await otherClient.send(new CreateBucketCommand({ Bucket: othersBucket }));
    otherClient.destroy();
    const report = await diagnoseConnection({ connection: testConnection(), bucket: othersBucket });
    expect(failed(report)).toMatchObject([{ name: 'read permission', code: 'ACCESS_DENIED', message: expect.stringMatching(/Allowed IP addresses.*Permissions/) }]);
  });

  it('refused connection on a closed port → ENDPOINT_UNREACHABLE', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const report = await diagnoseConnection({ connection: testConnection({ endpoint: `127.0.0.1:${port}` }), bucket, timeoutMs: 2000 });
    expect(failed(report)).toMatchObject([{ name: 'server reachable', code: 'ENDPOINT_UNREACHABLE', message: expect.stringContaining('connection refused') }]);
  });

  it('https to a plain-http server → TLS_ERROR', async () => {
    const endpoint = testConnection().endpoint.replace('http://', 'https://');
    const report = await diagnoseConnection({ connection: testConnection({ endpoint }), bucket, timeoutMs: 2000 });
    expect(failed(report)).toMatchObject([{ name: 'server reachable', code: 'TLS_ERROR' }]);
  });

  it('clock 20 minutes off → CLOCK_SKEW', async () => {
    const report = await diagnoseConnection({ connection: testConnection(), bucket, clockOffsetMs: -20 * 60 * 1000 });
    expect(failed(report)).toMatchObject([{ name: 'clock', code: 'CLOCK_SKEW', message: expect.stringContaining('clock') }]);
  });

  it('malformed endpoint → INVALID_ENDPOINT before any request', async () => {
    const report = await diagnoseConnection({ connection: testConnection({ endpoint: 'ftp://s3.example.com' }), bucket });
    expect(failed(report)).toMatchObject([{ name: 'endpoint', code: 'INVALID_ENDPOINT' }]);
    expect(report.checks.filter((candidate) => candidate.status === 'skip').length).toBe(report.checks.length - 1);
  });

  it('IP not on the allow-list (AccessDenied from the proxy) → IP_NOT_ALLOWED showing the allowed IPs', async () => {
    const proxy = await startFaultProxy({ target: testConnection().endpoint, fault: () => accessDenied });
    try {
      const report = await diagnoseConnection({ connection: testConnection({ endpoint: proxy.endpoint }), bucket, allowedIps: '203.0.113.7, 198.51.100.0/24' });
      expect(failed(report)).toMatchObject([{ name: 'read permission', code: 'IP_NOT_ALLOWED', message: expect.stringContaining('203.0.113.7, 198.51.100.0/24') }]);
    } finally {
      await proxy.close();
    }
  });

  it('read-only keys: reads pass, the write probe says Read Only and stores nothing', async () => {
    const report = await diagnoseConnection({ connection: testConnection(inject('s3').readOnly), bucket, probeWrite: true });
    expect(failed(report)).toEqual([]);
    expect(check(report, 'read permission')).toMatchObject({ status: 'pass' });
    expect(check(report, 'write permission')).toMatchObject({ status: 'warn', code: 'ACCESS_DENIED', message: expect.stringContaining('Read Only') });
  });

  it('read & write keys: the write probe passes and stores nothing', async () => {
    const report = await diagnoseConnection({ connection: testConnection(), bucket, probeWrite: true });
    expect(check(report, 'write permission')).toMatchObject({ status: 'pass', message: expect.stringContaining('without storing anything') });
    const keys: string[] = [];
    for await (const entry of listBucketObjects({ client, bucket })) keys.push(entry.key);
    expect(keys).toEqual([]);
  });

  it('warns about uploads in progress', async () => {
    const busy = await createBucket(client, 'busy');
    await client.send(new CreateMultipartUploadCommand({ Bucket: busy, Key: 'copying/now.bin' }));
    const report = await diagnoseConnection({ connection: testConnection(), bucket: busy });
    expect(report.ok).toBe(true);
    expect(check(report, 'in-progress uploads')).toMatchObject({ status: 'warn', message: expect.stringContaining('copying/now.bin') });
  });
});
