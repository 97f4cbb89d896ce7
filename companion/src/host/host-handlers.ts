import { readFileSync } from 'node:fs';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { COMPANION_PROTOCOL_VERSION, type PingResult } from '../../../shared/protocol/companion-protocol.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { diagnoseConnection } from '../s3/diagnose-connection.ts';
import type { CompanionHandlers } from './serve-native-host.ts';
import { previewDiff } from './preview-diff.ts';

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

/**
 * The handlers of one host process, i.e. of one browser port: staged uploads live in this
 * closure and vanish with the process.
 */
export function createHostHandlers(): CompanionHandlers {
  const version = readVersion();
  const uploads = new Map<string, InventoryEntry[]>();
  let staged = 0;

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

    'inventory.upload': async ({ uploadId, entries }) => {
      if (staged + entries.length > MAX_STAGED_ENTRIES) {
        throw new ConnectGuardError('INVALID_INPUT', `At most ${MAX_STAGED_ENTRIES} WeSendit entries can be staged at once. Export a manifest file and preview from it instead.`);
      }
      const list = uploads.get(uploadId) ?? [];
      for (const entry of entries) list.push(entry);
      uploads.set(uploadId, list);
      staged += entries.length;
      return { staged: list.length };
    },

    'diff.preview': async (data, context) => {
      let wesendit: readonly InventoryEntry[] | { readonly manifestPath: string };
      if (data.wesendit.kind === 'upload') {
        const list = uploads.get(data.wesendit.uploadId);
        if (!list) throw new ConnectGuardError('NOT_FOUND', `No WeSendit listing was uploaded as "${data.wesendit.uploadId}" on this connection. Upload it (inventory.upload) before the preview, over the same port.`);
        uploads.delete(data.wesendit.uploadId);
        staged -= list.length;
        wesendit = sortUnique(list);
      } else if (data.wesendit.kind === 'inline') {
        wesendit = sortUnique([...data.wesendit.entries]);
      } else {
        wesendit = { manifestPath: data.wesendit.path };
      }
      return previewDiff({ ...data, wesendit }, context);
    },
  };
}

/** Sorts entries into S3 key order; a key listed twice is the sender's mistake, named. */
function sortUnique(entries: InventoryEntry[]): InventoryEntry[] {
  entries.sort((a, b) => compareS3Keys(a.key, b.key));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i - 1]?.key === entries[i]?.key) {
      throw new ConnectGuardError('INVALID_INPUT', `The WeSendit listing names ${JSON.stringify(entries[i]?.key)} twice. Each key may appear once; reload the file browser and try again.`);
    }
  }
  return entries;
}
