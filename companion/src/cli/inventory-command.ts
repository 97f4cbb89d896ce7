import { formatBytes } from '../../../shared/diff/format-bytes.ts';
import { describeMultipartUploads } from '../../../shared/diff/format-diff-report.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { SnapshotWriter } from '../inventory/snapshot-file.ts';
import { parseCommandArgs, type CliIo } from './cli-io.ts';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts';
import { openBucket, openFolder, openManifest, requireOne, type OpenedSource } from './open-inventory-sources.ts';
import { ProgressReporter } from './progress-reporter.ts';
import { S3_OPTIONS, S3_OPTIONS_HELP } from './s3-options.ts';

export const INVENTORY_HELP = `Usage: connect-guard inventory (--bucket NAME --endpoint URL | --folder DIR | --manifest FILE) [options]

Lists every object of a bucket (or the files of a folder, or the entries of a manifest) in S3
key order, with progress, and optionally streams the list to a snapshot file that
"connect-guard diff --snapshot" can compare later. Also reports in-progress multipart uploads.

Source (exactly one):
  --bucket NAME       an S3 bucket (needs --endpoint and credentials, see below)
  --folder DIR        a local folder: MD5 and multipart ETags of every file
  --manifest FILE     a CSV (path,size,modified[,md5]) or NDJSON file list, validated and sorted

Options:
  --out FILE          write the snapshot (NDJSON: header line, one object per line, end line) to FILE
  --prefix TEXT       only keys starting with TEXT (bucket)
  --concurrency N     requests (bucket, default 16) or files hashed (folder, default 4) at once
  --part-sizes LIST   part sizes in MiB to compute multipart ETags for (folder; default 5,8,15,16,64; "none")
  --json              progress and result as NDJSON ({"type":"progress",…} on stderr, {"type":"result",…} on stdout)
  -h, --help          this help

${S3_OPTIONS_HELP}

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  ...S3_OPTIONS,
  bucket: { type: 'string' },
  folder: { type: 'string' },
  manifest: { type: 'string' },
  out: { type: 'string' },
  prefix: { type: 'string' },
  concurrency: { type: 'string' },
  'part-sizes': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function isBatch(value: InventoryEntry | readonly InventoryEntry[]): value is readonly InventoryEntry[] {
  return Array.isArray(value);
}

export async function runInventory(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('inventory', args, OPTIONS);
  if (values.help) {
    io.stdout.write(INVENTORY_HELP);
    return EXIT.ok;
  }
  const json = values.json === true;
  const progress = ProgressReporter.for(io.stderr, json, 'Listing');
  const [kind, value] = requireOne('inventory', { bucket: values.bucket, folder: values.folder, manifest: values.manifest }, 'What to list');
  let source: OpenedSource;
  if (kind === 'bucket') source = await openBucket('inventory', values, io, (event) => progress.update(event));
  else if (kind === 'folder') source = openFolder('inventory', value, values, io, (event) => progress.update(event));
  else source = openManifest(value);

  const started = Date.now();
  const writer = values.out ? await SnapshotWriter.open(values.out, { source: source.description, endpoint: source.endpoint }) : undefined;
  let objects = 0;
  let bytes = 0;
  try {
    for await (const item of source.entries) {
      const batch = isBatch(item) ? item : [item];
      for (const entry of batch) {
        objects++;
        bytes += entry.size;
      }
      if (writer) await writer.write(batch);
    }
    if (writer) await writer.close();
  } catch (error) {
    progress.done();
    if (writer) await writer.abort();
    throw error;
  }
  const elapsedMs = Date.now() - started;
  progress.done();
  const uploads = source.multipartUploads ? await source.multipartUploads : undefined;

  if (json) {
    io.stdout.write(
      JSON.stringify({ type: 'result', source: source.description, objects, bytes, elapsedMs, snapshot: values.out, multipartUploads: uploads }) + '\n',
    );
  } else {
    const rate = elapsedMs > 0 ? Math.round((objects * 1000) / elapsedMs) : objects;
    io.stdout.write(
      `Listed ${objects.toLocaleString('en-US')} object${objects === 1 ? '' : 's'} (${formatBytes(bytes)}) from ${source.description} in ${(elapsedMs / 1000).toFixed(1)} s (${rate.toLocaleString('en-US')} objects/s).\n`,
    );
    if (uploads) io.stdout.write(describeMultipartUploads(uploads) + '\n');
    if (values.out) io.stdout.write(`Snapshot written to ${values.out}; compare it later with: connect-guard diff --snapshot ${values.out} --manifest FILE\n`);
  }
  return EXIT.ok;
}
