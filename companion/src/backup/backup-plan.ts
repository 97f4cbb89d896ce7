/**
 * What a bucket backup will do before it fetches anything, decided from the local disk alone:
 * which folder it writes (a new one, or the unfinished one it resumes), which objects an
 * interrupted run already finished, which it can hard-link from the newest verified backup, and
 * whether the rest fits on the disk.
 */
import { existsSync } from 'node:fs';
import { stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BackupHeader, BackupManifestEntry, BackupTarget } from '../../../shared/backup/backup-manifest.ts';
import { formatBytes } from '../../../shared/diff/format-bytes.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import {
  backupTimestamp,
  bucketBackupsFolder,
  defaultBackupRoot,
  findBackups,
  objectFilePath,
  readBackupHeader,
  readBackupManifest,
  type FoundBackup,
} from './backup-folder.ts';

/** Free space of the file system holding a path (injectable for tests). */
export type FreeSpace = (path: string) => Promise<number>;

/** The parts of a backup request that decide its folder. */
export interface BackupFolderOptions {
  readonly bucket: string;
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** Backups go to `<root>/<bucket>/<UTC timestamp>/`. Default `~/ConnectGuard/backups`. */
  readonly root?: string;
  /** An exact backup folder instead (resumed when it holds an unfinished backup). */
  readonly folder?: string;
  /** `auto` (default): resume the newest backup of the bucket when it is unfinished. `never`: always start a new folder. */
  readonly resume?: 'auto' | 'never';
  /** A backup into another bucket: never linked from an earlier one. */
  readonly toBucket?: { readonly bucket: string; readonly prefix?: string };
  /** Link from the newest verified backup. Default true. */
  readonly incremental?: boolean;
  /**
   * Whether this run verifies (default true). A backup that was written but whose verification
   * was interrupted (`complete`) is then resumed too, to finish its verification.
   */
  readonly verify?: boolean;
}

export interface BackupFolderChoice {
  readonly folder: string;
  /** The header of the unfinished backup in `folder` that this run finishes. */
  readonly resuming?: BackupHeader;
  /** The newest verified backup of the same kind, to link unchanged objects from. */
  readonly previous?: FoundBackup;
}

/**
 * The folder a backup writes: the one given (refused when it holds a finished backup), else the
 * newest backup of the bucket when it is unfinished and of the same kind, else a new
 * timestamped folder.
 *
 * @throws ConnectGuardError `INVALID_INPUT` for a given folder that holds a finished backup.
 */
export async function chooseBackupFolder(input: BackupFolderOptions, startedAt: Date): Promise<BackupFolderChoice> {
  const root = input.root ?? defaultBackupRoot();
  const backups = await findBackups(root, input.bucket);
  const sameKind = (header: BackupHeader): boolean => header.target.kind === (input.toBucket ? 'bucket' : 'folder') && (header.prefix ?? '') === (input.prefix ?? '');
  const canResume = (header: BackupHeader): boolean => header.status !== 'verified' && (header.status !== 'complete' || input.verify !== false);
  const previous = input.incremental === false || input.toBucket ? undefined : backups.find((backup) => backup.header.status === 'verified' && sameKind(backup.header) && backup.folder !== input.folder);
  if (input.folder !== undefined) {
    let existing: BackupHeader | undefined;
    try {
      existing = await readBackupHeader(input.folder);
    } catch {
      existing = undefined;
    }
    if (existing && !canResume(existing)) {
      throw new ConnectGuardError('INVALID_INPUT', `${input.folder} already holds a finished backup. Choose a new folder (or leave --to as the backups root).`);
    }
    return { folder: input.folder, ...(existing ? { resuming: existing } : {}), ...(previous ? { previous } : {}) };
  }
  const newest = backups[0];
  if (input.resume !== 'never' && newest && canResume(newest.header) && sameKind(newest.header)) {
    return { folder: newest.folder, resuming: newest.header, ...(previous ? { previous } : {}) };
  }
  const parent = bucketBackupsFolder(root, input.bucket);
  let folder = join(parent, backupTimestamp(startedAt));
  for (let n = 2; existsSync(folder); n++) folder = join(parent, `${backupTimestamp(startedAt)}-${n}`);
  return { folder, ...(previous ? { previous } : {}) };
}

/** What a backup does with one listed object. */
export type ObjectPlan =
  /** An interrupted run of this folder finished it (journaled, and its file is whole). */
  | { readonly kind: 'resumed'; readonly entry: BackupManifestEntry }
  /** The previous backup holds the same bytes (same ETag and size): hard-link its file. */
  | { readonly kind: 'link'; readonly from: BackupManifestEntry }
  /** Download it (or copy it server-side). */
  | { readonly kind: 'transfer' };

export interface PlanBackupObjectsInput {
  /** The listing, in key order. */
  readonly entries: readonly InventoryEntry[];
  readonly folder: string;
  readonly target: BackupTarget;
  /** The journal of an interrupted run of `folder` (empty for a new folder). */
  readonly journaled: ReadonlyMap<string, BackupManifestEntry>;
  /** The previous verified backup, whose manifest is read for links. */
  readonly previousFolder?: string;
}

export interface PlanBackupObjectsOutput {
  /** One plan per entry, in the listing's order. */
  readonly plans: readonly ObjectPlan[];
  /** Bytes of the objects to transfer. */
  readonly bytesToWrite: number;
}

async function fileHasSize(path: string, size: number): Promise<boolean> {
  try {
    const stats = await stat(path);
    return stats.isFile() && stats.size === size;
  } catch {
    return false;
  }
}

/** Decides per object: already done (journal), link (previous backup), or transfer. */
export async function planBackupObjects(input: PlanBackupObjectsInput): Promise<PlanBackupObjectsOutput> {
  const { entries, folder, target, journaled, previousFolder } = input;
  const previousEntries = new Map<string, BackupManifestEntry>();
  if (previousFolder !== undefined) for await (const entry of readBackupManifest(previousFolder)) previousEntries.set(entry.key, entry);
  const plans: ObjectPlan[] = [];
  let bytesToWrite = 0;
  const matches = (old: BackupManifestEntry | undefined, entry: InventoryEntry): old is BackupManifestEntry => old !== undefined && old.size === entry.size && old.etag !== undefined && old.etag === entry.etag;
  for (const entry of entries) {
    const done = journaled.get(entry.key);
    if (matches(done, entry) && (target.kind === 'bucket' || (done.path !== undefined && (await fileHasSize(objectFilePath(folder, done.path), entry.size))))) {
      plans.push({ kind: 'resumed', entry: { ...done, ...(entry.lastModified ? { lastModified: entry.lastModified } : {}) } });
      continue;
    }
    const old = previousEntries.get(entry.key);
    if (target.kind === 'folder' && previousFolder !== undefined && matches(old, entry) && old.path !== undefined && old.sha256 !== undefined) {
      plans.push({ kind: 'link', from: old });
      continue;
    }
    plans.push({ kind: 'transfer' });
    bytesToWrite += entry.size;
  }
  return { plans, bytesToWrite };
}

/** Extra bytes reserved per object (file-system blocks, manifest line) and overall. */
const PER_OBJECT_OVERHEAD = 4096 + 512;
const SPACE_MARGIN = 64 * 1024 * 1024;

async function statfsFreeSpace(path: string): Promise<number> {
  let at = path;
  for (;;) {
    try {
      const stats = await statfs(at);
      return stats.bavail * stats.bsize;
    } catch (error) {
      const parent = dirname(at);
      if (parent === at) throw error;
      at = parent;
    }
  }
}

export interface CheckFreeSpaceInput {
  readonly folder: string;
  /** Named in the message. */
  readonly bucket: string;
  /** Objects the backup will hold (each costs file-system blocks and a manifest line). */
  readonly objects: number;
  readonly bytesToWrite: number;
  /** Default: statfs of the folder (or its nearest existing parent). */
  readonly freeSpace?: FreeSpace;
}

/**
 * Refuses a backup that would not fit, before its first byte is written.
 *
 * @throws ConnectGuardError `INVALID_INPUT` naming what is needed and what is free.
 */
export async function checkFreeSpace(input: CheckFreeSpaceInput): Promise<void> {
  const { folder } = input;
  const needed = input.bytesToWrite + input.objects * PER_OBJECT_OVERHEAD + SPACE_MARGIN;
  const free = await (input.freeSpace ?? statfsFreeSpace)(folder);
  if (free < needed) {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `Not enough disk space for the backup of ${input.bucket}: it needs about ${formatBytes(needed)} and ${dirname(folder)} has ${formatBytes(free)} free. Free up space or choose another place with --to DIR. Nothing was written.`,
    );
  }
}

/** Whether an error (or its cause) is the local disk being full or over quota. */
export function isDiskFull(error: unknown): boolean {
  for (let at: unknown = error, depth = 0; typeof at === 'object' && at !== null && depth < 5; at = Reflect.get(at, 'cause'), depth++) {
    const code: unknown = Reflect.get(at, 'code');
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  }
  return false;
}

export interface DiskFullInput {
  readonly folder: string;
  /** Bytes the backup still has to write. */
  readonly bytesStillNeeded: number;
  /** Objects already written and journaled: kept for the next run. */
  readonly objectsKept: number;
  readonly cause: unknown;
}

/**
 * The local disk filled up during a backup (another program wrote to it after the space check).
 * Names the disk, not the S3 server, with the space still needed and how to go on.
 */
export function diskFullError(input: DiskFullInput): ConnectGuardError {
  const needed = input.bytesStillNeeded + SPACE_MARGIN;
  return new ConnectGuardError(
    'DISK_FULL',
    `The disk holding ${input.folder} is full: the backup still needs about ${formatBytes(needed)} there. ` +
      'Free up space on that disk, or choose another place with --to DIR. ' +
      `Then run the same backup again: the ${input.objectsKept.toLocaleString('en-US')} objects already written are kept and not fetched again. The backup is not verified until then.`,
    { cause: input.cause },
  );
}
