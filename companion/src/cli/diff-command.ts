import { diffInventoryBatches } from '../../../shared/diff/diff-inventories.ts';
import {
  formatDiffCsvHeader,
  formatDiffRowCsv,
  formatDiffRowJson,
  formatDiffSummary,
  formatDiffTotalsJson,
  type DiffSummaryContext,
} from '../../../shared/diff/format-diff-report.ts';
import { DiffTally } from '../../../shared/diff/summarize-diff.ts';
import { TextSink, parseCommandArgs, parseReportFormat, type CliIo } from './cli-io.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { openBucket, openFolder, openManifest, openSnapshot, requireOne, type OpenedSource } from './open-inventory-sources.ts';
import { ProgressReporter, type ProgressEvent } from './progress-reporter.ts';
import { S3_OPTIONS, S3_OPTIONS_HELP } from './s3-options.ts';
import { PLAN_FORMAT, PLAN_POLICIES, PLAN_VERSION, planEntryFromRow } from '../../../shared/audit/sync-plan.ts';
import { PlanFileWriter } from '../audit/plan-file.ts';
import { ContentChecker } from './content-checker.ts';
import { UsageError } from './cli-io.ts';

export const DIFF_HELP = `Usage: connect-guard diff (--bucket NAME --endpoint URL | --snapshot FILE) (--manifest FILE | --folder DIR) [options]

Predicts what connecting WeSendit storage to a bucket will do, key by key:
  only in bucket    will appear in WeSendit
  only in WeSendit  will be written to the bucket
  same              same content, no change
  conflict          different content: may be overwritten (winner under "newer wins" and "WeSendit wins")
  unknown           content equality cannot be proven (e.g. a multipart ETag against a plain MD5)
Names that differ only by case or Unicode form are flagged as look-alikes.

Bucket side (exactly one):
  --bucket NAME       list the bucket now over S3 (needs --endpoint and credentials, see below)
  --snapshot FILE     a snapshot written by "connect-guard inventory --out FILE"

WeSendit side (exactly one):
  --manifest FILE     CSV with header path,size,modified[,md5] or NDJSON {"path","size","modified","md5"?}
  --folder DIR        a local folder (hashed: MD5 and multipart ETags for common part sizes)

Options:
  --format FORMAT     summary (default), ndjson (one row per key, then a totals line) or csv
  --out FILE          write the report to FILE (default: standard output)
  --prefix TEXT       only keys starting with TEXT (bucket)
  --concurrency N     requests (bucket, default 16) or files hashed (folder, default 4) at once
  --part-sizes LIST   part sizes in MiB for multipart ETags of folder files (default 5,8,15,16,64)
  --json              progress as NDJSON on stderr instead of a progress bar
  --check-content     read the bucket objects of "unknown" rows whose WeSendit file has an MD5, and
                      turn them into same or conflict (downloads those objects only, like
                      rclone check --download; the summary says how many and how many bytes)
  --save-plan FILE    also save the prediction as a sync plan, for "connect-guard audit" after the
                      connect (keys, sizes and hashes only; format: shared/audit/FORMAT.md)
  --policy POLICY     who wins a conflict in the saved plan: wesendit-wins (default) or newer-wins
  -h, --help          this help

With --format ndjson or csv and no --out, the summary goes to stderr.

${S3_OPTIONS_HELP}

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  ...S3_OPTIONS,
  bucket: { type: 'string' },
  snapshot: { type: 'string' },
  manifest: { type: 'string' },
  folder: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  prefix: { type: 'string' },
  concurrency: { type: 'string' },
  'part-sizes': { type: 'string' },
  json: { type: 'boolean' },
  'check-content': { type: 'boolean' },
  'save-plan': { type: 'string' },
  policy: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runDiff(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('diff', args, OPTIONS);
  if (values.help) {
    io.stdout.write(DIFF_HELP);
    return EXIT.ok;
  }
  const format = parseReportFormat('diff', values.format);
  const [bucketKind, bucketValue] = requireOne('diff', { bucket: values.bucket, snapshot: values.snapshot }, 'Bucket side');
  const [wesenditKind, wesenditValue] = requireOne('diff', { manifest: values.manifest, folder: values.folder }, 'WeSendit side');

  // One progress line: the bucket listing when there is one, else the folder being hashed.
  const step = bucketKind === 'bucket' ? 'Listing bucket' : wesenditKind === 'folder' ? 'Hashing folder' : 'Comparing';
  const progress = ProgressReporter.for(io.stderr, values.json === true, step);
  const report = (event: ProgressEvent): void => progress.update(event);
  const bucketSide: OpenedSource = bucketKind === 'bucket' ? await openBucket('diff', values, io, report) : openSnapshot(bucketValue);
  const wesenditSide: OpenedSource =
    wesenditKind === 'manifest'
      ? openManifest(wesenditValue)
      : openFolder('diff', wesenditValue, values, io, bucketKind === 'bucket' ? () => undefined : report);

  const policy = PLAN_POLICIES.find((candidate) => candidate === (values.policy ?? 'wesendit-wins'));
  if (policy === undefined) throw new UsageError(`--policy must be wesendit-wins or newer-wins (got "${values.policy}").`, 'diff');
  if (values['check-content'] && bucketSide.s3 === undefined) throw new UsageError('--check-content reads the bucket: give --bucket (not --snapshot).', 'diff');
  const sink = values.out ? await TextSink.file(values.out) : TextSink.stdout(io);
  const plan = values['save-plan']
    ? await PlanFileWriter.open(values['save-plan'], {
        format: PLAN_FORMAT,
        version: PLAN_VERSION,
        bucket: values.bucket ?? /^s3:\/\/([^/ ]+)/.exec(bucketSide.description)?.[1] ?? bucketSide.description,
        ...(bucketSide.endpoint ? { endpoint: bucketSide.endpoint } : {}),
        ...(values.prefix ? { prefix: values.prefix } : {}),
        policy,
        createdAt: new Date().toISOString(),
        wesenditSource: wesenditSide.description,
      })
    : undefined;
  const checker = values['check-content'] && bucketSide.s3 ? new ContentChecker(bucketSide.s3, io, values.json === true) : undefined;
  const tally = new DiffTally();
  try {
    if (format === 'csv') await sink.write(formatDiffCsvHeader());
    for await (const merged of diffInventoryBatches(bucketSide.entries, wesenditSide.entries)) {
      const batch = checker ? await checker.resolve(merged) : merged;
      if (plan) await plan.write(batch.map((row) => planEntryFromRow(row, policy)));
      tally.addBatch(batch);
      if (format === 'ndjson') {
        let text = '';
        for (const row of batch) text += formatDiffRowJson(row) + '\n';
        await sink.write(text);
      } else if (format === 'csv') {
        let text = '';
        for (const row of batch) text += formatDiffRowCsv(row);
        await sink.write(text);
      }
    }
    await plan?.close();
  } catch (error) {
    await sink.abort();
    await plan?.abort();
    throw error;
  } finally {
    progress.done();
    checker?.done();
  }
  const totals = tally.totals;
  const context: DiffSummaryContext = {
    bucketSource: bucketSide.description,
    wesenditSource: wesenditSide.description,
    multipartUploads: bucketSide.multipartUploads ? await bucketSide.multipartUploads : undefined,
  };
  let summary = formatDiffSummary(totals, context);
  if (checker) summary += checker.describe();
  if (plan) summary += `Sync plan saved to ${values['save-plan']}: after the connect, run "connect-guard audit --plan ${values['save-plan']}".\n`;
  if (format === 'summary') await sink.write(summary);
  else if (format === 'ndjson') await sink.write(formatDiffTotalsJson(totals, context) + '\n');
  await sink.close();
  if (format !== 'summary') {
    if (values.out) io.stdout.write(summary + `Report (${format}) written to ${values.out}.\n`);
    else io.stderr.write(summary);
  }
  return EXIT.ok;
}
