/**
 * Runs a benchmarked tool as its own process under GNU time, so wall time, CPU and peak RSS are
 * measured the same way for ours and every peer.
 */
import { spawn } from 'node:child_process';

export interface TimedOptions {
  readonly env: NodeJS.ProcessEnv;
  /** The process is killed (SIGKILL) after this long. */
  readonly timeoutMs: number;
  /** Receives stdout as it arrives; without it stdout is discarded. */
  readonly onStdout?: (chunk: Buffer) => void;
  /** Receives stderr as it arrives (GNU time's own line included at the end). */
  readonly onStderr?: (text: string) => void;
}

export interface TimedRun {
  readonly code: number | null;
  /** NaN when GNU time printed nothing (the tool was killed). */
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** Set when the tool failed: its exit code and last lines of stderr. */
  readonly error?: string;
}

const FORMAT = 'CGTIME %e %U %S %M';
const LINE = /CGTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/;

export function runUnderGnuTime(command: string, args: readonly string[], options: TimedOptions): Promise<TimedRun> {
  return new Promise((resolve) => {
    const { onStdout, onStderr } = options;
    const child = spawn('/usr/bin/time', ['-f', FORMAT, command, ...args], { env: options.env, stdio: ['ignore', onStdout ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    if (onStdout) child.stdout?.on('data', onStdout);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      onStderr?.(text);
      stderr = (stderr + text).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const [seconds, user, system, rssKb] = LINE.exec(stderr)?.slice(1).map(Number) ?? [];
      resolve({
        code,
        seconds: seconds ?? Number.NaN,
        cpuSeconds: (user ?? Number.NaN) + (system ?? Number.NaN),
        peakRssMb: (rssKb ?? Number.NaN) / 1024,
        ...(code === 0 ? {} : { error: `exit ${code}: ${stderr.replace(/CGTIME.*/, '').trim().split('\n').slice(-3).join(' | ')}` }),
      });
    });
  });
}
