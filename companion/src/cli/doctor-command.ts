import { parseBucketName } from '../../../shared/bucket-name.ts';
import { checkToolConfigs, type ToolConfigFinding } from '../handoff/check-tool-configs.ts';
import type { HostRegistrationFinding } from '../host/check-host-registration.ts';
import { rclonePasswordOf, readToolKeys, toolKeysExist } from '../handoff/tool-keys.ts';
import { toolKeysPath } from '../handoff/tool-paths.ts';
import { UsageError, parseCommandArgs, type CliIo } from './cli-io.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.ts';
import { S3_OPTIONS, S3_OPTIONS_HELP, openS3, type OpenedS3 } from './s3-options.ts';
import { resolveToolStorage } from './tool-storage-source.ts';

export const DOCTOR_HELP = `Usage: connect-guard doctor --endpoint URL --bucket NAME [--allowed-ips LIST] [options]
       connect-guard doctor --vault-export FILE --storage NAME
       connect-guard doctor --host [--extension-id ID]…

Checks a connection step by step and names what is wrong in plain words, with the fix:
endpoint unreachable (DNS, refused, TLS), clock skew, wrong Access Key, wrong Secret Key,
wrong bucket name (with WeSendit's pattern), IP not allowed or missing permission.

Then, for "files are missing after connecting": every rclone remote, AWS profile and mc alias on
this computer that uses the storage's Access Key is compared with its S3 API Bucket Name and S3
Server Address, and a mismatch is named with its fix. An encrypted rclone config is read with
RCLONE_CONFIG_PASS or, for Connect Guard's own, CONNECT_GUARD_TOOL_PASSPHRASE; otherwise the
remotes Connect Guard set up are compared from its list.

With --host: every browser's host manifest for the companion is read, and one written for another
browser (Chromium's allowed_origins in Firefox's folder, or the reverse), for another extension or
add-on id, or naming a launcher that is missing, not executable or serves other ids is named.

Options:
  --host                check the native-messaging host registration instead of a connection
  --extension-id ID     with --host: a Chromium extension id or Firefox add-on id that must be allowed (repeatable)
  --bucket NAME         the bucket to check
  --allowed-ips LIST    WeSendit's "Allowed IP addresses" for this storage, to name them when access is denied
  --vault-export FILE   take the storage (--storage NAME) from an encrypted vault export instead;
                        its passphrase from CONNECT_GUARD_PASSPHRASE or asked
  --storage NAME        the storage's name in the export
  --json                the checks as JSON
  -h, --help            this help

${S3_OPTIONS_HELP}

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  ...S3_OPTIONS,
  bucket: { type: 'string' },
  'allowed-ips': { type: 'string' },
  'vault-export': { type: 'string' },
  storage: { type: 'string' },
  host: { type: 'boolean' },
  'extension-id': { type: 'string', multiple: true },
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
  if (values.host) return runHostDoctor(values['extension-id'] ?? [], values.json === true, io);
  let s3: OpenedS3;
  let bucket: string;
  let allowedIps = values['allowed-ips'];
  if (values['vault-export'] !== undefined) {
    const storage = await resolveToolStorage('doctor', values, io);
    const { parseEndpoint } = await import('../../../shared/endpoint.ts');
    const { createS3Client } = await import('../s3/s3-client.ts');
    const connection = { endpoint: storage.serverAddress, region: values.region, accessKeyId: storage.accessKey.trim(), secretAccessKey: storage.secretKey.trim() };
    s3 = { client: createS3Client(connection), endpoint: parseEndpoint(storage.serverAddress).url, connection };
    bucket = storage.bucketName.trim();
    allowedIps ??= storage.allowedIps || undefined;
  } else {
    if (!values.bucket) throw new UsageError('--bucket is required: the bucket to check (or --vault-export FILE --storage NAME).', 'doctor');
    s3 = await openS3('doctor', values, io);
    bucket = values.bucket;
  }
  const { diagnoseConnection } = await import('../s3/diagnose-connection.ts');
  const report = await diagnoseConnection({ connection: s3.connection, bucket, allowedIps });
  s3.client.destroy();
  const tools = await checkToolConfigs({ env: io.env, endpoint: s3.connection.endpoint, bucket, accessKey: s3.connection.accessKeyId, rclonePasswords: await rclonePasswords(io) });
  const host = await checkCompanionHost(io);
  const hostOk = !host.some((finding) => finding.status === 'fail');
  const name = parseBucketName(bucket);
  if (values.json) {
    io.stdout.write(JSON.stringify({ ...report, bucketName: name, tools, host }) + '\n');
  } else {
    io.stdout.write(`Checking s3://${bucket} at ${s3.endpoint}\n`);
    for (const check of report.checks) {
      io.stdout.write(`  ${MARKS[check.status] ?? '?'} ${check.name}: ${check.message}\n`);
    }
    io.stdout.write(
      name.ok
        ? `  i bucket name: WeSendit account ${name.accountId}, item ${name.itemId}, label "${name.label}"\n`
        : `  i bucket name: not WeSendit's pattern (${name.problems[0] ?? ''}); fine for your own bucket, wrong for WeSendit's S3 API bucket.\n`,
    );
    writeToolFindings(io, s3.connection.accessKeyId, tools);
    for (const finding of host) io.stdout.write(`  ${MARKS[finding.status] ?? '?'} companion host: ${finding.message}\n`);
    const toolsOk = !tools.some((finding) => finding.status === 'fail');
    io.stdout.write(report.ok && toolsOk && hostOk ? 'All checks passed.\n' : 'Some checks failed: see the fixes above.\n');
  }
  if (report.ok) return tools.some((finding) => finding.status === 'fail') || !hostOk ? EXIT.invalidInput : EXIT.ok;
  const failed = report.checks.find((check) => check.status === 'fail');
  return failed?.code ? exitCodeFor(failed.code) : EXIT.access;
}

/** Whether each browser can start the companion for Connect Guard (doctor's last lines). */
async function checkCompanionHost(io: CliIo): Promise<HostRegistrationFinding[]> {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return [];
  const { checkHostRegistration } = await import('../host/check-host-registration.ts');
  return checkHostRegistration({ env: io.env, platform: process.platform }).catch(() => []);
}

/** `doctor --host`: the host registration alone, against the ids given (or the installed ones). */
async function runHostDoctor(ids: readonly string[], json: boolean, io: CliIo): Promise<number> {
  const { checkHostRegistration } = await import('../host/check-host-registration.ts');
  const { GECKO_EXTENSION_ID } = await import('../host/install-host.ts');
  const findings = await checkHostRegistration({
    env: io.env,
    platform: process.platform,
    chromiumIds: ids.filter((id) => !GECKO_EXTENSION_ID.test(id)),
    firefoxIds: ids.filter((id) => GECKO_EXTENSION_ID.test(id)),
  });
  if (json) io.stdout.write(`${JSON.stringify({ host: findings })}\n`);
  else for (const finding of findings) io.stdout.write(`  ${MARKS[finding.status] ?? '?'} host manifest ${finding.message}\n`);
  return findings.some((finding) => finding.status === 'fail') ? EXIT.invalidInput : EXIT.ok;
}

function writeToolFindings(io: CliIo, accessKey: string, findings: readonly ToolConfigFinding[]): void {
  if (findings.length === 0) {
    io.stdout.write(`  - external tools: no rclone remote, AWS profile or mc alias here uses the Access Key ${accessKey}.\n`);
    return;
  }
  io.stdout.write(`External tools using the Access Key ${accessKey}:\n`);
  for (const finding of findings) io.stdout.write(`  ${MARKS[finding.status] ?? '?'} ${finding.message}\n`);
}

/** Passwords that may open an encrypted rclone config: the user's own, and the tool key file's. */
async function rclonePasswords(io: CliIo): Promise<string[]> {
  const passwords: string[] = [];
  if (io.env.RCLONE_CONFIG_PASS) passwords.push(io.env.RCLONE_CONFIG_PASS);
  const passphrase = io.env.CONNECT_GUARD_TOOL_PASSPHRASE;
  const path = toolKeysPath(io.env);
  if (passphrase && (await toolKeysExist(path))) {
    const keys = await readToolKeys(path, passphrase).catch(() => undefined);
    if (keys) passwords.push(await rclonePasswordOf(keys.vaultKey));
  }
  return passwords;
}
