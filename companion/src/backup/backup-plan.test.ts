import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_FORMAT, BACKUP_VERSION, HEADER_FILE, type BackupHeader, type BackupStatus } from '../../../shared/backup/backup-manifest.ts';
import { chooseBackupFolder, diskFullError, isDiskFull } from './backup-plan.ts';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cg-backup-plan-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function backupWith(status: BackupStatus): Promise<string> {
  const folder = join(root, 'usr-1-itm-2-nas', '2026-01-10T08-00-00Z');
  await mkdir(folder, { recursive: true });
  const header: BackupHeader = { format: BACKUP_FORMAT, version: BACKUP_VERSION, bucket: 'usr-1-itm-2-nas', target: { kind: 'folder' }, startedAt: '2026-01-10T08:00:00.000Z', status };
  await writeFile(join(folder, HEADER_FILE), JSON.stringify(header));
  return folder;
}

const later = new Date('2026-01-11T08:00:00Z');

describe('chooseBackupFolder', () => {
  it.each<[BackupStatus, boolean, boolean]>([
    ['in-progress', true, true],
    ['failed', true, true],
    ['cancelled', true, true],
    // Written, its verification interrupted: a verifying run finishes it; a run that skips verification starts anew.
    ['complete', true, true],
    ['complete', false, false],
    ['verified', true, false],
  ])('the newest backup %s, verify %s: resumed %s', async (status, verify, resumed) => {
    const folder = await backupWith(status);
    const choice = await chooseBackupFolder({ bucket: 'usr-1-itm-2-nas', root, verify }, later);
    expect(choice.folder === folder).toBe(resumed);
    expect(choice.resuming !== undefined).toBe(resumed);
  });

  it('refuses a named folder that holds a verified backup', async () => {
    const folder = await backupWith('verified');
    await expect(chooseBackupFolder({ bucket: 'usr-1-itm-2-nas', root, folder }, later)).rejects.toThrow(/already holds a finished backup/);
  });
});

describe('a full disk', () => {
  it('is recognised through causes, and named as the local disk with the space needed and what to do', () => {
    const cause = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(isDiskFull(new Error('wrapped', { cause }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    const error = diskFullError({ folder: '/media/usb/backups/b/2026', bytesStillNeeded: 5 * 1024 ** 3, objectsKept: 1234, cause });
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toMatch(/The disk holding \/media\/usb\/backups\/b\/2026 is full/);
    expect(error.message).toMatch(/about 5\.\d+ GB/);
    expect(error.message).toMatch(/--to DIR/);
    expect(error.message).toMatch(/1,234 objects already written are kept/);
  });
});
