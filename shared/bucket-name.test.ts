import { describe, expect, it } from 'vitest';
import { getBucketNameParts, parseBucketName } from './bucket-name.ts';

describe('parseBucketName', () => {
  it.each([
    ['usr-48291-itm-00384-nas-to-wsi-backup', { accountPrefix: 'usr', accountId: '48291', itemPrefix: 'itm', itemId: '00384', label: 'nas-to-wsi-backup' }],
    ['usr-1-itm-2-x', { accountPrefix: 'usr', accountId: '1', itemPrefix: 'itm', itemId: '2', label: 'x' }],
    ['usr-48291-itm-00384-photos.2024', { accountPrefix: 'usr', accountId: '48291', itemPrefix: 'itm', itemId: '00384', label: 'photos.2024' }],
  ])('%s parses', (name, parts) => {
    expect(parseBucketName(name)).toEqual({ ok: true, name, ...parts });
  });

  it.each<[string, boolean, RegExp]>([
    ['', false, /empty/],
    ['ab', false, /2 characters long; S3 bucket names have 3 to 63/],
    [`usr-1-itm-2-${'x'.repeat(60)}`, false, /72 characters long/],
    ['USR-48291-itm-00384-backup', false, /upper-case letters.*did you mean "usr-48291-itm-00384-backup"/],
    ['usr_48291-itm-00384-backup', false, /contains "_"/],
    [' usr-48291-itm-00384-backup', false, /spaces at the start or end/],
    ['https://s3.wesendit.com/usr-48291-itm-00384-backup', false, /looks like a URL or path.*perhaps "usr-48291-itm-00384-backup"/],
    ['usr-48291-itm-00384-backup-', false, /start and end with a letter or digit/],
    ['usr-48291-itm-00384-a..b', false, /"\.\."/],
    ['usr-48291-itm-00384-a.-b', false, /next to a hyphen/],
    ['192.168.1.10', false, /IP address/],
    ['xn--usr-1-itm-2-x', false, /starts with "xn--"/],
    ['usr-1-itm-2-x-s3alias', false, /ends with "-s3alias"/],
    ['usr-48291-itm-00384-bäckup', false, /characters S3 does not allow.*"ä"/],
    ['my-backup-bucket', true, /does not start with a user account id such as "usr-48291"/],
    ['usr-48291-nas-backup', true, /an item id such as "itm-00384" must follow/],
    ['usr-48291-itm-00384', true, /label after "usr-48291-itm-00384-" is missing/],
  ])('%j is rejected (valid S3 name: %s) saying %s', (name, validS3Name, message) => {
    const result = parseBucketName(name);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.validS3Name).toBe(validS3Name);
    expect(result.problems.join(' ')).toMatch(message);
    expect(result.expected).toContain('{user account id}-{item id}-{label}');
    expect(result.expected).toContain('usr-48291-itm-00384-nas-to-wsi-backup');
  });

  it('getBucketNameParts throws INVALID_BUCKET_NAME with the pattern', () => {
    expect(() => getBucketNameParts('my_bucket')).toThrow(/is not a WeSendit bucket name.*\{user account id\}-\{item id\}-\{label\}/);
    expect(getBucketNameParts('usr-1-itm-2-x').label).toBe('x');
  });
});
