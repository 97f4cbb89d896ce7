import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkToolConfigs } from './check-tool-configs.ts';
import { encryptRcloneConfig } from './rclone-config-crypt.ts';
import { toolIndexFile, type HandoffEntry } from './tool-index.ts';

const home = mkdtempSync(join(tmpdir(), 'cg-doctor-tools-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const KEY = 'FAKEACCESSKEY0000001';
const storage = { endpoint: 'https://s3.wesendit.example', bucket: 'usr-1-itm-2-nas', accessKey: KEY };

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const entry = (overrides: Partial<HandoffEntry>): HandoffEntry => ({
  tool: 'aws',
  name: 'wesendit-nas',
  configPath: join(home, '.aws', 'config'),
  toolKeysPath: join(home, '.config', 'connect-guard', 'tool-keys.json'),
  storageName: 'NAS',
  endpoint: 'S3.WESENDIT.example/',
  bucket: 'usr-1-itm-2-nas',
  accessKey: KEY,
  setUpAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

describe('checkToolConfigs (doctor: "compare the bucket name with the entry in your external tool")', () => {
  it('compares every remote, profile and alias using the Access Key, and names each mismatch with its fix', async () => {
    const index = toolIndexFile(join(home, '.config', 'connect-guard', 'tools.json'), [], [entry({}), entry({ name: 'typo', bucket: 'usr-1-itm-2-nsa' })]);
    write(index.path, index.text);
    write(
      join(home, '.config', 'rclone', 'rclone.conf'),
      `[mine-s3]\ntype = s3\naccess_key_id = ${KEY}\nsecret_access_key = x\nendpoint = https://s3.wesendit.example\n\n[mine]\ntype = alias\nremote = mine-s3:usr-1-itm-2-old/sub\n\n[other]\ntype = s3\naccess_key_id = SOMEONEELSE\n`,
    );
    write(join(home, '.aws', 'credentials'), `[plain]\naws_access_key_id = ${KEY}\naws_secret_access_key = x\n`);
    write(join(home, '.mc', 'config.json'), JSON.stringify({ version: '10', aliases: { wsi: { url: 'https://other.example', accessKey: KEY, secretKey: 'x', api: 's3v4', path: 'auto' } } }));

    const findings = await checkToolConfigs({ env: { HOME: home }, ...storage });
    expect(findings.map((f) => [f.tool, f.name, f.status])).toEqual([
      ['aws', 'typo', 'fail'],
      ['aws', 'wesendit-nas', 'pass'],
      ['rclone', 'mine', 'fail'],
      ['rclone', 'mine-s3', 'pass'],
      ['aws', 'plain', 'warn'],
      ['mc', 'wsi', 'fail'],
    ]);
    const messages = findings.map((f) => f.message);
    expect(messages[0]).toBe(
      'AWS profile "typo" points to bucket "usr-1-itm-2-nsa", but this storage\'s S3 API Bucket Name is "usr-1-itm-2-nas": files sent with it do not arrive in this storage and will not appear in WeSendit. Fix: run "connect-guard setup aws --name typo --replace" for this storage.',
    );
    expect(messages[2]).toMatch(/^rclone remote "mine:" points to bucket "usr-1-itm-2-old".*Fix: rclone config update mine remote mine-s3:usr-1-itm-2-nas$/);
    expect(messages[4]).toMatch(/holds this storage's key pair in plain text/);
    expect(messages[5]).toMatch(/^mc alias "wsi" uses the server https:\/\/other\.example, but this storage's S3 Server Address is https:\/\/s3\.wesendit\.example/);
  });

  it('an encrypted rclone config is read with a password at hand, else named as not compared', async () => {
    const dir = mkdtempSync(join(home, 'enc-'));
    write(join(dir, '.config', 'rclone', 'rclone.conf'), encryptRcloneConfig(`[r]\ntype = s3\naccess_key_id = ${KEY}\nendpoint = https://s3.wesendit.example\n`, 'their password'));
    const locked = await checkToolConfigs({ env: { HOME: dir }, ...storage });
    expect(locked).toEqual([expect.objectContaining({ tool: 'rclone', status: 'skip', message: expect.stringMatching(/is encrypted: only the remotes Connect Guard set up were compared/) })]);
    const open = await checkToolConfigs({ env: { HOME: dir }, ...storage, rclonePasswords: ['wrong', 'their password'] });
    expect(open).toEqual([expect.objectContaining({ tool: 'rclone', name: 'r', status: 'pass' })]);
  });
});
