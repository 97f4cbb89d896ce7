import { createInterface } from 'node:readline/promises';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { readHiddenLine } from '../credentials/read-hidden-line.ts';
import { resolveS3Credentials, type CredentialPrompt } from '../credentials/resolve-s3-credentials.ts';
import type { S3Client } from '../s3/s3-client.ts';
import { UsageError, type CliIo } from './cli-io.ts';

/** Options every command that talks to S3 takes. */
export const S3_OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'access-key': { type: 'string' },
} as const;

export const S3_OPTIONS_HELP = `S3 connection:
  --endpoint URL      the S3 Server Address, written any way (https://s3.example.com, s3.example.com:9000/,
                      127.0.0.1:7480). Default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
  --region NAME       signing region (default: from the endpoint, AWS_REGION, or us-east-1)
  --profile NAME      credentials from this profile of ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE)
  --access-key ID     the Access Key (public); the Secret Key then comes from the environment or a prompt

Credentials, in this order: --profile; AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
AWS_PROFILE or [default] in ~/.aws/credentials; a prompt on a terminal (the Secret Key is not shown).
The Secret Key is never accepted as a command-line value: command lines are visible to others in "ps".`;

export interface S3OptionValues {
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly 'access-key'?: string;
}

export interface OpenedS3 {
  readonly client: S3Client;
  /** The endpoint URL as used, for messages. */
  readonly endpoint: string;
  readonly connection: { endpoint: string; region?: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

function terminalPrompt(io: CliIo): CredentialPrompt | undefined {
  if (!io.stdin.isTTY) return undefined;
  return {
    async ask(question) {
      const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    askHidden: (question) => readHiddenLine(question, io.stdin, io.stderr),
  };
}

/** Resolves endpoint and credentials, and opens a client. */
export async function openS3(command: string, values: S3OptionValues, io: CliIo): Promise<OpenedS3> {
  const endpointText = values.endpoint ?? io.env.AWS_ENDPOINT_URL_S3 ?? io.env.AWS_ENDPOINT_URL;
  if (!endpointText) throw new UsageError('--endpoint is required with --bucket (the S3 Server Address).', command);
  const endpoint = parseEndpoint(endpointText);
  const credentials = await resolveS3Credentials({
    env: io.env,
    profile: values.profile,
    accessKeyId: values['access-key'],
    prompt: terminalPrompt(io),
  });
  const region = values.region ?? endpoint.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const connection = {
    endpoint: endpointText,
    region,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
  };
  const { createS3Client } = await import('../s3/s3-client.ts');
  return { client: createS3Client(connection), endpoint: endpoint.url, connection };
}
