import { createReadStream, existsSync } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { createInterface } from 'node:readline';
import {
  HEADER_FILE,
  JOURNAL_FILE,
  MANIFEST_FILE,
  OBJECTS_FOLDER,
  formatManifestLine,
  parseBackupHeader,
  parseManifestLine,
  type BackupHeader,
  type BackupManifestEntry,
} from '../../../shared/backup/backup-manifest.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';

/** `~/ConnectGuard/backups`: backups go to `<root>/<bucket>/<UTC timestamp>/`. */
export function defaultBackupRoot(): string {
  return join(homedir(), 'ConnectGuard', 'backups');
}

/** `2026-11-27T05-10-00Z`: sortable, and valid on every file system (no colons). */
export function backupTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-');
}

/** The folder holding every backup of a bucket. Bucket names are DNS-like; anything else is refused. */
export function bucketBackupsFolder(root: string, bucket: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(bucket) || bucket.includes('..')) {
    throw new ConnectGuardError('INVALID_INPUT', `"${bucket}" is not a bucket name that can name a backup folder. Check the bucket name.`);
  }
  return join(root, bucket);
}

/**
 * What this platform's file system leaves for an object's path below `<folder>/objects/`, in
 * UTF-8 bytes (see shared/backup/key-path.ts, rule 7): Linux's PATH_MAX of 4,096 bytes and
 * macOS's of 1,024 (each with its NUL), Windows's MAX_PATH of 260 UTF-16 units (other programs
 * on Windows still stop there even where Node does not).
 */
export function objectPathBudget(folder: string, platform: NodeJS.Platform = process.platform): number {
  const objects = join(folder, OBJECTS_FOLDER) + sep;
  if (platform === 'win32') return 259 - objects.length;
  return (platform === 'darwin' ? 1023 : 4095) - Buffer.byteLength(objects, 'utf8');
}

/** A path of the manifest (`objects/a/b.txt`) as a path of this system under the folder. */
export function objectFilePath(folder: string, relativePath: string): string {
  return join(folder, ...relativePath.split('/'));
}

export function objectsFolder(folder: string): string {
  return join(folder, OBJECTS_FOLDER);
}

/** Writes a small file atomically: a temporary file, fsync, rename. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.partial`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

export async function writeBackupHeader(folder: string, header: BackupHeader): Promise<void> {
  await writeFileAtomically(join(folder, HEADER_FILE), JSON.stringify(header, null, 2) + '\n');
}

/**
 * Writes `manifest.ndjson` of a finished run: one line per entry in the order given (key order,
 * as listed; holes are skipped), in writes of about a megabyte, synced, then renamed into place.
 */
export async function writeBackupManifest(folder: string, entries: readonly (BackupManifestEntry | undefined)[]): Promise<void> {
  let manifestText = '';
  const manifestPath = join(folder, MANIFEST_FILE);
  const partialManifest = `${manifestPath}.partial`;
  const manifestHandle = await open(partialManifest, 'w');
  try {
    for (const result of entries) {
      if (!result) continue;
      manifestText += formatManifestLine(result);
      if (manifestText.length > 1 << 20) {
        await manifestHandle.write(manifestText);
        manifestText = '';
      }
    }
    await manifestHandle.write(manifestText);
    await manifestHandle.sync();
  } finally {
    await manifestHandle.close();
  }
  await rename(partialManifest, manifestPath);
}

/** Hard link from the previous backup; a copy where links do not work (other volume, FAT, no permission). */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code === 'EEXIST') {
      await unlink(to);
      return linkOrCopy(from, to);
    }
    await copyFile(from, to);
  }
}

/**
 * Reads `backup.json` of a backup folder.
 *
 * @throws ConnectGuardError `INVALID_INPUT` when the folder is not a backup.
 */
export async function readBackupHeader(folder: string): Promise<BackupHeader> {
  let text: string;
  try {
    text = await readFile(join(folder, HEADER_FILE), 'utf8');
  } catch {
    throw new ConnectGuardError('INVALID_INPUT', `${folder} is not a Connect Guard backup folder (it has no ${HEADER_FILE}). Pass the folder "connect-guard backup" printed, e.g. ~/ConnectGuard/backups/BUCKET/TIMESTAMP.`);
  }
  return parseBackupHeader(text, join(folder, HEADER_FILE));
}

export interface FoundBackup {
  readonly folder: string;
  readonly header: BackupHeader;
}

/** Backups of a bucket under a root, newest first; folders that are not backups are skipped. */
export async function findBackups(root: string, bucket: string): Promise<FoundBackup[]> {
  const parent = bucketBackupsFolder(root, bucket);
  let names: string[];
  try {
    names = (await readdir(parent, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
  names.sort().reverse();
  const found: FoundBackup[] = [];
  for (const name of names) {
    const folder = join(parent, name);
    try {
      const header = await readBackupHeader(folder);
      if (header.bucket === bucket) found.push({ folder, header });
    } catch {
      // Not a backup (or a damaged one): not a candidate to resume or link from.
    }
  }
  return found;
}

/** Lines of an NDJSON file; a last line cut short by a crash is dropped when `tolerateTail`. */
async function* readLines(path: string): AsyncGenerator<{ line: string; number: number }> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() !== '') yield { line, number };
  }
}

/**
 * The manifest entries of a complete backup, in key order.
 *
 * @throws ConnectGuardError `INVALID_INPUT` when the manifest is missing or damaged.
 */
export async function* readBackupManifest(folder: string): AsyncGenerator<BackupManifestEntry> {
  const path = join(folder, MANIFEST_FILE);
  if (!existsSync(path)) throw new ConnectGuardError('INVALID_INPUT', `${folder} has no ${MANIFEST_FILE}: the backup never completed. Run "connect-guard backup" again to finish it.`);
  for await (const { line, number } of readLines(path)) yield parseManifestLine(line, `${path} line ${number}`);
}

/** The journal of an interrupted run: key → entry (the last line for a key wins; a torn last line is ignored). */
export async function readBackupJournal(folder: string): Promise<Map<string, BackupManifestEntry>> {
  return readEntriesFile(join(folder, JOURNAL_FILE));
}

/** Entries of an appended NDJSON file (journal, verified): key → entry, the last line for a key wins, torn lines ignored. */
export async function readEntriesFile(path: string): Promise<Map<string, BackupManifestEntry>> {
  const entries = new Map<string, BackupManifestEntry>();
  if (!existsSync(path)) return entries;
  for await (const { line, number } of readLines(path)) {
    try {
      const entry = parseManifestLine(line, `${path} line ${number}`);
      entries.set(entry.key, entry);
    } catch {
      // A crash can cut the last line short: that object is simply fetched again.
    }
  }
  return entries;
}

/** Creates the parent folders of files, remembering which exist. */
export class FolderMaker {
  private readonly made = new Set<string>();

  async ensure(path: string): Promise<void> {
    if (this.made.has(path)) return;
    await mkdir(path, { recursive: true });
    // Every ancestor exists now too.
    for (let at = path; at.length > 1 && !this.made.has(at); at = at.slice(0, Math.max(1, at.lastIndexOf(sep)))) this.made.add(at);
  }
}

/** What {@link SpaceReserve} holds back: the journal lines of a batch and a header, with room to spare. */
const RESERVE_BYTES = 4 * 1024 * 1024;

/**
 * A file of zeros that keeps a little space on the backup's disk. When another program fills the
 * disk mid-backup, releasing it leaves room to write the journal lines of the objects already on
 * disk and the header's "failed": the next run then resumes instead of fetching them again.
 */
export class SpaceReserve {
  private constructor(private readonly path: string | undefined) {}

  /** Writes the reserve (none when even that does not fit: the space check has said so already). */
  static async create(folder: string): Promise<SpaceReserve> {
    const path = join(folder, '.space-reserve');
    try {
      const handle = await open(path, 'w');
      try {
        await handle.write(Buffer.alloc(RESERVE_BYTES));
      } finally {
        await handle.close();
      }
      return new SpaceReserve(path);
    } catch {
      await unlink(path).catch(() => undefined);
      return new SpaceReserve(undefined);
    }
  }

  async release(): Promise<void> {
    if (this.path !== undefined) await unlink(this.path).catch(() => undefined);
  }
}
