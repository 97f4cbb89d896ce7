import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import { ConnectGuardError } from '../../../shared/errors.ts';

/** The process streams a command uses; tests may pass others. */
export interface CliIo {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
  readonly stdin: NodeJS.ReadStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
}

/** Wrong command-line usage: shown with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with its errors turned into usage errors that name the command. */
export function parseCommandArgs<T extends Options>(command: string, args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '.') : String(error);
    throw new UsageError(message, command);
  }
}

/**
 * Writes text with backpressure to stdout or a file. A file is written as `FILE.partial` and
 * renamed when complete, so a failed run never leaves a report that looks whole.
 */
export class TextSink {
  private constructor(
    private readonly stream: Writable,
    private readonly path: string | undefined,
  ) {}

  static stdout(io: CliIo): TextSink {
    return new TextSink(io.stdout, undefined);
  }

  static async file(path: string): Promise<TextSink> {
    const stream = createWriteStream(`${path}.partial`, { encoding: 'utf8' });
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new ConnectGuardError('INVALID_INPUT', `Cannot write ${path}: ${error instanceof Error ? error.message : String(error)}. Choose another --out path.`);
    }
    return new TextSink(stream, path);
  }

  async write(text: string): Promise<void> {
    if (text === '') return;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.path === undefined) return;
    this.stream.end();
    await once(this.stream, 'finish');
    await rename(`${this.path}.partial`, this.path);
  }

  /** Drops a partial file after a failure. */
  async abort(): Promise<void> {
    if (this.path === undefined) return;
    this.stream.destroy();
    await rm(`${this.path}.partial`, { force: true });
  }
}

/** A positive whole number option, or a usage error naming it. */
export function parsePositiveInteger(command: string, name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) throw new UsageError(`--${name} must be a whole number of at least 1 (got "${value}").`, command);
  return number;
}

const REPORT_FORMATS = ['summary', 'ndjson', 'csv'] as const;
/** How `diff` and `restore` write their report: a summary, one JSON row a line, or CSV. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Reads `--format` (default summary); anything else is a usage error naming the choices. */
export function parseReportFormat(command: string, value: string | undefined): ReportFormat {
  const format = value ?? 'summary';
  const known = REPORT_FORMATS.find((candidate) => candidate === format);
  if (known === undefined) throw new UsageError(`--format must be summary, ndjson or csv (got "${format}").`, command);
  return known;
}
