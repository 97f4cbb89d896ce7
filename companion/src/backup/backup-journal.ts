import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { promisify } from 'node:util';
import { formatManifestLine, type BackupManifestEntry } from '../../../shared/backup/backup-manifest.ts';

const runFile = promisify(execFile);

/**
 * Appends journal lines; a line is written only once its object is on disk, so a resumed run
 * may trust every line. With `batchSync` (Linux) objects are not fsynced one by one: lines wait
 * until one syncfs(2) of the backup's file system (`sync -f`, coreutils) has made every file and
 * rename before it durable: every 2,000 objects or second, and at the end. One syncfs for
 * thousands of small files costs less than thousands of fdatasync calls on the libuv pool.
 */
export class BackupJournal {
  private pending: string[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A write that failed (a full disk): every later call throws it instead of waiting forever. */
  private failure: Error | undefined;

  private constructor(
    private readonly stream: WriteStream,
    private readonly folder: string,
    private readonly batchSync: boolean,
  ) {
    stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  static async open(path: string, folder: string, batchSync: boolean): Promise<BackupJournal> {
    const stream = createWriteStream(path, { flags: 'a', encoding: 'utf8' });
    await once(stream, 'open');
    return new BackupJournal(stream, folder, batchSync);
  }

  async append(entry: BackupManifestEntry): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.batchSync) {
      if (!this.stream.write(formatManifestLine(entry))) await once(this.stream, 'drain');
      return;
    }
    this.pending.push(formatManifestLine(entry));
    if (this.pending.length >= 2000) await this.flush();
    else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), 1000);
  }

  /** syncfs, then the lines of the objects written before it. */
  private async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.flushing = (async () => {
      await runFile('sync', ['-f', this.folder]);
      if (this.failure) throw this.failure;
      if (!this.stream.write(lines.join(''))) await once(this.stream, 'drain');
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.failure) {
      this.stream.destroy();
      throw this.failure;
    }
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failure) throw this.failure;
  }
}

/** Whether `sync -f` (syncfs of one file system) works here. */
export async function canSyncFileSystem(folder: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    await runFile('sync', ['-f', folder]);
    return true;
  } catch {
    return false;
  }
}
