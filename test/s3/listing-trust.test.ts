/**
 * A listing is only as good as the server's pages. Through a proxy that rewrites one
 * ListObjectsV2 page of the real gateway on its way back, the listing must refuse a page that
 * breaks S3's rules (more keys announced but no way to get them, keys out of order, a KeyCount
 * that disagrees with the objects sent) with an error that names the server's fault: never end
 * early, skip a key, or report a backup as complete while objects are missing.
 */
import type { IncomingMessage } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBucketObjects } from '../../companion/src/s3/list-bucket-objects.ts';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import type { InventoryEntry } from '../../shared/inventory.ts';
import { startFaultProxy, type Fault } from '../support/fault-proxy.ts';
import { createBucket, flatKeys, putKeys, testClient, testConnection } from './s3-fixtures.ts';

/** A ListObjectsV2 request of the listing itself (not a folder probe, which has a delimiter). */
function isListingPage(request: IncomingMessage): boolean {
  const url = new URL(request.url ?? '/', 'http://proxy');
  return request.method === 'GET' && url.searchParams.get('list-type') === '2' && !url.searchParams.has('delimiter');
}

/** Rewrites the `nth` listing page (1-based) with `body`; every other request passes unchanged. */
function rewriteListingPage(nth: number, body: (text: string) => string): (requestNumber: number, request: IncomingMessage) => Fault | undefined {
  let pages = 0;
  return (_number, request) => {
    if (!isListingPage(request)) return undefined;
    pages++;
    return pages === nth ? { kind: 'rewrite', body } : undefined;
  };
}

describe('a listing refuses pages that break the S3 rules', () => {
  let direct: S3Client;
  let bucket: string;
  const keys = flatKeys(300, 'doc-');

  beforeAll(async () => {
    direct = testClient();
    bucket = await createBucket(client(), 'trust');
    await putKeys(direct, bucket, keys);
  });
  afterAll(() => direct.destroy());

  function client(): S3Client {
    return direct;
  }

  async function listThrough(fault: (requestNumber: number, request: IncomingMessage) => Fault | undefined): Promise<{ keys: string[]; error: unknown; injected: number }> {
    const proxy = await startFaultProxy({ target: testConnection().endpoint, fault });
    const lying = createS3Client(testConnection({ endpoint: proxy.endpoint }), { maxAttempts: 1 });
    const listed: string[] = [];
    let error: unknown;
    try {
      // One range, 100 keys a page: page 2 holds doc-000100 … doc-000199.
      for await (const entry of listBucketObjects({ client: lying, bucket, pageSize: 100, concurrency: 1 }) as AsyncIterable<InventoryEntry>) listed.push(entry.key);
    } catch (caught) {
      error = caught;
    } finally {
      lying.destroy();
      await proxy.close();
    }
    return { keys: listed, error, injected: proxy.stats.injected.rewrite ?? 0 };
  }

  it('the unchanged pages list all 300 keys (the proxy alone changes nothing)', async () => {
    const run = await listThrough(() => undefined);
    expect(run.error).toBeUndefined();
    expect(run.keys).toEqual(keys);
  });

  it('a page that says more keys follow (IsTruncated) but has no continuation token is the server\'s fault, not the end', async () => {
    const run = await listThrough(rewriteListingPage(2, (text) => text.replace(/<NextContinuationToken>[^<]*<\/NextContinuationToken>/, '')));
    expect(run.injected).toBe(1);
    expect(run.error, `the listing ended after ${run.keys.length} of 300 keys without an error`).toMatchObject({
      code: 'SERVER_FAULT',
      message: expect.stringMatching(/server .*more keys follow.*no continuation token/is),
    });
    expect(run.keys.length).toBeLessThan(300);
  });

  it('a key out of order in a page is the server\'s fault, not a key skipped', async () => {
    // doc-000150 moved behind doc-000151: the page is no longer in S3 order.
    const run = await listThrough(
      rewriteListingPage(2, (text) => {
        const first = /<Contents><Key>doc-000150<\/Key>.*?<\/Contents>/s.exec(text)?.[0];
        const second = /<Contents><Key>doc-000151<\/Key>.*?<\/Contents>/s.exec(text)?.[0];
        if (!first || !second) throw new Error('the page does not hold doc-000150 and doc-000151');
        return text.replace(first, '\u0000').replace(second, first).replace('\u0000', second);
      }),
    );
    expect(run.injected).toBe(1);
    expect(run.error, `the listing went on without doc-000150: ${run.keys.includes('doc-000150')}`).toMatchObject({
      code: 'SERVER_FAULT',
      message: expect.stringMatching(/server .*"doc-000150".*not after "doc-000151"/is),
    });
  });

  it('a page whose KeyCount disagrees with the objects it holds is the server\'s fault', async () => {
    // One object left out of the page, KeyCount still saying 100.
    const run = await listThrough(rewriteListingPage(2, (text) => text.replace(/<Contents><Key>doc-000123<\/Key>.*?<\/Contents>/s, '')));
    expect(run.injected).toBe(1);
    expect(run.error, `the listing ended with ${run.keys.length} keys, doc-000123 listed: ${run.keys.includes('doc-000123')}`).toMatchObject({
      code: 'SERVER_FAULT',
      message: expect.stringMatching(/KeyCount 100 .*99 objects/s),
    });
  });

  it('an answer that is not a listing at all (a web page) says the address does not answer like an S3 server', async () => {
    const run = await listThrough(rewriteListingPage(1, () => '<!DOCTYPE html><html><head><title>WeSendit</title></head><body>Sign in</body></html>'));
    expect(run.error).toMatchObject({ code: 'INVALID_ENDPOINT', message: expect.stringMatching(/does not answer like an S3 server/) });
  });
});
