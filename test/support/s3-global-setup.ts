/**
 * Vitest global setup of the `s3` project: one throwaway Ceph RADOS Gateway for the whole run.
 * Tests read where it is with `inject('s3')`.
 */
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startCephRgw } from './ceph-rgw.ts';

/** What the `s3` suites get from `inject('s3')`. Keys are fake and open only this gateway. */
export interface ProvidedS3Server {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A second user, for "another user's bucket" cases. */
  readonly otherUser: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Read-only keys for the first user's buckets. */
  readonly readOnly: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The gateway's ceph.conf, for suites that manage users and keys with radosgw-admin (key rotation). */
  readonly cephConf: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: ProvidedS3Server;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const rgw = await startCephRgw();
  const other = await rgw.createUser('connect-guard-other', 'CGTESTOTHERKEY000002', 'cg-test-secret-other-user-not-real-000002');
  const readOnly = await rgw.createSubuserKey('connect-guard-test', 'read-only', 'read', 'CGTESTREADONLYKEY003', 'cg-test-secret-read-only-not-real-000003');
  project.provide('s3', {
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    otherUser: { accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey },
    readOnly: { accessKeyId: readOnly.accessKeyId, secretAccessKey: readOnly.secretAccessKey },
    cephConf: join(rgw.dir, 'ceph.conf'),
  });
  return () => rgw.stop();
}
