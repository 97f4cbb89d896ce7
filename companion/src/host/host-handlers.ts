import { readFileSync } from 'node:fs';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { unpackInventoryLines } from '../../../shared/inventory-lines.ts';
import { COMPANION_PROTOCOL_VERSION, type PingResult } from '../../../shared/protocol/companion-protocol.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { diagnoseConnection } from '../s3/diagnose-connection.ts';
import { applyRestoreRequest, backupRoot, planRestoreRequest, probeBucketRequest, runBackup } from './backup-handlers.ts';
import { listBackupsRequest } from './list-backups-request.ts';
import { toolHandlers } from './tool-handlers.ts';
import { runAuditRequest } from './audit-request.ts';
import type { CompanionHandlers } from './serve-native-host.ts';
import { previewDiff, type PreviewDiffInput } from './preview-diff.ts';

/** Entries one port may stage with `inventory.upload` (≈ 200 bytes each in memory). */
export const MAX_STAGED_ENTRIES = 2_000_000;

function readVersion(): string {
  try {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') return parsed.version;
  } catch {
    // An installed copy without package.json still answers ping.
  }
  return 'unknown';
}

/** A WeSendit listing being staged under one upload id. */
interface Staging {
  readonly entries: InventoryEntry[];
  /** The first batch said `done: false`: a preview waits for the seal. */
  readonly open: boolean;
  sealed: boolean;
  /** Resolves when a batch says `done: true`. */
  readonly whenSealed: Promise<void>;
  readonly seal: () => void;
}

function newStaging(open: boolean): Staging {
  let seal: () => void = () => undefined;
  const whenSealed = new Promise<void>((resolve) => {
    seal = resolve;
  });
  const staging: Staging = {
    entries: [],
    open,
    sealed: false,
    whenSealed,
    seal: () => {
      staging.sealed = true;
      seal();
    },
  };
  return staging;
}

/** Resolves with `promise`, or rejects with the signal's reason once it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The handlers of one host process, i.e. of one browser port: staged uploads live in this
 * closure and vanish with the process.
 */
export function createHostHandlers(): CompanionHandlers {
  const version = readVersion();
  const uploads = new Map<string, Staging>();
  let staged = 0;

  /** Forgets a consumed upload and hands out its entries in S3 order. */
  const consume = (uploadId: string, staging: Staging): InventoryEntry[] => {
    if (uploads.get(uploadId) === staging) uploads.delete(uploadId);
    staged -= staging.entries.length;
    return sortUnique(staging.entries);
  };

  /** The listing staged as `uploadId`, once its last batch arrived (the sync review reads it whole). */
  const takeUpload = async (uploadId: string, signal: AbortSignal): Promise<InventoryEntry[]> => {
    const staging = uploads.get(uploadId);
    if (!staging) throw new ConnectGuardError('NOT_FOUND', `No WeSendit listing was uploaded as "${uploadId}" on this connection. Upload it (inventory.upload) before the review, over the same port.`);
    if (staging.open && !staging.sealed) await untilAborted(staging.whenSealed, signal);
    return consume(uploadId, staging);
  };

  return {
    ping: async (): Promise<PingResult> => ({ version, protocolVersion: COMPANION_PROTOCOL_VERSION, pid: process.pid }),

    doctor: async ({ connection, allowedIps }) =>
      diagnoseConnection({
        connection: {
          endpoint: connection.endpoint,
          accessKeyId: connection.accessKeyId,
          secretAccessKey: connection.secretAccessKey,
          ...(connection.region ? { region: connection.region } : {}),
          ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
        },
        bucket: connection.bucket,
        ...(allowedIps === undefined ? {} : { allowedIps }),
      }),

    'inventory.upload': async ({ uploadId, entries: objects, lines, done }) => {
      const entries = lines === undefined ? (objects ?? []) : unpackInventoryLines(lines);
      if (staged + entries.length > MAX_STAGED_ENTRIES) {
        throw new ConnectGuardError('INVALID_INPUT', `At most ${MAX_STAGED_ENTRIES} WeSendit entries can be staged at once. Export a manifest file and preview from it instead.`);
      }
      let staging = uploads.get(uploadId);
      if (staging?.sealed) {
        throw new ConnectGuardError('INVALID_INPUT', `The WeSendit listing "${uploadId}" was already completed (done: true). Start a new upload id for another listing.`);
      }
      if (!staging) {
        staging = newStaging(done === false);
        uploads.set(uploadId, staging);
      }
      for (const entry of entries) staging.entries.push(entry);
      staged += entries.length;
      if (done === true) staging.seal();
      return { staged: staging.entries.length };
    },

    'diff.preview': async (data, context) => {
      let wesendit: PreviewDiffInput['wesendit'];
      const source = data.wesendit;
      if (source.kind === 'upload') {
        const staging = uploads.get(source.uploadId);
        if (!staging) throw new ConnectGuardError('NOT_FOUND', `No WeSendit listing was uploaded as "${source.uploadId}" on this connection. Upload it (inventory.upload) before the preview, over the same port.`);
        if (staging.open && !staging.sealed) {
          // The bucket is listed while the browser still reads WeSendit's file browser.
          wesendit = { pending: untilAborted(staging.whenSealed, context.signal).then(() => consume(source.uploadId, staging)) };
        } else {
          wesendit = consume(source.uploadId, staging);
        }
      } else if (source.kind === 'inline') {
        wesendit = sortUnique([...source.entries]);
      } else if (source.kind === 'manifest') {
        wesendit = { manifestPath: source.path };
      } else {
        wesendit = { folderPath: source.path };
      }
      return previewDiff({ ...data, wesendit }, context, { planRoot: backupRoot(undefined) });
    },

    'bucket.probe': probeBucketRequest,
    'backup.run': runBackup,
    'restore.plan': planRestoreRequest,
    'restore.apply': applyRestoreRequest,
    'backup.list': listBackupsRequest,
    ...toolHandlers,
    'audit.run': (data, context) => runAuditRequest(data, context, takeUpload),
  };
}
const BEYOND_PLAIN_ORDER = /[\uD800-\uFFFF]/;

/** Sorts entries into S3 key order; a key listed twice is the sender's mistake, named. */
function sortUnique(entries: InventoryEntry[]): InventoryEntry[] {
  // Without characters at or above U+D800, JavaScript's own string order is S3's, and native.
  if (entries.every((entry) => !BEYOND_PLAIN_ORDER.test(entry.key))) entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  else entries.sort((a, b) => compareS3Keys(a.key, b.key));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i - 1]?.key === entries[i]?.key) {
      throw new ConnectGuardError('INVALID_INPUT', `The WeSendit listing names ${JSON.stringify(entries[i]?.key)} twice. Each key may appear once; reload the file browser and try again.`);
    }
  }
  return entries;
}
