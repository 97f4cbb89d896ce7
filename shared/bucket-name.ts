import { ConnectGuardError } from './errors.ts';

/** WeSendit's bucket name pattern (seed §4): `{wsi_user_account_id} + {file_service.item.id} + {label}`. */
export const BUCKET_NAME_PATTERN = '{user account id}-{item id}-{label}';
export const BUCKET_NAME_EXAMPLE = 'usr-48291-itm-00384-nas-to-wsi-backup';

/** The parts of a WeSendit bucket name. */
export interface BucketNameParts {
  /** `usr` in `usr-48291-…` */
  readonly accountPrefix: string;
  /** `48291`, kept as text: leading zeros matter. */
  readonly accountId: string;
  /** `itm` in `…-itm-00384-…` */
  readonly itemPrefix: string;
  /** `00384` */
  readonly itemId: string;
  /** `nas-to-wsi-backup` */
  readonly label: string;
}

export type BucketNameResult =
  | ({ readonly ok: true; readonly name: string } & BucketNameParts)
  | {
      readonly ok: false;
      readonly name: string;
      /** Whether S3 itself would accept the name (it may still not be a WeSendit bucket). */
      readonly validS3Name: boolean;
      /** What is wrong, in plain words, most important first. */
      readonly problems: readonly string[];
      /** The pattern and an example, to show next to the problems. */
      readonly expected: string;
    };

const EXPECTED = `WeSendit bucket names follow ${BUCKET_NAME_PATTERN}, for example ${BUCKET_NAME_EXAMPLE}. Copy it from "S3 API Bucket Name" in the storage's settings.`;

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * What S3's bucket naming rules reject in `name` (general purpose buckets:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export function findS3BucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length === 0) return ['The bucket name is empty.'];
  if (name !== name.trim()) problems.push('It has spaces at the start or end: remove them.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name.trim()) || name.includes('/')) {
    const candidate = name.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/').filter(Boolean).pop();
    problems.push(
      'It looks like a URL or path. Enter only the bucket name' +
        (candidate && candidate !== name.trim() ? ` (perhaps "${candidate}")` : '') +
        '; the server address goes in the endpoint.',
    );
  }
  if (name.length < 3 || name.length > 63) problems.push(`It is ${name.length} characters long; S3 bucket names have 3 to 63.`);
  if (/[A-Z]/.test(name)) problems.push(`It contains upper-case letters; S3 bucket names are lower case (did you mean "${name.trim().toLowerCase().replaceAll('_', '-')}"?).`);
  if (name.includes('_')) problems.push('It contains "_"; S3 bucket names use "-" instead of underscores.');
  const other = [...new Set(name.trim().replace(/[a-zA-Z0-9._/:-]/g, ''))];
  if (other.length > 0) problems.push(`It contains characters S3 does not allow in bucket names: ${other.map((c) => JSON.stringify(c)).join(' ')}. Only a–z, 0–9, "-" and "." are allowed.`);
  if (/^[^a-z0-9]/i.test(name.trim()) || /[^a-z0-9]$/i.test(name.trim())) problems.push('It must start and end with a letter or digit.');
  if (name.includes('..')) problems.push('It contains "..": dots may not be adjacent.');
  if (name.includes('.-') || name.includes('-.')) problems.push('A dot may not sit next to a hyphen ("-." or ".-").');
  if (IPV4.test(name.trim())) problems.push('It is formatted as an IP address, which S3 does not allow as a bucket name.');
  for (const prefix of RESERVED_PREFIXES) if (name.startsWith(prefix)) problems.push(`It starts with "${prefix}", which S3 reserves.`);
  for (const suffix of RESERVED_SUFFIXES) if (name.endsWith(suffix)) problems.push(`It ends with "${suffix}", which S3 reserves.`);
  return problems;
}

/** What stops an S3-valid name from fitting WeSendit's pattern, or undefined when it fits. */
function findPatternProblem(name: string): string | BucketNameParts {
  const tokens = name.split('-');
  const [accountPrefix = '', accountId = '', itemPrefix = '', itemId = ''] = tokens;
  if (!/^[a-z]+$/.test(accountPrefix) || !/^\d+$/.test(accountId)) {
    return 'It does not start with a user account id such as "usr-48291" (letters, "-", digits).';
  }
  if (!/^[a-z]+$/.test(itemPrefix) || !/^\d+$/.test(itemId)) {
    return `After the account id "${accountPrefix}-${accountId}" an item id such as "itm-00384" must follow.`;
  }
  const label = tokens.slice(4).join('-');
  if (label === '') return `The label after "${accountPrefix}-${accountId}-${itemPrefix}-${itemId}-" is missing.`;
  return { accountPrefix, accountId, itemPrefix, itemId, label };
}

/**
 * Parses a WeSendit bucket name, `usr-48291-itm-00384-nas-to-wsi-backup` →
 * `{accountPrefix: 'usr', accountId: '48291', itemPrefix: 'itm', itemId: '00384', label: 'nas-to-wsi-backup'}`.
 * A name that does not fit says why (S3's naming rules first, then WeSendit's pattern).
 */
export function parseBucketName(name: string): BucketNameResult {
  const s3Problems = findS3BucketNameProblems(name);
  const pattern = findPatternProblem(name.trim().toLowerCase());
  if (s3Problems.length === 0 && typeof pattern !== 'string') return { ok: true, name, ...pattern };
  const problems = [...s3Problems];
  if (typeof pattern === 'string' && (s3Problems.length === 0 || !/^[a-z]+-\d+-[a-z]+-\d+-./.test(name.trim().toLowerCase()))) {
    problems.push(pattern);
  }
  return { ok: false, name, validS3Name: s3Problems.length === 0, problems, expected: EXPECTED };
}

/** Like `parseBucketName`, but throws a ConnectGuardError (`INVALID_BUCKET_NAME`) naming the problems. */
export function getBucketNameParts(name: string): BucketNameParts {
  const result = parseBucketName(name);
  if (result.ok) {
    const { accountPrefix, accountId, itemPrefix, itemId, label } = result;
    return { accountPrefix, accountId, itemPrefix, itemId, label };
  }
  throw new ConnectGuardError('INVALID_BUCKET_NAME', `"${name}" is not a WeSendit bucket name. ${result.problems.join(' ')} ${result.expected}`);
}
