import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConnectGuardError } from '../../../shared/errors.ts';

/** Credentials for one S3 connection, and where they came from (never the secret itself). */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** e.g. "environment (AWS_ACCESS_KEY_ID)", "profile backup in ~/.aws/credentials", "prompt". */
  readonly source: string;
}

/** Asks the user; `askHidden` must not echo. Absent when there is no terminal. */
export interface CredentialPrompt {
  ask(question: string): Promise<string>;
  askHidden(question: string): Promise<string>;
}

export interface ResolveS3CredentialsInput {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--profile NAME`: wins over environment keys, as in the aws cli. */
  readonly profile?: string;
  /** `--access-key ID`: the Access Key is public (seed §3); its secret still comes from elsewhere. */
  readonly accessKeyId?: string;
  readonly prompt?: CredentialPrompt;
  /** Home folder for ~/.aws/credentials (default os.homedir()). */
  readonly homeDir?: string;
}

/** Sections of an INI file (AWS shared credentials format): `[name]` then `key = value` lines. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const name = header[1] ?? '';
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const equals = line.indexOf('=');
    if (equals < 0 || current === undefined) continue;
    current.set(line.slice(0, equals).trim().toLowerCase(), line.slice(equals + 1).trim());
  }
  return sections;
}

async function fromProfile(
  profile: string,
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
  required: boolean,
): Promise<S3Credentials | undefined> {
  const path = env.AWS_SHARED_CREDENTIALS_FILE || join(homeDir, '.aws', 'credentials');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (!required) return undefined;
    throw new ConnectGuardError('MISSING_CREDENTIALS', `Profile "${profile}" was asked for, but the credentials file ${path} cannot be read. Create it (aws configure) or set AWS_SHARED_CREDENTIALS_FILE.`);
  }
  const section = parseIni(text).get(profile);
  if (!section) {
    if (!required) return undefined;
    throw new ConnectGuardError('MISSING_CREDENTIALS', `The credentials file ${path} has no profile [${profile}]. Check the name given to --profile or AWS_PROFILE.`);
  }
  const accessKeyId = section.get('aws_access_key_id');
  const secretAccessKey = section.get('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) {
    throw new ConnectGuardError(
      'MISSING_CREDENTIALS',
      `Profile [${profile}] in ${path} needs both aws_access_key_id and aws_secret_access_key (profiles using SSO or a role are not supported by connect-guard).`,
    );
  }
  const sessionToken = section.get('aws_session_token');
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined, source: `profile ${profile} in ${path}` };
}

/**
 * Finds S3 credentials the way S3 users expect: `--profile` → AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) → AWS_PROFILE or [default] in the shared
 * credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials) → a prompt on a terminal
 * with hidden input for the secret. Never from a command-line value.
 */
export async function resolveS3Credentials(input: ResolveS3CredentialsInput = {}): Promise<S3Credentials> {
  const env = input.env ?? process.env;
  const homeDir = input.homeDir ?? homedir();

  if (input.profile) {
    const fromFile = await fromProfile(input.profile, env, homeDir, true);
    if (fromFile) return input.accessKeyId ? { ...fromFile, accessKeyId: input.accessKeyId } : fromFile;
  }

  const envAccess = env.AWS_ACCESS_KEY_ID;
  const envSecret = env.AWS_SECRET_ACCESS_KEY;
  if (envSecret && (envAccess || input.accessKeyId)) {
    return {
      accessKeyId: input.accessKeyId ?? envAccess ?? '',
      secretAccessKey: envSecret,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
      source: 'environment (AWS_SECRET_ACCESS_KEY)',
    };
  }
  if (envAccess && !envSecret && !input.accessKeyId && !input.prompt) {
    throw new ConnectGuardError('MISSING_CREDENTIALS', 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not. Set both, or run on a terminal to be asked for the Secret Key.');
  }

  if (!input.accessKeyId && !envAccess) {
    const profile = env.AWS_PROFILE || 'default';
    const fromFile = await fromProfile(profile, env, homeDir, Boolean(env.AWS_PROFILE));
    if (fromFile) return fromFile;
  }

  if (input.prompt) {
    let accessKeyId = input.accessKeyId ?? envAccess;
    if (!accessKeyId) accessKeyId = (await input.prompt.ask('Access Key: ')).trim();
    if (!accessKeyId) throw new ConnectGuardError('MISSING_CREDENTIALS', 'No Access Key entered.');
    const secretAccessKey = (await input.prompt.askHidden('Secret Key (input hidden): ')).trim();
    if (!secretAccessKey) throw new ConnectGuardError('MISSING_CREDENTIALS', 'No Secret Key entered.');
    return { accessKeyId, secretAccessKey, source: 'prompt' };
  }

  throw new ConnectGuardError(
    'MISSING_CREDENTIALS',
    'No S3 credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a profile from ~/.aws/credentials (--profile NAME or AWS_PROFILE), ' +
      'or run connect-guard on a terminal to be asked (the Secret Key input is hidden).',
  );
}
