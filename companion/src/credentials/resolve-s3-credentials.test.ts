import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readHiddenLine } from './read-hidden-line.ts';
import { refuseSecretArguments } from './refuse-secret-arguments.ts';
import { parseIni, resolveS3Credentials, type CredentialPrompt } from './resolve-s3-credentials.ts';

const home = mkdtempSync(join(tmpdir(), 'cg-home-'));
mkdirSync(join(home, '.aws'));
writeFileSync(
  join(home, '.aws', 'credentials'),
  [
    '# test-only fake keys',
    '[default]',
    'aws_access_key_id = FAKEDEFAULTKEY',
    'aws_secret_access_key = fake-default-secret',
    '',
    '[backup]',
    'aws_access_key_id=FAKEBACKUPKEY',
    'aws_secret_access_key=fake-backup-secret',
    'aws_session_token = fake-token',
    '[broken]',
    'aws_access_key_id = ONLYKEY',
  ].join('\n'),
);
afterAll(() => rmSync(home, { recursive: true, force: true }));

const noPrompt = undefined;
const scriptedPrompt = (access: string, secret: string, asked: string[]): CredentialPrompt => ({
  ask: async (q) => (asked.push(q), access),
  askHidden: async (q) => (asked.push(`hidden:${q}`), secret),
});

describe('resolveS3Credentials', () => {
  it('takes the environment first', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'tok', AWS_PROFILE: 'backup' };
    expect(await resolveS3Credentials({ env, homeDir: home })).toEqual({
      accessKeyId: 'ENVKEY',
      secretAccessKey: 'env-secret',
      sessionToken: 'tok',
      source: 'environment (AWS_SECRET_ACCESS_KEY)',
    });
  });

  it('--profile wins over the environment', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'env-secret' };
    const creds = await resolveS3Credentials({ env, homeDir: home, profile: 'backup' });
    expect(creds).toMatchObject({ accessKeyId: 'FAKEBACKUPKEY', secretAccessKey: 'fake-backup-secret', sessionToken: 'fake-token' });
    expect(creds.source).toMatch(/^profile backup in .*credentials$/);
  });

  it('uses AWS_PROFILE, then [default], from the shared credentials file', async () => {
    expect((await resolveS3Credentials({ env: { AWS_PROFILE: 'backup' }, homeDir: home })).accessKeyId).toBe('FAKEBACKUPKEY');
    expect((await resolveS3Credentials({ env: {}, homeDir: home })).accessKeyId).toBe('FAKEDEFAULTKEY');
  });

  it('honours AWS_SHARED_CREDENTIALS_FILE', async () => {
    const file = join(home, 'other-credentials');
    writeFileSync(file, '[default]\naws_access_key_id=OTHER\naws_secret_access_key=other-secret\n');
    expect((await resolveS3Credentials({ env: { AWS_SHARED_CREDENTIALS_FILE: file }, homeDir: '/nonexistent' })).accessKeyId).toBe('OTHER');
  });

  it.each<[string, Parameters<typeof resolveS3Credentials>[0], RegExp]>([
    ['unknown profile', { env: {}, homeDir: home, profile: 'nope' }, /has no profile \[nope\]/],
    ['incomplete profile', { env: {}, homeDir: home, profile: 'broken' }, /needs both aws_access_key_id and aws_secret_access_key/],
    ['AWS_PROFILE without a file', { env: { AWS_PROFILE: 'x' }, homeDir: '/nonexistent' }, /cannot be read/],
    ['access key only', { env: { AWS_ACCESS_KEY_ID: 'K' }, homeDir: '/nonexistent' }, /AWS_SECRET_ACCESS_KEY is not/],
    ['nothing, no terminal', { env: {}, homeDir: '/nonexistent', prompt: noPrompt }, /No S3 credentials found.*hidden/],
  ])('%s → clear error', async (_name, input, message) => {
    await expect(resolveS3Credentials(input)).rejects.toThrow(message);
  });

  it('asks on a terminal: Access Key visibly, Secret Key hidden', async () => {
    const asked: string[] = [];
    const creds = await resolveS3Credentials({ env: {}, homeDir: '/nonexistent', prompt: scriptedPrompt(' TYPEDKEY ', 'typed-secret', asked) });
    expect(creds).toEqual({ accessKeyId: 'TYPEDKEY', secretAccessKey: 'typed-secret', source: 'prompt' });
    expect(asked).toEqual(['Access Key: ', 'hidden:Secret Key (input hidden): ']);
  });

  it('--access-key only asks for the secret', async () => {
    const asked: string[] = [];
    const creds = await resolveS3Credentials({ env: {}, homeDir: home, accessKeyId: 'FLAGKEY', prompt: scriptedPrompt('unused', 's', asked) });
    expect(creds.accessKeyId).toBe('FLAGKEY');
    expect(asked).toEqual(['hidden:Secret Key (input hidden): ']);
  });
});

describe('refuseSecretArguments', () => {
  it.each(['--secret-key', '--secret-key=abc', '--secret', '--aws-secret-access-key', '--secret_access_key=x', '--SECRET-KEY', '--password', '-sk'])('refuses %s', (arg) => {
    expect(() => refuseSecretArguments(['diff', arg, 'value'])).toThrow(/Secret Key is not accepted on the command line.*visible to other users in "ps"/);
  });
  it('never repeats the value', () => {
    expect(() => refuseSecretArguments(['--secret-key=hunter2-value'])).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
  it.each([['--access-key', 'AK'], ['--bucket', 'secret-bucket'], ['--', '--secret-key']])('allows %s %s', (a, b) => {
    expect(() => refuseSecretArguments([a, b])).not.toThrow();
  });
});

describe('readHiddenLine', () => {
  function fakeTty(): PassThrough & { isTTY: boolean; rawModes: boolean[]; setRawMode(mode: boolean): void } {
    const stream = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[] });
    return Object.assign(stream, { setRawMode: (mode: boolean) => void stream.rawModes.push(mode) });
  }
  it('reads without echo, handles backspace, restores the terminal', async () => {
    const input = fakeTty();
    let echoed = '';
    const line = readHiddenLine('Secret: ', input, { write: (t: string) => (echoed += t) });
    input.write('abx\u007fc\r');
    expect(await line).toBe('abc');
    expect(echoed).toBe('Secret: \n');
    expect(input.rawModes).toEqual([true, false]);
  });
  it('Ctrl-C cancels', async () => {
    const input = fakeTty();
    const line = readHiddenLine('Secret: ', input, { write: () => undefined });
    input.write('ab\u0003');
    await expect(line).rejects.toThrow(/Cancelled/);
  });
});

describe('parseIni', () => {
  it('reads sections, comments and spacing', () => {
    const ini = parseIni('; c\n[ a ]\nk = v = w\n# x\n[b]\nK2=v2\n');
    expect(ini.get('a')?.get('k')).toBe('v = w');
    expect(ini.get('b')?.get('k2')).toBe('v2');
  });
});
