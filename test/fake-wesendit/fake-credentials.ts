/**
 * Credentials the fake WeSendit UI issues: random per request and obviously fake (access keys
 * start with `CGTEST`, secrets with `cgtest-secret-`), so nothing in the repository or a test log
 * can be mistaken for a real key.
 */
import { randomBytes } from 'node:crypto';
import type { StorageCredentials } from '../../shared/credentials.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

export function generateFakeCredentials(input: { serverAddress: string; storageName?: string }): StorageCredentials {
  const item = String(10_000 + (randomBytes(2).readUInt16BE(0) % 90_000));
  return {
    storageName: input.storageName ?? `NAS backup ${item}`,
    permissions: 'Read & Write',
    allowedIps: '192.0.2.10, 198.51.100.0/24',
    serverAddress: input.serverAddress,
    bucketName: `usr-48291-itm-${item}-nas-to-wsi-backup`,
    accessKey: `CGTEST${randomString(ALPHANUMERIC, 14)}`,
    secretKey: `cgtest-secret-${randomString(SECRET_ALPHABET, 30)}`,
  };
}
