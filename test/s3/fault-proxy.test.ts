import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBucketObjects } from '../../companion/src/s3/list-bucket-objects.ts';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { internalError, slowDown, startFaultProxy, type Fault } from '../support/fault-proxy.ts';
import { createBucket, flatKeys, hostileKeys, nestedKeys, putKeys, sortByUtf8, testClient, testConnection } from './s3-fixtures.ts';

/** Every few requests something goes wrong, in a fixed rotation; a couple of stalls early on. */
function rotatingFaults(every: number): (requestNumber: number) => Fault | undefined {
  const rotation: Fault[] = [internalError, slowDown, { kind: 'reset' }, { kind: 'truncate' }, { kind: 'status', status: 502, code: 'BadGateway' }];
  return (requestNumber) => {
    if (requestNumber === 4 || requestNumber === 23) return { kind: 'stall' };
    if (requestNumber % every !== 0) return undefined;
    return rotation[(requestNumber / every) % rotation.length];
  };
}

function countDuplicates(keys: readonly string[]): number {
  return keys.length - new Set(keys).size;
}

describe('listing through a fault-injecting proxy', () => {
  let direct: S3Client;
  let bucket: string;
  let expected: string[];

  beforeAll(async () => {
    direct = testClient();
    bucket = await createBucket(client(), 'faults');
    const keys = [...flatKeys(2500), ...nestedKeys(), ...hostileKeys()];
    await putKeys(direct, bucket, keys);
    expected = sortByUtf8(keys);
  });
  afterAll(() => direct.destroy());

  function client(): S3Client {
    return direct;
  }

  it.each([
    ['the client retries (6 attempts)', 6, 3],
    ['only the listing retries (client: 1 attempt)', 1, 4],
  ])('0 keys missed and 0 doubled when %s', async (_label, maxAttempts, every) => {
    const proxy = await startFaultProxy({ target: testConnection().endpoint, fault: rotatingFaults(every) });
    const faulty = createS3Client(testConnection({ endpoint: proxy.endpoint }), { maxAttempts, requestTimeoutMs: 1_000, connectionTimeoutMs: 1_000 });
    try {
      const keys: string[] = [];
      for await (const entry of listBucketObjects({ client: faulty, bucket, pageSize: 200, concurrency: 8, maxPageAttempts: 12 })) keys.push(entry.key);
      expect(countDuplicates(keys)).toBe(0);
      expect(keys.length).toBe(expected.length);
      expect(keys).toEqual(expected);
      // The faults really happened, of every kind.
      expect(proxy.stats.injected).toMatchObject({
        InternalError: expect.any(Number),
        SlowDown: expect.any(Number),
        reset: expect.any(Number),
        truncate: expect.any(Number),
        BadGateway: expect.any(Number),
        stall: 2,
      });
    } finally {
      faulty.destroy();
      await proxy.close();
    }
  });

  it('gives up with a clear error when the server keeps failing', async () => {
    const proxy = await startFaultProxy({ target: testConnection().endpoint, fault: () => slowDown });
    const faulty = createS3Client(testConnection({ endpoint: proxy.endpoint }), { maxAttempts: 2 });
    try {
      const listing = (async () => {
        for await (const _entry of listBucketObjects({ client: faulty, bucket, maxPageAttempts: 2 })) {
          // nothing arrives
        }
      })();
      await expect(listing).rejects.toMatchObject({ code: 'ENDPOINT_UNREACHABLE', message: expect.stringContaining('503') });
      // 2 listing attempts × 2 client attempts, plus at most one folder probe (2 attempts).
      expect(proxy.stats.requests).toBeGreaterThanOrEqual(4);
      expect(proxy.stats.requests).toBeLessThanOrEqual(6);
    } finally {
      faulty.destroy();
      await proxy.close();
    }
  });
});
