import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'companion', 'bin', 'connect-guard.js');

/** What a `connect-guard` run left: its exit code and everything it printed. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `connect-guard ARGS` as a user would: a child process with the test gateway's keys in the
 * environment only (no shared credentials file), `home` as HOME, and `env` on top.
 */
export function runCli(args: readonly string[], home: string, env: Record<string, string> = {}): Promise<CliResult> {
  const server = inject('s3');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: repo,
        env: { PATH: process.env.PATH ?? '', HOME: home, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout, stderr }),
    );
  });
}
