import {
  formatRestoreCsvHeader,
  formatRestoreRowCsv,
  formatRestoreRowJson,
  formatRestoreSummary,
  formatRestoreTotalsJson,
  type RestoreSummaryContext,
  type RestoreTotals,
} from '../../../shared/backup/restore-plan.ts';
import { TextSink, UsageError, parseCommandArgs, parsePositiveInteger, parseReportFormat, type CliIo } from './cli-io.ts';
import { phaseProgress } from './backup-command.ts';
import { readKeyList } from './audit-command.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { S3_OPTIONS, S3_OPTIONS_HELP, openS3 } from './s3-options.ts';

export const RESTORE_HELP = `Usage: connect-guard restore --from FOLDER [options]

Puts a bucket back the way a backup saw it ("Files were overwritten → Restore the backup you
created before connecting"). A dry run by default: compares the backup's manifest with the
bucket now and lists what would be restored:
  deleted    in the backup, gone from the bucket: restored
  changed    different in the bucket now: kept as it is unless --force (and named)
Objects added to the bucket after the backup are never touched.

Options:
  --from FOLDER       a backup folder written by "connect-guard backup" (…/BUCKET/UTC-TIME)
  --apply             restore (upload from the backup), then verify every restored object
  --force             also overwrite objects that changed after the backup
  --only-missing      restore deleted objects only; changed ones are not part of the restore
  --keys FILE         only these keys, overwriting them if changed: one key per line, or the NDJSON
                      report of "connect-guard audit" (its keys marked for restore)
  --bucket NAME       restore into this bucket (default: the bucket the backup came from)
  --format FORMAT     summary (default), ndjson (one row per deleted/changed object, then totals) or csv
  --out FILE          write the report to FILE (default: standard output)
  --concurrency N     uploads at once (default 16)
  --json              progress as NDJSON on stderr
  -h, --help          this help

The endpoint defaults to the one the backup was taken from.

${S3_OPTIONS_HELP}

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  ...S3_OPTIONS,
  from: { type: 'string' },
  apply: { type: 'boolean' },
  force: { type: 'boolean' },
  'only-missing': { type: 'boolean' },
  keys: { type: 'string' },
  bucket: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runRestore(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('restore', args, OPTIONS);
  if (values.help) {
    io.stdout.write(RESTORE_HELP);
    return EXIT.ok;
  }
  if (!values.from) throw new UsageError('--from is required: the backup folder, e.g. ~/ConnectGuard/backups/BUCKET/TIMESTAMP.', 'restore');
  const folder = values.from;
  const format = parseReportFormat('restore', values.format);
  if (values.force && values['only-missing']) throw new UsageError('--force and --only-missing contradict each other: --only-missing never overwrites.', 'restore');
  const concurrency = parsePositiveInteger('restore', 'concurrency', values.concurrency, 16);
  const keys = values.keys ? new Set(await readKeyList(values.keys, 'restore')) : undefined;
  if (keys !== undefined && keys.size === 0) throw new UsageError(`${values.keys} selects no keys to restore: nothing was lost or overwritten unexpectedly.`, 'restore');
  const { readBackupHeader } = await import('../backup/backup-folder.ts');
  const header = await readBackupHeader(folder);
  const endpoint = values.endpoint ?? io.env.AWS_ENDPOINT_URL_S3 ?? io.env.AWS_ENDPOINT_URL ?? header.endpoint;
  const s3 = await openS3('restore', { ...values, ...(endpoint ? { endpoint } : {}) }, io);
  const { planRestore, applyRestore } = await import('../s3/restore-backup.ts');
  const progress = phaseProgress(io.stderr, values.json === true);
  const sink = values.out ? await TextSink.file(values.out) : TextSink.stdout(io);
  try {
    const plan = await planRestore({
      client: s3.client,
      folder,
      endpoint: s3.endpoint,
      ...(values.bucket ? { bucket: values.bucket } : {}),
      force: values.force === true,
      onlyMissing: values['only-missing'] === true,
      ...(keys ? { keys } : {}),
      signal: io.signal,
      onProgress: (event) => progress.update(event),
    });
    progress.done();
    let totals: RestoreTotals = plan.totals;
    let keptKeys = plan.keptKeys;
    if (values.apply) {
      const result = await applyRestore({ client: s3.client, plan, concurrency, endpoint: s3.endpoint, signal: io.signal, onProgress: (event) => progress.update(event) });
      progress.done();
      // Objects that changed between the plan and the write were kept too.
      const late = result.kept.length - plan.keptKeys.length;
      totals = { ...totals, toWrite: result.restored.length + result.overwritten.length, bytesToWrite: result.bytes, kept: result.kept.length, changed: totals.changed + late, deleted: totals.deleted - late };
      keptKeys = result.kept;
    }
    const context: RestoreSummaryContext = { backupFolder: folder, bucket: plan.bucket, backupTime: header.startedAt, applied: values.apply === true, keptKeys };
    if (format === 'csv') await sink.write(formatRestoreCsvHeader());
    let text = '';
    for (const row of plan.rows) {
      text += format === 'csv' ? formatRestoreRowCsv(row) : format === 'ndjson' ? formatRestoreRowJson(row) + '\n' : '';
      if (text.length > 1 << 16) {
        await sink.write(text);
        text = '';
      }
    }
    await sink.write(text);
    const summary = formatRestoreSummary(totals, context);
    if (format === 'summary') await sink.write(summary);
    else if (format === 'ndjson') await sink.write(formatRestoreTotalsJson(totals, context) + '\n');
    await sink.close();
    if (format !== 'summary') {
      if (values.out) io.stdout.write(summary + `Report (${format}) written to ${values.out}.\n`);
      else io.stderr.write(summary);
    } else if (values.out) io.stdout.write(`Report written to ${values.out}.\n`);
  } catch (error) {
    progress.done();
    await sink.abort();
    throw error;
  } finally {
    s3.client.destroy();
  }
  return EXIT.ok;
}
