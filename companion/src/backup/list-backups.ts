/**
 * Every backup on this computer: the folders `<root>/<bucket>/<timestamp>/` (backup-folder.ts)
 * whose `backup.json` reads, newest first. Nothing here contacts S3.
 *
 * Only what lies under the root is read. A symbolic link below the root is never followed, not
 * for a bucket folder, a backup folder or a `backup.json`: a link can point anywhere on the
 * machine, and a listing must not become a way to read it. Folders that cannot be read and
 * `backup.json` files that are damaged are skipped with a note that says why, so one bad folder
 * never hides the others.
 */
import { constants, type Dirent } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADER_FILE, parseBackupHeader, type BackupHeader } from '../../../shared/backup/backup-manifest.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';

/** A `backup.json` is a few hundred bytes; anything this large is not one. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** Backups listed at most (the newest); the rest are counted in `omitted`. */
export const MAX_LISTED_BACKUPS = 500;

/** Skipped folders named at most; the rest are counted in `skippedMore`. */
export const MAX_SKIPPED_NOTES = 50;

export interface ListBackupsInput {
  /** The backups folder (absolute): `<root>/<bucket>/<timestamp>/`. */
  readonly root: string;
  /** Default {@link MAX_LISTED_BACKUPS}. */
  readonly limit?: number;
}

export interface ListedBackup {
  readonly folder: string;
  readonly header: BackupHeader;
}

/** A folder under the root that is not listed, and why in plain words. */
export interface SkippedBackupFolder {
  readonly folder: string;
  readonly reason: string;
}

export interface ListBackupsOutput {
  readonly root: string;
  /** Newest first (by start time), at most `limit`. */
  readonly backups: readonly ListedBackup[];
  /** Older backups left out beyond `limit`. */
  readonly omitted: number;
  readonly skipped: readonly SkippedBackupFolder[];
  /** Skipped folders beyond {@link MAX_SKIPPED_NOTES}. */
  readonly skippedMore: number;
}

function codeOf(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : '';
}

function readProblem(error: unknown): string {
  const code = codeOf(error);
  if (code === 'EACCES' || code === 'EPERM') return 'no permission to read it';
  if (code === 'ENOTDIR') return 'not a folder';
  return error instanceof Error ? error.message : String(error);
}

/** The entries of a folder, or the reason it cannot be read. */
async function readFolder(path: string): Promise<Dirent[] | { readonly problem: string }> {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (error) {
    return { problem: readProblem(error) };
  }
}

/**
 * Reads `backup.json` without following a link: `O_NOFOLLOW` refuses a link at the last step,
 * and the opened file must be a regular file.
 */
async function readHeaderText(folder: string): Promise<string | { readonly problem: string }> {
  const path = join(folder, HEADER_FILE);
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') return { problem: `it has no ${HEADER_FILE}: not a Connect Guard backup` };
    if (code === 'ELOOP') return { problem: `its ${HEADER_FILE} is a symbolic link, which is not followed` };
    return { problem: `its ${HEADER_FILE} cannot be read (${readProblem(error)})` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { problem: `its ${HEADER_FILE} is not a file` };
    if (stats.size > MAX_HEADER_BYTES) return { problem: `its ${HEADER_FILE} is too large to be a backup header` };
    return await handle.readFile({ encoding: 'utf8' });
  } catch (error) {
    return { problem: `its ${HEADER_FILE} cannot be read (${readProblem(error)})` };
  } finally {
    await handle.close();
  }
}

function startTime(header: BackupHeader): number {
  const time = Date.parse(header.startedAt);
  return Number.isNaN(time) ? -Infinity : time;
}

/**
 * Lists the backups under `root`, newest first. A missing root lists nothing (no backup was
 * made yet).
 *
 * @throws ConnectGuardError `INVALID_INPUT` when the root exists but cannot be read as a folder.
 */
export async function listBackups(input: ListBackupsInput): Promise<ListBackupsOutput> {
  const { root } = input;
  const limit = input.limit ?? MAX_LISTED_BACKUPS;
  const skipped: SkippedBackupFolder[] = [];
  let skippedCount = 0;
  const skip = (folder: string, reason: string): void => {
    skippedCount++;
    if (skipped.length < MAX_SKIPPED_NOTES) skipped.push({ folder, reason });
  };

  let buckets: Dirent[];
  try {
    buckets = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return { root, backups: [], omitted: 0, skipped: [], skippedMore: 0 };
    throw new ConnectGuardError('INVALID_INPUT', `The backups folder ${root} cannot be read (${readProblem(error)}). Check the folder, or set CONNECT_GUARD_BACKUP_ROOT to another one.`);
  }

  const found: ListedBackup[] = [];
  for (const bucketEntry of buckets) {
    const bucketFolder = join(root, bucketEntry.name);
    if (bucketEntry.isSymbolicLink()) {
      skip(bucketFolder, 'a symbolic link, which is not followed: move the backups into the backups folder itself');
      continue;
    }
    if (!bucketEntry.isDirectory()) continue;
    const backups = await readFolder(bucketFolder);
    if ('problem' in backups) {
      skip(bucketFolder, `cannot be read (${backups.problem})`);
      continue;
    }
    for (const backupEntry of backups) {
      const folder = join(bucketFolder, backupEntry.name);
      if (backupEntry.isSymbolicLink()) {
        skip(folder, 'a symbolic link, which is not followed: move the backup into the backups folder itself');
        continue;
      }
      if (!backupEntry.isDirectory()) continue;
      const text = await readHeaderText(folder);
      if (typeof text !== 'string') {
        skip(folder, text.problem);
        continue;
      }
      let header: BackupHeader;
      try {
        header = parseBackupHeader(text, join(folder, HEADER_FILE));
      } catch (error) {
        skip(folder, `its ${HEADER_FILE} is damaged (${error instanceof Error ? error.message : String(error)})`);
        continue;
      }
      if (header.bucket !== bucketEntry.name) {
        skip(folder, `its ${HEADER_FILE} names bucket ${header.bucket}, but it lies in the folder of bucket ${bucketEntry.name}`);
        continue;
      }
      found.push({ folder, header });
    }
  }

  found.sort((a, b) => startTime(b.header) - startTime(a.header) || (a.folder < b.folder ? 1 : a.folder > b.folder ? -1 : 0));
  return {
    root,
    backups: found.slice(0, limit),
    omitted: Math.max(0, found.length - limit),
    skipped,
    skippedMore: skippedCount - skipped.length,
  };
}
