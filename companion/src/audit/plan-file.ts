/**
 * Sync plans on disk (shared/audit/FORMAT.md): written atomically (a `.partial` file, renamed
 * when complete), read in two passes — the checksum first, so a truncated or edited plan is
 * refused before anything is listed or reported, then the entries in batches.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { PlanLineReader, PlanTextBuilder, type PlanEntry, type PlanHasher, type PlanHeader } from '../../../shared/audit/sync-plan.ts';

/** SHA-256 over UTF-8 text, as the plan's end line records it. */
export function planHasher(): PlanHasher {
  const hash = createHash('sha256');
  return {
    update: (text) => void hash.update(text, 'utf8'),
    digest: () => hash.copy().digest('hex'),
  };
}

/** A plan being written: entries go out in S3 key order, `close` adds the end line and renames. */
export class PlanFileWriter {
  private readonly builder = new PlanTextBuilder(planHasher());
  private readonly stream;
  private failed: Error | undefined;

  private constructor(
    readonly path: string,
    header: PlanHeader,
  ) {
    this.stream = createWriteStream(`${path}.partial`, { encoding: 'utf8', mode: 0o600 });
    this.stream.on('error', (error) => {
      this.failed = error;
    });
    this.stream.write(this.builder.header(header));
  }

  static async open(path: string, header: PlanHeader): Promise<PlanFileWriter> {
    const writer = new PlanFileWriter(path, header);
    try {
      await once(writer.stream, 'open');
    } catch (error) {
      throw new ConnectGuardError('CANNOT_WRITE', `Cannot write the sync plan ${path}: ${error instanceof Error ? error.message : String(error)}. Choose another place for it.`);
    }
    return writer;
  }

  async write(entries: readonly PlanEntry[]): Promise<void> {
    if (this.failed) throw this.failed;
    if (entries.length === 0) return;
    if (!this.stream.write(this.builder.entries(entries))) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end(this.builder.end());
    await once(this.stream, 'finish');
    if (this.failed) throw this.failed;
    await rename(`${this.path}.partial`, this.path);
  }

  /** Drops the partial file after a failure: no half plan is left behind. */
  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(`${this.path}.partial`, { force: true });
  }
}

/** Writes a whole plan from batches of entries. */
export async function writePlanFile(path: string, header: PlanHeader, batches: AsyncIterable<readonly PlanEntry[]> | Iterable<readonly PlanEntry[]>): Promise<number> {
  const writer = await PlanFileWriter.open(path, header);
  let count = 0;
  try {
    for await (const batch of batches) {
      await writer.write(batch);
      count += batch.length;
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return count;
}

async function* planLines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path, { encoding: 'utf8' });
  try {
    await once(input, 'open');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    throw new ConnectGuardError(
      code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_INPUT',
      code === 'ENOENT' ? `There is no sync plan at ${path}. Pass the plan.ndjson saved beside the backup (…/BUCKET/UTC-TIME/plan.ndjson).` : `Cannot read the sync plan ${path}: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  yield* createInterface({ input, crlfDelay: Infinity });
}

/** An opened, checked plan. */
export interface OpenedPlan {
  readonly path: string;
  readonly header: PlanHeader;
  readonly entries: number;
  /** The entries in S3 key order, in batches (a second read of the file). */
  batches(batchSize?: number): AsyncGenerator<PlanEntry[]>;
}

/**
 * Opens a plan: reads it once to check its header, order and checksum.
 *
 * @throws ConnectGuardError `INVALID_INPUT` (not a plan, truncated, edited), `UNSUPPORTED_VERSION`, `NOT_FOUND`.
 */
export async function openPlanFile(path: string): Promise<OpenedPlan> {
  const check = new PlanLineReader(path, planHasher());
  for await (const line of planLines(path)) {
    if (line === '' && check.header === undefined) continue;
    check.line(line);
  }
  const trailer = check.finish();
  const header = check.header;
  if (header === undefined) throw new ConnectGuardError('INTERNAL', 'A checked plan has no header.');
  return {
    path,
    header,
    entries: trailer.entries,
    async *batches(batchSize = 1024) {
      const reader = new PlanLineReader(path);
      let batch: PlanEntry[] = [];
      for await (const line of planLines(path)) {
        if (line === '' && reader.header === undefined) continue;
        const entry = reader.line(line);
        if (entry === undefined) continue;
        batch.push(entry);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      reader.finish();
      if (batch.length > 0) yield batch;
    },
  };
}
