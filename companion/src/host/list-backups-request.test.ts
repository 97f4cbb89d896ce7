/**
 * `backup.list` as the native host answers it: every backup under the backups folder in the
 * popup's words (verified, complete, incomplete, failed verification), in a shape the
 * extension's guard accepts, and nothing from outside the folder.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_FORMAT, BACKUP_VERSION, HEADER_FILE, type BackupHeader } from '../../../shared/backup/backup-manifest.ts';
import { checkResult, parseHostMessage } from '../../../shared/protocol/companion-guards.ts';
import type { HostToExtensionMessage } from '../../../shared/protocol/companion-protocol.ts';
import { BACKUP_ROOT_ENV } from './backup-handlers.ts';
import { createHostHandlers } from './host-handlers.ts';
import { HostLog } from './host-log.ts';
import { FrameReader, encodeFrame } from './native-messaging.ts';
import { serveNativeHost, type RequestContext } from './serve-native-host.ts';

const context: RequestContext<'backup.list'> = {
  signal: new AbortController().signal,
  progress: async () => undefined,
  chunk: async () => undefined,
};

let dir: string;
let root: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cg-backup-list-'));
  root = join(dir, 'backups');
  await mkdir(root);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function backup(at: string, bucket: string, name: string, patch: Partial<BackupHeader>): Promise<string> {
  const folder = join(at, bucket, name);
  await mkdir(folder, { recursive: true });
  const header: BackupHeader = { format: BACKUP_FORMAT, version: BACKUP_VERSION, bucket, target: { kind: 'folder' }, startedAt: '2026-01-01T00:00:00.000Z', status: 'verified', ...patch };
  await writeFile(join(folder, HEADER_FILE), JSON.stringify(header));
  return folder;
}

function handler(): NonNullable<ReturnType<typeof createHostHandlers>['backup.list']> {
  const list = createHostHandlers()['backup.list'];
  if (!list) throw new Error('no backup.list handler');
  return list;
}

describe('backup.list', () => {
  it('answers every backup newest first with its status, bucket, endpoint, objects and bytes, in a shape the extension accepts', async () => {
    const verified = await backup(root, 'usr-1-itm-2-nas', 'a', {
      startedAt: '2026-03-01T10:00:00.000Z',
      finishedAt: '2026-03-01T10:02:00.000Z',
      endpoint: 'http://127.0.0.1:7480',
      objects: 40,
      bytes: 9_000,
      verification: { verifiedAt: '2026-03-01T10:02:00.000Z', objects: 40, failures: 0 },
    });
    const complete = await backup(root, 'usr-1-itm-2-nas', 'b', { startedAt: '2026-03-02T10:00:00.000Z', status: 'complete', objects: 41, bytes: 9_100 });
    const interrupted = await backup(root, 'usr-1-itm-2-nas', 'c', { startedAt: '2026-03-03T10:00:00.000Z', status: 'failed', error: 'The connection to the endpoint was lost.' });
    const mismatched = await backup(root, 'photos', 'd', {
      startedAt: '2026-03-04T10:00:00.000Z',
      status: 'failed',
      verification: { verifiedAt: '2026-03-04T10:05:00.000Z', objects: 3, failures: 2 },
      error: 'Verification failed for 2 objects.',
    });
    const cancelled = await backup(root, 'photos', 'e', { startedAt: '2026-03-05T10:00:00.000Z', status: 'cancelled' });
    const copied = await backup(root, 'photos', 'f', { startedAt: '2026-02-01T10:00:00.000Z', target: { kind: 'bucket', bucket: 'photos-copy', prefix: 'backups/2026/' } });
    await mkdir(join(root, 'photos', 'broken'));
    await writeFile(join(root, 'photos', 'broken', HEADER_FILE), 'not json');

    const answer = await handler()({ root }, context);
    expect(checkResult('backup.list', answer).ok).toBe(true);
    expect(answer.root).toBe(root);
    expect(answer.backups.map((found) => [found.folder, found.status])).toEqual([
      [cancelled, 'incomplete'],
      [mismatched, 'failed-verification'],
      [interrupted, 'incomplete'],
      [complete, 'complete'],
      [verified, 'verified'],
      [copied, 'verified'],
    ]);
    expect(answer.backups[4]).toEqual({
      folder: verified,
      bucket: 'usr-1-itm-2-nas',
      endpoint: 'http://127.0.0.1:7480',
      startedAt: '2026-03-01T10:00:00.000Z',
      finishedAt: '2026-03-01T10:02:00.000Z',
      status: 'verified',
      objects: 40,
      bytes: 9_000,
    });
    expect(answer.backups[2]?.problem).toBe('The connection to the endpoint was lost.');
    expect(answer.backups[5]?.copiedTo).toBe('photos-copy/backups/2026/');
    expect(answer.skipped).toEqual([{ folder: join(root, 'photos', 'broken'), reason: expect.stringMatching(/damaged/) }]);
  });

  it('reads CONNECT_GUARD_BACKUP_ROOT when the request names no folder, and lists nothing a link outside it points to', async () => {
    const outside = join(dir, 'outside');
    await backup(outside, 'nas', 'x', {});
    await symlink(join(outside, 'nas'), join(root, 'nas'));
    const inside = await backup(root, 'photos', 'y', {});
    const previous = process.env[BACKUP_ROOT_ENV];
    process.env[BACKUP_ROOT_ENV] = root;
    try {
      const answer = await handler()({}, context);
      expect(answer.backups.map((found) => found.folder)).toEqual([inside]);
      expect(answer.skipped).toEqual([{ folder: join(root, 'nas'), reason: expect.stringMatching(/symbolic link, which is not followed/) }]);
    } finally {
      if (previous === undefined) delete process.env[BACKUP_ROOT_ENV];
      else process.env[BACKUP_ROOT_ENV] = previous;
    }
  });

  it('refuses a relative folder', async () => {
    await expect(handler()({ root: 'backups' }, context)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/"root" must be an absolute folder path/) });
  });

  it('is served over native messaging: a backup.list frame gets the list as its final reply', async () => {
    const folder = await backup(root, 'nas', '2026-03-01T10-00-00Z', { startedAt: '2026-03-01T10:00:00.000Z', endpoint: 'http://127.0.0.1:7480' });
    const input = new PassThrough();
    const output = new PassThrough();
    const reader = new FrameReader(1024 * 1024);
    const final = new Promise<HostToExtensionMessage>((resolve) => {
      output.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          if (frame.kind !== 'message') throw new Error('a bad frame');
          const parsed = parseHostMessage(frame.value);
          if (parsed.ok && parsed.value.id === 'list-1' && ('ok' in parsed.value || 'error' in parsed.value)) resolve(parsed.value);
        }
      });
    });
    const served = serveNativeHost({ input, output, handlers: createHostHandlers(), log: new HostLog(undefined) });
    input.write(encodeFrame({ id: 'list-1', type: 'backup.list', data: { root }, timeoutMs: 10_000 }));
    const reply = await final;
    input.end();
    await served;
    if (!('ok' in reply)) throw new Error(`no ok reply: ${JSON.stringify(reply)}`);
    const checked = checkResult('backup.list', reply.ok);
    if (!checked.ok) throw new Error(checked.problem);
    expect(checked.value.backups.map((found) => [found.folder, found.status])).toEqual([[folder, 'verified']]);
  });
});
