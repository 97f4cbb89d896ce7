import { describe, expect, it } from 'vitest';
import type { HandoffEntry } from './tool-index.ts';
import { toolsUsingOldKeys } from './update-tools.ts';

const entry = (overrides: Partial<HandoffEntry>): HandoffEntry => ({
  tool: 'rclone',
  name: 'wesendit-nas',
  configPath: '/h/.config/rclone/rclone.conf',
  toolKeysPath: '/h/.config/connect-guard/tool-keys.json',
  storageName: 'NAS',
  endpoint: 'https://s3.wesendit.example',
  bucket: 'usr-1-itm-2-nas',
  accessKey: 'OLDKEY',
  setUpAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

describe('toolsUsingOldKeys', () => {
  const credentials = { serverAddress: 'S3.WESENDIT.example:443/', bucketName: 'usr-1-itm-2-nas', accessKey: 'NEWKEY' };

  it('finds the tools of the same endpoint and bucket with another key, however the address is written', () => {
    const entries = [entry({}), entry({ tool: 'aws', name: 'p' }), entry({ name: 'current', accessKey: 'NEWKEY' }), entry({ name: 'other-bucket', bucket: 'usr-1-itm-3-x' }), entry({ name: 'other-server', endpoint: 'https://elsewhere.example' })];
    expect(toolsUsingOldKeys(entries, { credentials }).map((e) => `${e.tool}:${e.name}`)).toEqual(['rclone:wesendit-nas', 'aws:p']);
  });

  it('also finds tools set up with an earlier key of the storage, wherever they point', () => {
    const entries = [entry({ name: 'renamed-bucket', bucket: 'usr-1-itm-9-old', accessKey: 'EARLIER' }), entry({ name: 'unrelated', bucket: 'x', accessKey: 'SOMEONEELSE' })];
    expect(toolsUsingOldKeys(entries, { credentials, oldAccessKeys: ['EARLIER'] }).map((e) => e.name)).toEqual(['renamed-bucket']);
  });

  it('never calls the current key old', () => {
    expect(toolsUsingOldKeys([entry({ accessKey: 'NEWKEY' })], { credentials, oldAccessKeys: ['NEWKEY'] })).toEqual([]);
  });
});
