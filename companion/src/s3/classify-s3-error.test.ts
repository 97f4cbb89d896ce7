import { describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { classifyS3Error, isRetryableS3Error } from './classify-s3-error.ts';

/** Error shapes as the SDK and Node produce them (the real ones are covered in test/s3). */
function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, Code: name, $metadata: { httpStatusCode: status } });
}
function networkError(code: string): Error {
  return Object.assign(new Error(`getaddrinfo ${code} s3.example.com`), { code });
}

describe('classifyS3Error', () => {
  it.each([
    [sdkError('InvalidAccessKeyId', 403), 'WRONG_ACCESS_KEY'],
    [sdkError('SignatureDoesNotMatch', 403), 'WRONG_SECRET_KEY'],
    [sdkError('NoSuchBucket', 404), 'NO_SUCH_BUCKET'],
    [sdkError('AccessDenied', 403), 'ACCESS_DENIED'],
    [sdkError('RequestTimeTooSkewed', 403), 'CLOCK_SKEW'],
    [networkError('ENOTFOUND'), 'ENDPOINT_UNREACHABLE'],
    [networkError('EAI_AGAIN'), 'ENDPOINT_UNREACHABLE'],
    [networkError('ECONNREFUSED'), 'ENDPOINT_UNREACHABLE'],
    [networkError('CERT_HAS_EXPIRED'), 'TLS_ERROR'],
    [networkError('ERR_TLS_CERT_ALTNAME_INVALID'), 'TLS_ERROR'],
    [networkError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'TLS_ERROR'],
    [sdkError('SlowDown', 503), 'ENDPOINT_UNREACHABLE'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'CANCELLED'],
    [new Error('something odd'), 'INTERNAL'],
  ])('%s → %s', (error, code) => {
    const classified = classifyS3Error(error, { bucket: 'usr-1-itm-2-x', endpoint: 'https://s3.example.com' });
    expect(classified).toBeInstanceOf(ConnectGuardError);
    expect(classified.code).toBe(code);
    expect(classified.cause).toBe(error);
  });

  it('names the allowed IPs when access is denied and they are known', () => {
    const classified = classifyS3Error(sdkError('AccessDenied', 403), { allowedIps: '203.0.113.7' });
    expect(classified).toMatchObject({ code: 'IP_NOT_ALLOWED', message: expect.stringContaining('203.0.113.7') });
  });

  it('DNS failure says the address cannot be found', () => {
    expect(classifyS3Error(networkError('ENOTFOUND')).message).toMatch(/cannot be found/);
  });

  it('keeps a ConnectGuardError as it is', () => {
    const error = new ConnectGuardError('INVALID_ENDPOINT', 'bad');
    expect(classifyS3Error(error)).toBe(error);
  });
});

describe('isRetryableS3Error', () => {
  it.each([
    [sdkError('InternalError', 500), true],
    [sdkError('SlowDown', 503), true],
    [sdkError('BadGateway', 502), true],
    [networkError('ECONNRESET'), true],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), true],
    [sdkError('SignatureDoesNotMatch', 403), false],
    [sdkError('NoSuchBucket', 404), false],
    [sdkError('AccessDenied', 403), false],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), false],
  ])('%s → %s', (error, retryable) => {
    expect(isRetryableS3Error(error)).toBe(retryable);
  });
});
