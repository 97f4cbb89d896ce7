import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HostLog, redactSecrets } from './host-log.ts';

describe('redactSecrets', () => {
  it.each([
    ['a secret key', { secretAccessKey: 's' }, { secretAccessKey: '[redacted]' }],
    ['nested credentials', { data: { connection: { accessKeyId: 'AK', secretAccessKey: 's', sessionToken: 't' } } }, { data: { connection: { accessKeyId: 'AK', secretAccessKey: '[redacted]', sessionToken: '[redacted]' } } }],
    ['passwords and passphrases in arrays', [{ password: 'p' }, { passphrase: 'q' }], [{ password: '[redacted]' }, { passphrase: '[redacted]' }]],
    ['harmless fields', { id: '1', type: 'ping' }, { id: '1', type: 'ping' }],
    ['a plain value', 'text', 'text'],
  ])('%s', (_name, input, expected) => {
    expect(redactSecrets(input)).toEqual(expected);
  });
});

describe('HostLog', () => {
  it('writes one redacted line per event', () => {
    const stream = new PassThrough();
    new HostLog(stream).write('request failed', { id: '7', secretAccessKey: 'fake-secret-xyz' });
    expect(String(stream.read())).toBe('connect-guard host: request failed {"id":"7","secretAccessKey":"[redacted]"}\n');
  });
});
