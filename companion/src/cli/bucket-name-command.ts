import { parseBucketName } from '../../../shared/bucket-name.ts';
import { UsageError, parseCommandArgs, type CliIo } from './cli-io.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';

export const BUCKET_NAME_HELP = `Usage: connect-guard bucket-name NAME [--json]

Checks a bucket name against S3's naming rules and WeSendit's pattern
{user account id}-{item id}-{label}, e.g. usr-48291-itm-00384-nas-to-wsi-backup, and shows its
parts or explains what is wrong. Exit code 0 when it fits, 3 when it does not.

Options:
  --json      the result as JSON
  -h, --help  this help

${EXIT_CODES_HELP}
`;

const OPTIONS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function runBucketName(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs('bucket-name', args, OPTIONS);
  if (values.help) {
    io.stdout.write(BUCKET_NAME_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('Give exactly one bucket name, e.g. connect-guard bucket-name usr-48291-itm-00384-nas-to-wsi-backup', 'bucket-name');
  const [name = ''] = positionals;
  const result = parseBucketName(name);
  if (values.json) {
    io.stdout.write(JSON.stringify(result) + '\n');
    return result.ok ? EXIT.ok : EXIT.invalidInput;
  }
  if (result.ok) {
    io.stdout.write(
      `${name} is a WeSendit bucket name:\n` +
        `  user account id  ${result.accountPrefix}-${result.accountId}  (${result.accountId})\n` +
        `  item id          ${result.itemPrefix}-${result.itemId}  (${result.itemId})\n` +
        `  label            ${result.label}\n`,
    );
    return EXIT.ok;
  }
  io.stdout.write(
    `${JSON.stringify(name)} is not a WeSendit bucket name${result.validS3Name ? ' (S3 would accept it, but it does not follow WeSendit\'s pattern)' : ''}:\n` +
      result.problems.map((p) => `  - ${p}\n`).join('') +
      `${result.expected}\n`,
  );
  return EXIT.invalidInput;
}
