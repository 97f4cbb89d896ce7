/**
 * Writes configuration files that hold secrets: mode 0600 in folders created 0700, each through
 * a temporary file in the same folder that is synced and then renamed over the target, so a
 * reader sees the old file or the new one, never half of one. Several files are written as one
 * change: every temporary file is written first and the renames follow only when all of them
 * succeeded, so a failure (a read-only home, a full disk) leaves every target as it was.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConnectGuardError } from '../../../shared/errors.ts';

export interface PrivateFile {
  readonly path: string;
  readonly text: string;
}

function cannotWrite(path: string, error: unknown): ConnectGuardError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const why =
    code === 'EROFS'
      ? 'the file system is read-only'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : code === 'ENOTDIR'
            ? 'a part of the path is a file, not a folder'
            : error instanceof Error
              ? error.message
              : String(error);
  return new ConnectGuardError(
    'CANNOT_WRITE',
    `Cannot write ${path}: ${why}. Nothing was changed. Make the folder writable (or choose another file with the command's path option) and run again.`,
    { cause: error },
  );
}

/**
 * Why a folder cannot be made: a recursive mkdir on a read-only file system reports ENOENT for
 * the first missing folder, so the nearest folder that exists is asked whether it is writable.
 */
async function folderError(folder: string, error: unknown): Promise<unknown> {
  for (let current = folder; ; current = dirname(current)) {
    const found = await stat(current).catch(() => undefined);
    if (found !== undefined) return access(current, constants.W_OK).then(() => error, (reason: unknown) => reason);
    if (dirname(current) === current) return error;
  }
}

async function writeTemporary(file: PrivateFile): Promise<string> {
  const folder = dirname(file.path);
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw cannotWrite(file.path, await folderError(folder, error));
  }
  const existing = await stat(file.path).catch(() => undefined);
  if (existing?.isDirectory()) throw cannotWrite(file.path, new Error('it is a folder'));
  const temporary = join(folder, `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(file.text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temporary;
  } catch (error) {
    await rm(temporary, { force: true });
    throw cannotWrite(file.path, error);
  }
}

/** Writes every file, or none of them. */
export async function writePrivateFiles(files: readonly PrivateFile[]): Promise<void> {
  const written: { temporary: string; path: string }[] = [];
  try {
    for (const file of files) written.push({ temporary: await writeTemporary(file), path: file.path });
  } catch (error) {
    await Promise.all(written.map(({ temporary }) => rm(temporary, { force: true })));
    throw error;
  }
  for (const [index, { temporary, path }] of written.entries()) {
    try {
      await rename(temporary, path);
    } catch (error) {
      await Promise.all(written.slice(index).map((item) => rm(item.temporary, { force: true })));
      throw cannotWrite(path, error);
    }
  }
}
