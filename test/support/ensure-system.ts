/**
 * Makes sure the system parts the tests and the demo need are installed: Debian's Chromium, the
 * Debian's Firefox ESR, the Ceph packages that run a throwaway S3 gateway, and KeePassXC, whose keepassxc-cli opens the
 * KeePass hand-off file. As root it installs what is missing with
 * apt-get; otherwise it prints the exact command to run and exits non-zero.
 *
 * Usage: tsx test/support/ensure-system.ts [chromium] [firefox] [ceph] [keepassxc] [tools] [peers]
 */
import { execFileSync, spawnSync, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';

interface Part {
  readonly name: string;
  /** Files whose presence proves the part is installed. */
  readonly probes: readonly string[];
  readonly packages: readonly string[];
}

const parts: Record<string, Part> = {
  chromium: { name: 'Chromium', probes: ['/usr/bin/chromium'], packages: ['chromium'] },
  firefox: { name: 'Firefox ESR', probes: ['/usr/bin/firefox-esr'], packages: ['firefox-esr'] },
  ceph: {
    name: 'Ceph RADOS Gateway',
    probes: ['/usr/bin/radosgw', '/usr/bin/ceph-mon', '/usr/bin/ceph-osd', '/usr/bin/ceph', '/usr/bin/monmaptool', '/usr/bin/uuidgen', '/usr/bin/curl'],
    packages: ['radosgw', 'ceph-mon', 'ceph-osd', 'ceph-common', 'uuid-runtime', 'curl'],
  },
  // keepassxc-cli opens the KeePass hand-off in test/handoff/ (the unit project).
  keepassxc: { name: 'KeePassXC (keepassxc-cli)', probes: ['/usr/bin/keepassxc-cli'], packages: ['keepassxc'] },
  // The external-tool hand-off (test/s3/tool-*.test.ts) runs the real rclone and AWS CLI.
  tools: { name: 'rclone and the AWS CLI', probes: ['/usr/bin/rclone', '/usr/bin/aws'], packages: ['rclone', 'awscli'] },
  peers: { name: 'benchmark peers (rclone, awscli, s3cmd)', probes: ['/usr/bin/rclone', '/usr/bin/aws', '/usr/bin/s3cmd'], packages: ['rclone', 'awscli', 's3cmd'] },
};

export function missingPackages(names: readonly string[]): string[] {
  const missing: string[] = [];
  for (const name of names) {
    const part = parts[name];
    if (!part) throw new Error(`Unknown system part "${name}". Known: ${Object.keys(parts).join(', ')}.`);
    if (part.probes.some((probe) => !existsSync(probe))) missing.push(...part.packages);
  }
  return [...new Set(missing)];
}

export interface EnsureSystemOptions {
  /** Append apt-get's output to this file instead of the console (the demo keeps its console short). */
  readonly log?: string;
}

export function ensureSystem(names: readonly string[], options: EnsureSystemOptions = {}): void {
  const missing = missingPackages(names);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    throw new Error(
      `Missing system packages: ${missing.join(', ')}.\n` +
        (hasApt
          ? `Install them as root (Debian/Ubuntu):\n  sudo ${command}`
          : `Install the equivalents of these Debian packages with your system's package manager.`),
    );
  }
  console.log(`Installing ${missing.join(', ')} from Debian…${options.log ? ` (apt-get's output: ${options.log})` : ''}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const output = options.log === undefined ? 'inherit' : openSync(options.log, 'a');
  const stdio: StdioOptions = output === 'inherit' ? 'inherit' : ['ignore', output, output];
  execFileSync('apt-get', ['update', '-q'], { stdio, env });
  const result = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio, env });
  if (typeof output === 'number') closeSync(output);
  if (result.status !== 0) throw new Error(`apt-get install failed (exit ${result.status}). Run it by hand:\n  ${command}`);
  const still = missingPackages(names);
  if (still.length > 0) throw new Error(`Still missing after install: ${still.join(', ')}.`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureSystem(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
