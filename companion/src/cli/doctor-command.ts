import { parseBucketName } from '../../../shared/bucket-name.ts';
import { UsageError, parseCommandArgs, type CliIo } from './cli-io.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.ts';
import { S3_OPTIONS, S3_OPTIONS_HELP, openS3 } from './s3-options.ts';

export const DOCTOR_HELP = `Usage: connect-guard doctor --endpoint URL --bucket NAME [--allowed-ips LIST] [options]

Checks a connection step by step and names what is wrong in plain words, with the fix:
endpoint unreachable (DNS, refused, TLS), clock skew, wrong Access Key, wrong Secret Key,
wrong bucket name (with WeSendit's pattern), IP not allowed or missing permission.

Options:
  --bucket NAME         the bucket to check
  --allowed-ips LIST    WeSendit's "Allowed IP addresses" for this storage, to name them when access is denied
  --json                the checks as JSON
  -h, --help            this help

${S3_OPTIONS_HELP}

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  ...S3_OPTIONS,
  bucket: { type: 'string' },
  'allowed-ips': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MARKS: Record<string, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

export async function runDoctor(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('doctor', args, OPTIONS);
  if (values.help) {
    io.stdout.write(DOCTOR_HELP);
    return EXIT.ok;
  }
  if (!values.bucket) throw new UsageError('--bucket is required: the bucket to check.', 'doctor');
  const s3 = await openS3('doctor', values, io);
  const { diagnoseConnection } = await import('../s3/diagnose-connection.ts');
  const report = await diagnoseConnection({ connection: s3.connection, bucket: values.bucket, allowedIps: values['allowed-ips'] });
  const name = parseBucketName(values.bucket);
  if (values.json) {
    io.stdout.write(JSON.stringify({ ...report, bucketName: name }) + '\n');
  } else {
    io.stdout.write(`Checking s3://${values.bucket} at ${s3.endpoint}\n`);
    for (const check of report.checks) {
      io.stdout.write(`  ${MARKS[check.status] ?? '?'} ${check.name}: ${check.message}\n`);
    }
    io.stdout.write(
      name.ok
        ? `  i bucket name: WeSendit account ${name.accountId}, item ${name.itemId}, label "${name.label}"\n`
        : `  i bucket name: not WeSendit's pattern (${name.problems[0] ?? ''}); fine for your own bucket, wrong for WeSendit's S3 API bucket.\n`,
    );
    io.stdout.write(report.ok ? 'All checks passed.\n' : 'Some checks failed: see the fixes above.\n');
  }
  if (report.ok) return EXIT.ok;
  const failed = report.checks.find((check) => check.status === 'fail');
  return failed?.code ? exitCodeFor(failed.code) : EXIT.access;
}
