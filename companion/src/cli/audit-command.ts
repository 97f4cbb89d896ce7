import { formatAuditCsvHeader, formatAuditRowCsv, formatAuditRowJson, formatAuditSummary, formatAuditTotalsJson, type AuditContext } from '../../../shared/audit/format-audit-report.ts';
import { auditVerdict } from '../../../shared/audit/audit-totals.ts';
import { readFile } from 'node:fs/promises';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { TextSink, UsageError, parseCommandArgs, parsePositiveInteger, parseReportFormat, type CliIo } from './cli-io.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { openManifest } from './open-inventory-sources.ts';
import { ProgressReporter } from './progress-reporter.ts';
import { S3_OPTIONS, S3_OPTIONS_HELP, openS3 } from './s3-options.ts';

export const AUDIT_HELP = `Usage: connect-guard audit --plan FILE [options]

Reviews the sync result against the plan the preview made when you connected ("Review the sync
result before making further changes"): the bucket is listed now and every key is
  as predicted      same stayed same, bucket files kept, WeSendit's files written, conflicts won
                    by the side the preview named
  not yet arrived   predicted to be written, not there yet (short delays are normal)
  unexpected        changed although predicted unchanged, a conflict won by the other side,
                    gone from the bucket (data loss), neither side's content, extra keys
Where the ETag cannot prove the content (multipart uploads, encrypted objects) only those objects
are read and compared by the SHA-256 the backup recorded; each key says how it was proven.

Options:
  --plan FILE         the plan: plan.ndjson in the backup folder, or one from "diff --save-plan"
  --bucket NAME       the bucket to review (default: the plan's; another bucket is refused)
  --manifest FILE     WeSendit's side now (CSV or NDJSON as for diff), to check what WeSendit shows
  --only-keys FILE    check again only these keys (one per line, or a previous NDJSON report:
                      its not-yet-arrived keys), by HEAD instead of listing the bucket
  --format FORMAT     summary (default), ndjson or csv: one line per key, sorted, led by rclone
                      check --combined's mark (= same, - only in bucket, + missing, * differs, ! error)
  --out FILE          write the report to FILE (default: standard output)
  --json              the report as NDJSON and progress as NDJSON on stderr
  --concurrency N     listing requests at once (default 16)
  -h, --help          this help

The endpoint defaults to the plan's.

${S3_OPTIONS_HELP}

Exit codes of audit:
  0    every key as predicted
  6    nothing unexpected, but some keys have not arrived yet: check again later
  7    something unexpected happened (see the report; restore losses with "restore --keys")
  other codes as below: the review could not run, nothing was written

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  ...S3_OPTIONS,
  plan: { type: 'string' },
  bucket: { type: 'string' },
  manifest: { type: 'string' },
  'only-keys': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Exit codes of a review that ran. */
export const AUDIT_EXIT = { asPredicted: 0, notYetArrived: 6, unexpected: 7 } as const;

/**
 * Keys from a file: one per line, or an NDJSON audit report (its lines with `status`
 * not-yet-arrived, or with `restore` when `restoreOnly`).
 */
export async function readKeyList(path: string, pick: 'pending' | 'restore'): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConnectGuardError('INVALID_INPUT', `Cannot read the key list ${path}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const keys: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (line.startsWith('{')) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new ConnectGuardError('INVALID_INPUT', `${path} mixes JSON and plain lines. Give one key per line, or an NDJSON report of "connect-guard audit".`);
      }
      if (typeof value !== 'object' || value === null || !('key' in value) || typeof value.key !== 'string') continue;
      const wanted = pick === 'pending' ? 'status' in value && value.status === 'not-yet-arrived' : 'restore' in value && (value.restore === 'restore' || value.restore === 'overwrite');
      if (wanted) keys.push(value.key);
    } else keys.push(line);
  }
  return keys;
}

export async function runAudit(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('audit', args, OPTIONS);
  if (values.help) {
    io.stdout.write(AUDIT_HELP);
    return EXIT.ok;
  }
  if (!values.plan) throw new UsageError('--plan is required: the plan.ndjson in the backup folder (…/BUCKET/UTC-TIME/plan.ndjson).', 'audit');
  const format = values.json ? 'ndjson' : parseReportFormat('audit', values.format);
  const concurrency = parsePositiveInteger('audit', 'concurrency', values.concurrency, 16);
  const { openPlanFile } = await import('../audit/plan-file.ts');
  // The plan is checked whole (header, order, checksum) before anything is contacted or written.
  const plan = await openPlanFile(values.plan);
  const { checkPlanTarget } = await import('../../../shared/audit/sync-plan.ts');
  const bucket = values.bucket ?? plan.header.bucket;
  checkPlanTarget(plan.header, { bucket }, values.plan);
  const onlyKeys = values['only-keys'] ? await readKeyList(values['only-keys'], 'pending') : undefined;
  const wesendit = values.manifest ? openManifest(values.manifest) : undefined;
  const endpoint = values.endpoint ?? io.env.AWS_ENDPOINT_URL_S3 ?? io.env.AWS_ENDPOINT_URL ?? plan.header.endpoint;
  const s3 = await openS3('audit', { ...values, ...(endpoint ? { endpoint } : {}) }, io);
  const listing = ProgressReporter.for(io.stderr, values.json === true, 'Listing bucket');
  const reading = ProgressReporter.for(io.stderr, values.json === true, 'Reading to prove content');
  const { runAudit: review } = await import('../audit/run-audit.ts');
  let sink: TextSink | undefined;
  let pendingText = format === 'csv' ? formatAuditCsvHeader() : '';
  try {
    const result = await review({
      client: s3.client,
      plan,
      bucket,
      endpoint: s3.endpoint,
      ...(onlyKeys ? { onlyKeys } : {}),
      ...(wesendit ? { wesendit: wesendit.entries } : {}),
      concurrency,
      signal: io.signal,
      onListProgress: (event) => listing.update(event),
      onReadProgress: (event) => reading.update({ objects: event.objects, bytes: event.bytes, elapsedMs: event.elapsedMs, rate: event.elapsedMs > 0 ? (event.objects * 1000) / event.elapsedMs : 0 }),
      onRows: async (rows) => {
        if (format === 'summary') return;
        for (const row of rows) pendingText += format === 'csv' ? formatAuditRowCsv(row) : formatAuditRowJson(row) + '\n';
        // The report is opened only once the bucket answered: an unreachable bucket writes nothing.
        if (pendingText.length > 1 << 16) {
          sink ??= values.out ? await TextSink.file(values.out) : TextSink.stdout(io);
          await sink.write(pendingText);
          pendingText = '';
        }
      },
    });
    listing.done();
    reading.done();
    const context: AuditContext = { plan: plan.header, planPath: values.plan, bucketSource: `s3://${bucket} at ${s3.endpoint}`, wesenditListed: wesendit !== undefined };
    const summary = formatAuditSummary(result.totals, context, result.findings);
    sink ??= values.out ? await TextSink.file(values.out) : TextSink.stdout(io);
    if (format === 'summary') await sink.write(summary);
    else {
      await sink.write(pendingText);
      if (format === 'ndjson') await sink.write(formatAuditTotalsJson(result.totals, context) + '\n');
    }
    await sink.close();
    if (format !== 'summary') {
      if (values.out) io.stdout.write(summary + `Report (${format}) written to ${values.out}.\n`);
      else io.stderr.write(summary);
    } else if (values.out) io.stdout.write(`Report written to ${values.out}.\n`);
    const verdict = auditVerdict(result.totals);
    return verdict === 'as-predicted' ? AUDIT_EXIT.asPredicted : verdict === 'not-yet-arrived' ? AUDIT_EXIT.notYetArrived : AUDIT_EXIT.unexpected;
  } catch (error) {
    listing.done();
    reading.done();
    await sink?.abort();
    throw error;
  } finally {
    s3.client.destroy();
  }
}
