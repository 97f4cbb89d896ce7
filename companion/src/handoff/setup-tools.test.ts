import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { decryptRcloneConfig, encryptRcloneConfig } from './rclone-config-crypt.ts';
import { setupAws } from './setup-aws.ts';
import { defaultToolEntryName, setupRclone } from './setup-rclone.ts';
import { readToolIndex } from './tool-index.ts';
import { findToolKey, rclonePasswordOf, readToolKeys } from './tool-keys.ts';

// Cheap Argon2id for unit tests only; the real default is checked by the s3 suite and the CLI.
const CHEAP = { memoryKiB: 1024, iterations: 1, parallelism: 1 };
const kdf = { kdf: CHEAP, floor: CHEAP };
const PASSPHRASE = 'tools passphrase for unit tests';
const SECRET = 'fake/SECRET+key-for-unit-tests-0001';

const storage: StorageCredentials = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '',
  serverAddress: 'https://s3.wesendit.example',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'FAKEACCESSKEY0000001',
  secretKey: SECRET,
};

const root = mkdtempSync(join(tmpdir(), 'cg-handoff-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh HOME, and a PATH holding stand-ins for rclone and aws (setup only checks they are there). */
function environment(tools: readonly string[] = ['rclone', 'aws']): Record<string, string> {
  const home = mkdtempSync(join(root, 'home-'));
  const bin = join(home, 'bin');
  mkdirSync(bin);
  for (const tool of tools) {
    writeFileSync(join(bin, tool), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, tool), 0o755);
  }
  return { HOME: home, PATH: bin };
}

let env: Record<string, string>;
let rcloneConf: string;
beforeEach(() => {
  env = environment();
  rcloneConf = join(env.HOME ?? '', '.config', 'rclone', 'rclone.conf');
});

async function rclonePassword(): Promise<string> {
  return rclonePasswordOf((await readToolKeys(join(env.HOME ?? '', '.config', 'connect-guard', 'tool-keys.json'), PASSPHRASE, kdf)).vaultKey);
}

describe('setup rclone', () => {
  it('writes an encrypted config (0600) with an s3 remote and an alias bound to the bucket, and lists it', async () => {
    const out = await setupRclone({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf });
    expect(out).toMatchObject({ tool: 'rclone', name: 'wesendit-nas-backup', configPath: rcloneConf, toolKeysCreated: true, replaced: false });
    const text = readFileSync(rcloneConf, 'utf8');
    expect(text).toMatch(/^# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\n/);
    expect(text).not.toContain(SECRET);
    expect(statSync(rcloneConf).mode & 0o777).toBe(0o600);
    expect(decryptRcloneConfig(text, await rclonePassword())).toBe(
      '[wesendit-nas-backup-s3]\ntype = s3\nprovider = Other\naccess_key_id = FAKEACCESSKEY0000001\n' +
        `secret_access_key = ${SECRET}\nendpoint = https://s3.wesendit.example\nforce_path_style = true\nno_check_bucket = true\n\n` +
        '[wesendit-nas-backup]\ntype = alias\nremote = wesendit-nas-backup-s3:usr-48291-itm-00384-nas-to-wsi-backup\n',
    );
    const index = await readToolIndex(join(env.HOME ?? '', '.config', 'connect-guard', 'tools.json'));
    expect(index).toEqual([expect.objectContaining({ tool: 'rclone', name: 'wesendit-nas-backup', bucket: storage.bucketName, accessKey: storage.accessKey })]);
    expect(JSON.stringify(index)).not.toContain(SECRET);
    expect(out.guide.steps.map((step) => step.command)).toEqual([
      expect.stringMatching(/^export RCLONE_PASSWORD_COMMAND='.*connect-guard\.js rclone-config-password --tool-keys .*tool-keys\.json'$/),
      'rclone copy --immutable --checksum --dry-run ./folder-to-upload wesendit-nas-backup:',
      'rclone copy --immutable --checksum --progress ./folder-to-upload wesendit-nas-backup:',
      'rclone lsf wesendit-nas-backup:',
    ]);
  });

  it('adds to a config it encrypted before, keeping the other remotes', async () => {
    await setupRclone({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf });
    const second = { ...storage, storageName: 'Fotos', bucketName: 'usr-48291-itm-00999-fotos' };
    const out = await setupRclone({ credentials: second, toolPassphrase: PASSPHRASE, env, kdf });
    expect(out.toolKeysCreated).toBe(false);
    const plain = decryptRcloneConfig(readFileSync(rcloneConf, 'utf8'), await rclonePassword()) ?? '';
    expect(plain.match(/^\[[^\]]+\]$/gm)).toEqual(['[wesendit-nas-backup-s3]', '[wesendit-nas-backup]', '[wesendit-fotos-s3]', '[wesendit-fotos]']);
  });

  it('never overwrites an existing remote silently; --replace does, and says so', async () => {
    await setupRclone({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf });
    const before = readFileSync(rcloneConf, 'utf8');
    await expect(setupRclone({ credentials: { ...storage, accessKey: 'OTHERKEY' }, toolPassphrase: PASSPHRASE, env, kdf })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: expect.stringMatching(/rclone remote "wesendit-nas-backup" and "wesendit-nas-backup-s3" exists already in .*rclone\.conf\. Nothing was changed\. Choose another name, or replace it explicitly/),
    });
    expect(readFileSync(rcloneConf, 'utf8')).toBe(before);
    const out = await setupRclone({ credentials: { ...storage, accessKey: 'OTHERKEY' }, toolPassphrase: PASSPHRASE, env, kdf, replace: true });
    expect(out.replaced).toBe(true);
    expect(decryptRcloneConfig(readFileSync(rcloneConf, 'utf8'), await rclonePassword())).toContain('access_key_id = OTHERKEY');
  });

  it('a config encrypted with an unknown password is a clear error, and stays as it was', async () => {
    mkdirSync(join(env.HOME ?? '', '.config', 'rclone'), { recursive: true });
    const theirs = encryptRcloneConfig('[mine]\ntype = local\n', 'the user\'s own rclone password');
    writeFileSync(rcloneConf, theirs);
    await expect(setupRclone({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf })).rejects.toMatchObject({
      code: 'TOOL_CONFIG_LOCKED',
      message: expect.stringMatching(/is encrypted with a password Connect Guard does not hold.*Nothing was changed.*--rclone-config FILE/),
    });
    expect(readFileSync(rcloneConf, 'utf8')).toBe(theirs);
    // Nothing half-written: the tool key file that would have been created is not there either.
    expect(existsSync(join(env.HOME ?? '', '.config', 'connect-guard', 'tool-keys.json'))).toBe(false);
  });

  it('a plain config with other remotes is encrypted only when asked, and keeps them', async () => {
    mkdirSync(join(env.HOME ?? '', '.config', 'rclone'), { recursive: true });
    writeFileSync(rcloneConf, '[mine]\ntype = local\n');
    await expect(setupRclone({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf })).rejects.toMatchObject({ code: 'TOOL_CONFIG_LOCKED', message: expect.stringMatching(/holds 1 remote\(s\) in plain text.*--encrypt-existing/) });
    expect(readFileSync(rcloneConf, 'utf8')).toBe('[mine]\ntype = local\n');
    await setupRclone({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf, encryptExisting: true });
    expect(decryptRcloneConfig(readFileSync(rcloneConf, 'utf8'), await rclonePassword())).toMatch(/^\[mine\]\ntype = local\n\n\[wesendit-nas-backup-s3\]/);
  });

  it('a tool that is not installed: a clear error naming the install, nothing written', async () => {
    env = environment([]);
    await expect(setupRclone({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf })).rejects.toMatchObject({ code: 'TOOL_NOT_INSTALLED', message: expect.stringMatching(/rclone is not installed.*apt-get install rclone/) });
    await expect(setupAws({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf })).rejects.toMatchObject({ code: 'TOOL_NOT_INSTALLED', message: expect.stringMatching(/aws is not installed.*apt-get install awscli/) });
    expect(existsSync(join(env.HOME ?? '', '.config'))).toBe(false);
  });

  it('a wrong passphrase for the existing tool key file changes nothing', async () => {
    await setupRclone({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf });
    const before = readFileSync(rcloneConf, 'utf8');
    await expect(setupRclone({ credentials: { ...storage, bucketName: 'other-bucket' }, name: 'other', toolPassphrase: 'not the tools passphrase', env, kdf })).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE', message: expect.stringMatching(/passphrase for external tools is wrong/) });
    expect(readFileSync(rcloneConf, 'utf8')).toBe(before);
  });

  it('a weak passphrase cannot create the tool key file', async () => {
    await expect(setupRclone({ credentials: storage, toolPassphrase: 'short', env, kdf })).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE' });
    expect(existsSync(rcloneConf)).toBe(false);
  });

  it.each([
    ['', /no S3 API Bucket Name/],
    ['bad/bucket', /invalid S3 API Bucket Name/],
  ])('refuses the bucket name %j', async (bucketName, message) => {
    await expect(setupRclone({ credentials: { ...storage, bucketName }, toolPassphrase: PASSPHRASE, env, kdf })).rejects.toThrow(message);
  });

  it('refuses a remote name rclone would misread', async () => {
    await expect(setupRclone({ credentials: storage, name: 'bad name:x', toolPassphrase: PASSPHRASE, env, kdf })).rejects.toThrow(/cannot be an rclone remote name/);
  });
});

describe('setup aws', () => {
  const awsConfig = (): string => join(env.HOME ?? '', '.aws', 'config');

  it('writes a profile with credential_process and path-style addressing; the key pair only in the encrypted tool key file', async () => {
    const out = await setupAws({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf });
    expect(out).toMatchObject({ tool: 'aws', name: 'wesendit-nas-backup', configPath: awsConfig(), toolKeysCreated: true });
    const text = readFileSync(awsConfig(), 'utf8');
    expect(text).toMatch(
      /^\[profile wesendit-nas-backup\]\nregion = us-east-1\ncredential_process = \S*node\S* \S*connect-guard\.js credential-process --tool-keys \S*tool-keys\.json --endpoint https:\/\/s3\.wesendit\.example --bucket usr-48291-itm-00384-nas-to-wsi-backup\ns3 =\n {4}addressing_style = path\n$/,
    );
    const keysFile = join(env.HOME ?? '', '.config', 'connect-guard', 'tool-keys.json');
    expect(readFileSync(keysFile, 'utf8')).not.toContain(SECRET);
    const keys = await readToolKeys(keysFile, PASSPHRASE, kdf);
    expect(findToolKey(keys.storages, 'S3.WESENDIT.example/', storage.bucketName)?.credentials.secretKey).toBe(SECRET);
    expect(out.guide.steps.map((step) => step.command)).toEqual([
      'aws s3 sync --dryrun ./folder-to-upload s3://usr-48291-itm-00384-nas-to-wsi-backup/ --profile wesendit-nas-backup --endpoint-url https://s3.wesendit.example',
      'aws s3 sync ./folder-to-upload s3://usr-48291-itm-00384-nas-to-wsi-backup/ --profile wesendit-nas-backup --endpoint-url https://s3.wesendit.example',
      'aws s3 ls s3://usr-48291-itm-00384-nas-to-wsi-backup/ --profile wesendit-nas-backup --endpoint-url https://s3.wesendit.example',
    ]);
  });

  it('keeps other profiles; an existing profile needs --replace; keys in the credentials file are refused', async () => {
    mkdirSync(join(env.HOME ?? '', '.aws'));
    writeFileSync(awsConfig(), '[default]\nregion = eu-central-1\n\n[profile wesendit-nas-backup]\nregion = x\n');
    await expect(setupAws({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf })).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringMatching(/AWS profile "wesendit-nas-backup" exists already/) });
    await setupAws({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf, replace: true });
    expect(readFileSync(awsConfig(), 'utf8')).toMatch(/^\[default\]\nregion = eu-central-1\n\n\[profile wesendit-nas-backup\]\nregion = us-east-1\ncredential_process = /);

    writeFileSync(join(env.HOME ?? '', '.aws', 'credentials'), '[other]\naws_access_key_id = A\naws_secret_access_key = B\n');
    await expect(setupAws({ credentials: storage, name: 'other', toolPassphrase: PASSPHRASE, env, kdf, replace: true })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: expect.stringMatching(/has keys in .*credentials, and those would be used instead/),
    });
  });

  it('a read-only place for the config: a clear error, and no file of the change is written', async () => {
    // The AWS config path is a file's child: the write fails after the tool key file was prepared.
    writeFileSync(join(env.HOME ?? '', 'not-a-folder'), '');
    await expect(setupAws({ credentials: storage, toolPassphrase: PASSPHRASE, env, kdf, configPath: join(env.HOME ?? '', 'not-a-folder', 'config') })).rejects.toMatchObject({
      code: 'CANNOT_WRITE',
      message: expect.stringMatching(/Cannot write .*not-a-folder\/config: .*Nothing was changed/),
    });
    expect(existsSync(join(env.HOME ?? '', '.config', 'connect-guard', 'tool-keys.json'))).toBe(false);
    expect(existsSync(join(env.HOME ?? '', '.config', 'connect-guard', 'tools.json'))).toBe(false);
  });
});

describe('defaultToolEntryName', () => {
  it.each([
    [{ storageName: 'NAS backup', bucketName: 'b' }, 'wesendit-nas-backup'],
    [{ storageName: 'Fotos äöü', bucketName: 'b' }, 'wesendit-fotos-aou'],
    [{ storageName: '', bucketName: 'usr-1-itm-2-x' }, 'wesendit-usr-1-itm-2-x'],
    [{ storageName: 'WeSendit Archiv', bucketName: 'b' }, 'wesendit-archiv'],
    [{ storageName: '!!!', bucketName: 'b' }, 'wesendit'],
  ])('%j → %s', (input, name) => {
    expect(defaultToolEntryName(input)).toBe(name);
  });
});
