import { describe, expect, it } from 'vitest';
import { parseEndpoint } from './endpoint.ts';
import { ConnectGuardError } from './errors.ts';

describe('parseEndpoint', () => {
  it.each([
    ['s3.wesendit.com', { url: 'https://s3.wesendit.com', host: 's3.wesendit.com', isAws: false, forcePathStyle: true }],
    ['  https://s3.wesendit.com/  ', { url: 'https://s3.wesendit.com', host: 's3.wesendit.com', isAws: false, forcePathStyle: true }],
    ['HTTPS://S3.WeSendit.com', { url: 'https://s3.wesendit.com', host: 's3.wesendit.com', isAws: false, forcePathStyle: true }],
    ['s3.wesendit.com:8443', { url: 'https://s3.wesendit.com:8443', host: 's3.wesendit.com', port: 8443, isAws: false, forcePathStyle: true }],
    ['https://s3.wesendit.com/usr-48291-itm-00384-nas-to-wsi-backup/', { url: 'https://s3.wesendit.com', host: 's3.wesendit.com', isAws: false, forcePathStyle: true }],
    ['https://s3.wesendit.com?x=1#y', { url: 'https://s3.wesendit.com', host: 's3.wesendit.com', isAws: false, forcePathStyle: true }],
    ['http://minio.lan:9000', { url: 'http://minio.lan:9000', host: 'minio.lan', port: 9000, isAws: false, forcePathStyle: true }],
    ['127.0.0.1:7480', { url: 'http://127.0.0.1:7480', host: '127.0.0.1', port: 7480, isAws: false, forcePathStyle: true }],
    ['localhost:9000/', { url: 'http://localhost:9000', host: 'localhost', port: 9000, isAws: false, forcePathStyle: true }],
    ['[::1]:9000', { url: 'http://[::1]:9000', host: '::1', port: 9000, isAws: false, forcePathStyle: true }],
    ['https://127.0.0.1:7480', { url: 'https://127.0.0.1:7480', host: '127.0.0.1', port: 7480, isAws: false, forcePathStyle: true }],
    ['192.168.1.20:9000', { url: 'https://192.168.1.20:9000', host: '192.168.1.20', port: 9000, isAws: false, forcePathStyle: true }],
    ['s3.eu-central-1.amazonaws.com', { url: 'https://s3.eu-central-1.amazonaws.com', host: 's3.eu-central-1.amazonaws.com', isAws: true, region: 'eu-central-1', forcePathStyle: false }],
    ['https://s3.amazonaws.com', { url: 'https://s3.amazonaws.com', host: 's3.amazonaws.com', isAws: true, region: 'us-east-1', forcePathStyle: false }],
    ['s3-eu-west-1.amazonaws.com', { url: 'https://s3-eu-west-1.amazonaws.com', host: 's3-eu-west-1.amazonaws.com', isAws: true, region: 'eu-west-1', forcePathStyle: false }],
    ['my-bucket.s3.us-west-2.amazonaws.com', { url: 'https://s3.us-west-2.amazonaws.com', host: 's3.us-west-2.amazonaws.com', isAws: true, region: 'us-west-2', forcePathStyle: false }],
    ['s3.dualstack.ap-south-1.amazonaws.com', { url: 'https://s3.dualstack.ap-south-1.amazonaws.com', host: 's3.dualstack.ap-south-1.amazonaws.com', isAws: true, region: 'ap-south-1', forcePathStyle: false }],
    ['s3.eu-central-1.wasabisys.com', { url: 'https://s3.eu-central-1.wasabisys.com', host: 's3.eu-central-1.wasabisys.com', isAws: false, region: 'eu-central-1', forcePathStyle: true }],
    ['https://abc123.r2.cloudflarestorage.com', { url: 'https://abc123.r2.cloudflarestorage.com', host: 'abc123.r2.cloudflarestorage.com', isAws: false, forcePathStyle: true }],
  ])('%j', (input, expected) => {
    expect(parseEndpoint(input)).toStrictEqual(expected);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['s3 wesendit com', /spaces/],
    ['ftp://s3.wesendit.com', /ftp:\/\//],
    ['https://', /not a valid address|no host/],
    ['https://user:pass@s3.wesendit.com', /user name or password/],
    ['s3.wesendit.com:99999', /not a valid address/],
    ['https://s3_bad..host', /invalid host name/],
    ['https://-bad-.example.com', /invalid host name/],
    ['999.1.1.1', /invalid|not a valid/],
    ['mailto:someone@example.com', /not a web address/],
  ])('rejects %j with a clear message', (input, message) => {
    let thrown: unknown;
    try {
      parseEndpoint(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectGuardError);
    expect(thrown).toMatchObject({ code: 'INVALID_ENDPOINT', message: expect.stringMatching(message) });
    expect(thrown).toMatchObject({ message: expect.stringMatching(/Example: https:\/\//) });
  });
});
