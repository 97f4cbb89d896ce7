/**
 * The KeePass hand-off opened by KeePassXC itself: Debian's keepassxc-cli (`tsx
 * test/support/ensure-system.ts keepassxc` installs it) reads the file Connect Guard writes, finds
 * every field exactly, reports Argon2id at 64 MiB and 3 rounds, and refuses a wrong passphrase.
 * The passphrase goes to keepassxc-cli on stdin (its first line), never on the command line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoffEntryOf, type HandoffEntry } from '../../shared/handoff-formats/handoff-entry.ts';
import { writeKeePassFile } from '../../shared/handoff-formats/keepass-file.ts';

const CLI = '/usr/bin/keepassxc-cli';
const PASSPHRASE = 'granite orchard whistles 9 times';
const ENTRIES: HandoffEntry[] = [
  handoffEntryOf({
    storageName: 'NAS backup',
    permissions: 'Read & Write',
    allowedIps: '203.0.113.7, 198.51.100.0/24',
    serverAddress: 'https://s3.wesendit.example',
    bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
    accessKey: 'CGACCESSKEY000000001',
    secretKey: 'cg/Secret+Key=with/all+base64=chars01',
  }),
  handoffEntryOf({
    storageName: 'Büro-Archiv',
    permissions: 'Nur Lesen',
    allowedIps: '',
    serverAddress: 'https://s3.eu.wesendit.example',
    bucketName: 'usr-48291-itm-00385-archiv',
    accessKey: 'CGACCESSKEY000000002',
    secretKey: 'sëcret-ünïcode-Ωmega',
  }),
];

let dir = '';
let file = '';

/** Runs keepassxc-cli with the passphrase on stdin. */
function keepassxc(args: readonly string[], passphrase: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(CLI, args, { input: `${passphrase}\n`, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `show --all` prints one `Name: value` line per attribute. */
function attributes(stdout: string): Map<string, string> {
  return new Map(
    stdout
      .split('\n')
      .filter((line) => line.includes(': ') || line.endsWith(':'))
      .map((line) => {
        const at = line.indexOf(':');
        return [line.slice(0, at), line.slice(at + 1).replace(/^ /, '')] as const;
      }),
  );
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`keepassxc-cli is not installed at ${CLI}. Run \`tsx test/support/ensure-system.ts keepassxc\` (Debian package keepassxc).`);
  dir = await mkdtemp(join(tmpdir(), 'connect-guard-keepassxc-'));
  file = join(dir, 'handoff.kdbx');
  await writeFile(file, await writeKeePassFile(ENTRIES, PASSPHRASE));
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('keepassxc-cli opens the KeePass hand-off', () => {
  it('reports Argon2id (3 rounds, 65536 KB) and AES 256-bit', () => {
    const info = keepassxc(['db-info', '-q', file], PASSPHRASE);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toContain('KDF: Argon2id (3 rounds, 65536 KB)');
    expect(info.stdout).toContain('Cipher: AES 256-bit');
    expect(info.stdout).toContain('Number of entries: 2');
  });

  it.each(ENTRIES.map((entry) => [entry.title, entry] as const))('finds every field of “%s” exactly, the Secret Key as the password', (title, entry) => {
    const shown = keepassxc(['show', '-q', '--all', '-s', file, title], PASSPHRASE);
    expect(shown.status, shown.stderr).toBe(0);
    const fields = attributes(shown.stdout);
    expect(fields.get('Title')).toBe(entry.title);
    expect(fields.get('UserName')).toBe(entry.username);
    expect(fields.get('Password')).toBe(entry.password);
    expect(fields.get('URL')).toBe(entry.url);
    expect(fields.get('S3 API Bucket Name')).toBe(entry.bucketName);
    expect(fields.get('Permissions')).toBe(entry.permissions);
    expect(fields.get('Allowed IP addresses')).toBe(entry.allowedIps);
  });

  it('refuses a wrong passphrase (exit 1, "Invalid credentials") and shows nothing of the entry', () => {
    for (const args of [['db-info', file], ['show', '--all', '-s', file, 'NAS backup']]) {
      const wrong = keepassxc(args, `${PASSPHRASE}x`);
      expect(wrong.status).toBe(1);
      expect(wrong.stdout).not.toContain(ENTRIES[0]?.password);
      expect(wrong.stderr).toContain('Invalid credentials were provided');
    }
  });
});
