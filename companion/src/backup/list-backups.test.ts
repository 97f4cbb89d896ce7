import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_FORMAT, BACKUP_VERSION, HEADER_FILE, type BackupHeader } from '../../../shared/backup/backup-manifest.ts';
import { listBackups } from './list-backups.ts';

let dir: string;
let root: string;
let outside: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cg-list-backups-'));
  root = join(dir, 'backups');
  outside = join(dir, 'elsewhere');
  await mkdir(root);
  await mkdir(outside);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function header(bucket: string, patch: Partial<BackupHeader>): BackupHeader {
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, bucket, target: { kind: 'folder' }, startedAt: '2026-01-01T00:00:00.000Z', status: 'verified', ...patch };
}

async function backup(at: string, bucket: string, name: string, patch: Partial<BackupHeader>): Promise<string> {
  const folder = join(at, bucket, name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, HEADER_FILE), JSON.stringify(header(bucket, patch)));
  return folder;
}

describe('listBackups', () => {
  it('lists every backup under the root newest first, with its status, whatever the bucket', async () => {
    const verified = await backup(root, 'usr-1-itm-2-nas', '2026-01-10T08-00-00Z', {
      startedAt: '2026-01-10T08:00:00.000Z',
      endpoint: 'http://127.0.0.1:7480',
      status: 'verified',
      objects: 12,
      bytes: 3_000,
      verification: { verifiedAt: '2026-01-10T08:01:00.000Z', objects: 12, failures: 0 },
    });
    const incomplete = await backup(root, 'usr-1-itm-2-nas', '2026-02-01T08-00-00Z', { startedAt: '2026-02-01T08:00:00.000Z', status: 'in-progress' });
    const failedVerification = await backup(root, 'photos', '2026-01-20T08-00-00Z', {
      startedAt: '2026-01-20T08:00:00.000Z',
      status: 'failed',
      verification: { verifiedAt: '2026-01-20T08:05:00.000Z', objects: 4, failures: 1 },
      error: 'Verification failed for 1 objects.',
    });
    // Files beside the folders are not backups and not worth a note.
    await writeFile(join(root, 'README.txt'), 'backups');
    await writeFile(join(root, 'photos', 'notes.txt'), 'notes');

    const listed = await listBackups({ root });
    expect(listed.backups.map((found) => found.folder)).toEqual([incomplete, failedVerification, verified]);
    expect(listed.backups.map((found) => found.header.status)).toEqual(['in-progress', 'failed', 'verified']);
    expect(listed.backups[2]?.header).toMatchObject({ bucket: 'usr-1-itm-2-nas', endpoint: 'http://127.0.0.1:7480', objects: 12, bytes: 3_000 });
    expect(listed.skipped).toEqual([]);
    expect(listed.omitted).toBe(0);
  });

  it('skips a damaged backup.json, a folder without one, and a header naming another bucket, each with a note', async () => {
    const good = await backup(root, 'nas', '2026-01-01T00-00-00Z', {});
    const corrupt = join(root, 'nas', '2026-01-02T00-00-00Z');
    await mkdir(corrupt);
    await writeFile(join(corrupt, HEADER_FILE), '{"format": "connect-guard-backup", "vers');
    const empty = join(root, 'nas', 'stray');
    await mkdir(empty);
    const misplaced = await backup(root, 'nas', '2026-01-03T00-00-00Z', {});
    await writeFile(join(misplaced, HEADER_FILE), JSON.stringify(header('other-bucket', {})));

    const listed = await listBackups({ root });
    expect(listed.backups.map((found) => found.folder)).toEqual([good]);
    const notes = Object.fromEntries(listed.skipped.map((note) => [note.folder, note.reason]));
    expect(notes[corrupt]).toMatch(/backup\.json is damaged \(.*not JSON/);
    expect(notes[empty]).toMatch(/no backup\.json: not a Connect Guard backup/);
    expect(notes[misplaced]).toMatch(/names bucket other-bucket, but it lies in the folder of bucket nas/);
    expect(listed.skipped).toHaveLength(3);
  });

  it('never follows a symbolic link out of the root: not for a bucket folder, a backup folder or a backup.json', async () => {
    // Valid backups outside the root, reachable only through links.
    const secretBackup = await backup(outside, 'nas', '2026-05-01T00-00-00Z', { startedAt: '2026-05-01T00:00:00.000Z' });
    await backup(outside, 'elsewhere-bucket', '2026-05-02T00-00-00Z', {});
    const inside = await backup(root, 'nas', '2026-01-01T00-00-00Z', {});

    const linkedBucket = join(root, 'elsewhere-bucket');
    await symlink(join(outside, 'elsewhere-bucket'), linkedBucket);
    const linkedBackup = join(root, 'nas', '2026-05-01T00-00-00Z');
    await symlink(secretBackup, linkedBackup);
    const linkedHeaderFolder = join(root, 'nas', '2026-06-01T00-00-00Z');
    await mkdir(linkedHeaderFolder);
    await symlink(join(secretBackup, HEADER_FILE), join(linkedHeaderFolder, HEADER_FILE));

    const listed = await listBackups({ root });
    expect(listed.backups.map((found) => found.folder)).toEqual([inside]);
    expect(JSON.stringify(listed.backups)).not.toContain(outside);
    const notes = Object.fromEntries(listed.skipped.map((note) => [note.folder, note.reason]));
    expect(notes[linkedBucket]).toMatch(/symbolic link, which is not followed/);
    expect(notes[linkedBackup]).toMatch(/symbolic link, which is not followed/);
    expect(notes[linkedHeaderFolder]).toMatch(/backup\.json is a symbolic link, which is not followed/);
  });

  it.skipIf(process.getuid?.() === 0)('skips a folder it may not read, with a note, and lists the rest', async () => {
    const good = await backup(root, 'nas', '2026-01-01T00-00-00Z', {});
    const locked = join(root, 'locked-bucket');
    await mkdir(locked);
    await chmod(locked, 0o000);
    try {
      const listed = await listBackups({ root });
      expect(listed.backups.map((found) => found.folder)).toEqual([good]);
      expect(listed.skipped).toEqual([{ folder: locked, reason: expect.stringMatching(/cannot be read \(no permission/) }]);
    } finally {
      await chmod(locked, 0o700);
    }
  });

  it('lists nothing when no backup was made yet, and refuses a root that is not a folder', async () => {
    await expect(listBackups({ root: join(dir, 'never-made') })).resolves.toEqual({ root: join(dir, 'never-made'), backups: [], omitted: 0, skipped: [], skippedMore: 0 });
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(listBackups({ root: file })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/cannot be read \(not a folder\)/) });
  });

  it('keeps the newest within the limit and counts the older ones', async () => {
    for (const day of ['01', '02', '03', '04']) await backup(root, 'nas', `2026-01-${day}T00-00-00Z`, { startedAt: `2026-01-${day}T00:00:00.000Z` });
    const listed = await listBackups({ root, limit: 2 });
    expect(listed.backups.map((found) => found.header.startedAt)).toEqual(['2026-01-04T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
    expect(listed.omitted).toBe(2);
  });
});
