import { describe, expect, it } from 'vitest';
import { CompanionReplyCollector } from './companion-reply-collector.ts';
import { MAX_TIMEOUT_MS } from './companion-protocol.ts';
import { checkChunk, checkProgress, checkResult, parseExtensionMessage, parseHostMessage } from './companion-guards.ts';

const connection = { endpoint: 'http://127.0.0.1:7480', bucket: 'usr-48291-itm-00384-nas', accessKeyId: 'AKIAFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-tests' };
const toolStorage = { storageName: 'NAS', permissions: 'Read & Write', allowedIps: '', serverAddress: 'https://s3.example', bucketName: 'usr-1-itm-2-nas', accessKey: 'AKFAKE', secretKey: 'fake-tool-secret-never-echoed' };
const preview = { connection, wesendit: { kind: 'inline', entries: [{ key: 'a.txt', size: 3 }] } };

describe('parseExtensionMessage', () => {
  const accepted: [string, unknown][] = [
    ['ping', { id: '1', type: 'ping', data: {}, timeoutMs: 1000 }],
    ['cancel', { id: '1', type: 'cancel' }],
    ['inline preview', { id: 'p', type: 'diff.preview', data: preview, timeoutMs: MAX_TIMEOUT_MS }],
    ['upload preview with region and prefix', { id: 'p', type: 'diff.preview', data: { connection: { ...connection, region: 'eu-central-1' }, prefix: 'photos/', wesendit: { kind: 'upload', uploadId: 'u1' }, includeRows: false }, timeoutMs: 5 }],
    ['doctor', { id: 'd', type: 'doctor', data: { connection, allowedIps: '203.0.113.7' }, timeoutMs: 5 }],
    ['manifest preview', { id: 'p', type: 'diff.preview', data: { connection, wesendit: { kind: 'manifest', path: '/tmp/wesendit.csv' } }, timeoutMs: 5 }],
    ['bucket probe', { id: 'b', type: 'bucket.probe', data: { connection }, timeoutMs: 5 }],
    ['backup run', { id: 'b', type: 'backup.run', data: { connection, root: '/tmp/backups' }, timeoutMs: 5 }],
    ['backup run to a folder', { id: 'b', type: 'backup.run', data: { connection, folder: '/tmp/backups/b/2026' }, timeoutMs: 5 }],
    ['restore plan', { id: 'r', type: 'restore.plan', data: { connection }, timeoutMs: 5 }],
    ['restore apply with force', { id: 'r', type: 'restore.apply', data: { connection, folder: '/tmp/b', root: '/tmp', force: true }, timeoutMs: 5 }],
    ['upload', { id: 'u', type: 'inventory.upload', data: { uploadId: 'u1', entries: [{ key: 'x', size: 0, etag: 'abc', multipartEtags: { 8388608: 'abc-2' } }] }, timeoutMs: 5 }],
    ['upload of packed lines', { id: 'u', type: 'inventory.upload', data: { uploadId: 'u1', lines: '3\t\t\ta.txt', done: false }, timeoutMs: 5 }],
    ['backup list', { id: 'l', type: 'backup.list', data: {}, timeoutMs: 5 }],
    ['backup list of a named folder', { id: 'l', type: 'backup.list', data: { root: '/tmp/backups' }, timeoutMs: 5 }],
    ['tools list', { id: 't', type: 'tools.list', data: {}, timeoutMs: 5 }],
    ['tools list of a storage with old keys', { id: 't', type: 'tools.list', data: { storage: { serverAddress: 'e', bucketName: 'b', accessKey: 'NEW' }, oldAccessKeys: ['OLD'] }, timeoutMs: 5 }],
    ['tools setup', { id: 't', type: 'tools.setup', data: { tool: 'rclone', storage: toolStorage, toolPassphrase: 'p', name: 'n', replace: true }, timeoutMs: 5 }],
    ['tools update', { id: 't', type: 'tools.update', data: { storage: toolStorage, oldAccessKeys: ['OLD'], toolPassphrase: 'p' }, timeoutMs: 5 }],
  ];
  it.each(accepted)('accepts %s', (_name, message) => {
    const parsed = parseExtensionMessage(message);
    expect(parsed.ok).toBe(true);
  });

  const refused: [string, unknown, string | null, RegExp][] = [
    ['not an object', 'ping', null, /JSON object/],
    ['an array', [], null, /JSON object/],
    ['missing id', { type: 'ping', data: {}, timeoutMs: 1 }, null, /needs an "id"/],
    ['empty id', { id: '', type: 'ping', data: {}, timeoutMs: 1 }, null, /needs an "id"/],
    ['numeric id', { id: 7, type: 'ping', data: {}, timeoutMs: 1 }, null, /needs an "id"/],
    ['unknown type', { id: '1', type: 'format-disk', data: {}, timeoutMs: 1 }, '1', /Unknown request type "format-disk"/],
    ['missing type', { id: '1', data: {}, timeoutMs: 1 }, '1', /Unknown request type/],
    ['missing timeout', { id: '1', type: 'ping', data: {} }, '1', /timeoutMs/],
    ['zero timeout', { id: '1', type: 'ping', data: {}, timeoutMs: 0 }, '1', /timeoutMs/],
    ['huge timeout', { id: '1', type: 'ping', data: {}, timeoutMs: MAX_TIMEOUT_MS + 1 }, '1', /timeoutMs/],
    ['fractional timeout', { id: '1', type: 'ping', data: {}, timeoutMs: 1.5 }, '1', /timeoutMs/],
    ['ping without data', { id: '1', type: 'ping', timeoutMs: 1 }, '1', /data must be an object/],
    ['preview without secret', { id: '1', type: 'diff.preview', data: { ...preview, connection: { ...connection, secretAccessKey: '' } }, timeoutMs: 1 }, '1', /data\.connection\.secretAccessKey/],
    ['preview without connection', { id: '1', type: 'diff.preview', data: { wesendit: preview.wesendit }, timeoutMs: 1 }, '1', /data\.connection must be an object/],
    ['preview with unknown source', { id: '1', type: 'diff.preview', data: { connection, wesendit: { kind: 'ftp' } }, timeoutMs: 1 }, '1', /kind must be/],
    ['preview with negative size', { id: '1', type: 'diff.preview', data: { connection, wesendit: { kind: 'inline', entries: [{ key: 'a', size: -1 }] } }, timeoutMs: 1 }, '1', /entries\[0\]\.size/],
    ['preview with empty key', { id: '1', type: 'diff.preview', data: { connection, wesendit: { kind: 'inline', entries: [{ key: '', size: 1 }] } }, timeoutMs: 1 }, '1', /entries\[0\]\.key/],
    ['preview with non-boolean includeRows', { id: '1', type: 'diff.preview', data: { ...preview, includeRows: 'yes' }, timeoutMs: 1 }, '1', /includeRows/],
    ['doctor without access key', { id: '1', type: 'doctor', data: { connection: { ...connection, accessKeyId: undefined } }, timeoutMs: 1 }, '1', /data\.connection\.accessKeyId/],
    ['probe without connection', { id: '1', type: 'bucket.probe', data: {}, timeoutMs: 1 }, '1', /data\.connection must be an object/],
    ['backup with a numeric root', { id: '1', type: 'backup.run', data: { connection, root: 7 }, timeoutMs: 1 }, '1', /data\.root/],
    ['restore with a string force', { id: '1', type: 'restore.apply', data: { connection, force: 'yes' }, timeoutMs: 1 }, '1', /data\.force/],
    ['restore plan without secret', { id: '1', type: 'restore.plan', data: { connection: { ...connection, secretAccessKey: '' } }, timeoutMs: 1 }, '1', /data\.connection\.secretAccessKey/],
    ['upload without entries', { id: '1', type: 'inventory.upload', data: { uploadId: 'u' }, timeoutMs: 1 }, '1', /data\.entries/],
    ['upload with entries and lines', { id: '1', type: 'inventory.upload', data: { uploadId: 'u', entries: [], lines: '' }, timeoutMs: 1 }, '1', /both/],
    ['backup list without data', { id: '1', type: 'backup.list', timeoutMs: 1 }, '1', /data must be an object/],
    ['backup list with a numeric root', { id: '1', type: 'backup.list', data: { root: 7 }, timeoutMs: 1 }, '1', /data\.root/],
    ['tools setup of mc', { id: '1', type: 'tools.setup', data: { tool: 'mc', storage: toolStorage, toolPassphrase: 'p' }, timeoutMs: 1 }, '1', /data\.tool must be one of rclone, aws/],
    ['tools setup without secret', { id: '1', type: 'tools.setup', data: { tool: 'aws', storage: { ...toolStorage, secretKey: '' }, toolPassphrase: 'p' }, timeoutMs: 1 }, '1', /data\.storage\.secretKey must not be empty/],
    ['tools setup without bucket', { id: '1', type: 'tools.setup', data: { tool: 'aws', storage: { ...toolStorage, bucketName: undefined }, toolPassphrase: 'p' }, timeoutMs: 1 }, '1', /data\.storage\.bucketName/],
    ['tools setup without passphrase', { id: '1', type: 'tools.setup', data: { tool: 'aws', storage: toolStorage }, timeoutMs: 1 }, '1', /data\.toolPassphrase/],
    ['tools setup with a string replace', { id: '1', type: 'tools.setup', data: { tool: 'aws', storage: toolStorage, toolPassphrase: 'p', replace: 'yes' }, timeoutMs: 1 }, '1', /data\.replace/],
    ['tools update without old keys', { id: '1', type: 'tools.update', data: { storage: toolStorage, toolPassphrase: 'p' }, timeoutMs: 1 }, '1', /data\.oldAccessKeys/],
    ['tools update with a numeric old key', { id: '1', type: 'tools.update', data: { storage: toolStorage, oldAccessKeys: [7], toolPassphrase: 'p' }, timeoutMs: 1 }, '1', /data\.oldAccessKeys/],
    ['tools list with a secret-less storage that is not an object', { id: '1', type: 'tools.list', data: { storage: 'x' }, timeoutMs: 1 }, '1', /data\.storage must be an object/],
    ['upload with lines that are not a string', { id: '1', type: 'inventory.upload', data: { uploadId: 'u', lines: ['1\t\t\ta'] }, timeoutMs: 1 }, '1', /data\.lines/],
  ];
  it.each(refused)('refuses %s with a PROTOCOL_ERROR naming the problem', (_name, message, id, problem) => {
    const parsed = parseExtensionMessage(message);
    if (parsed.ok) throw new Error('accepted');
    expect(parsed.id).toBe(id);
    expect(parsed.error.code).toBe('PROTOCOL_ERROR');
    expect(parsed.error.message).toMatch(problem);
  });

  it('never echoes a tool request\'s secret or passphrase in its problem', () => {
    for (const data of [
      { tool: 'rclone', storage: { ...toolStorage, bucketName: 42 }, toolPassphrase: 'passphrase-that-must-not-echo' },
      { tool: 'rclone', storage: toolStorage, toolPassphrase: 'passphrase-that-must-not-echo', name: 9 },
    ]) {
      const parsed = parseExtensionMessage({ id: '1', type: 'tools.setup', data, timeoutMs: 1 });
      expect(parsed.ok).toBe(false);
      expect(JSON.stringify(parsed)).not.toContain(toolStorage.secretKey);
      expect(JSON.stringify(parsed)).not.toContain('passphrase-that-must-not-echo');
    }
  });

  it('never echoes a credential value in its problem', () => {
    const secret = 'fake-secret-that-must-not-echo';
    const parsed = parseExtensionMessage({ id: '1', type: 'diff.preview', data: { connection: { ...connection, secretAccessKey: secret, bucket: 42 } }, timeoutMs: 1 });
    expect(JSON.stringify(parsed)).not.toContain(secret);
  });
});

describe('parseHostMessage', () => {
  const valid: [string, unknown][] = [
    ['progress', { id: '1', event: 'progress', data: { phase: 'listing', objects: 1, bytes: 2, rate: 3, elapsedMs: 4 } }],
    ['chunk', { id: '1', event: 'chunk', seq: 0, data: [] }],
    ['ok', { id: '1', ok: { version: '0.1.0', protocolVersion: 1, pid: 9 }, chunks: 0 }],
    ['ok with null value', { id: '1', ok: null, chunks: 0 }],
    ['error', { id: '1', error: { code: 'TIMEOUT', message: 'late' } }],
    ['error without id', { id: null, error: { code: 'PROTOCOL_ERROR', message: 'bad frame' } }],
  ];
  it.each(valid)('accepts %s', (_name, message) => expect(parseHostMessage(message).ok).toBe(true));

  const invalid: [string, unknown][] = [
    ['null', null],
    ['no id', { ok: 1, chunks: 0 }],
    ['ok without chunks', { id: '1', ok: 1 }],
    ['unknown error code', { id: '1', error: { code: 'OOPS', message: 'x' } }],
    ['error without message', { id: '1', error: { code: 'TIMEOUT' } }],
    ['chunk with negative seq', { id: '1', event: 'chunk', seq: -1, data: [] }],
    ['chunk with object data', { id: '1', event: 'chunk', seq: 0, data: {} }],
    ['progress without data', { id: '1', event: 'progress' }],
    ['unknown event', { id: '1', event: 'party' }],
  ];
  it.each(invalid)('refuses %s', (_name, message) => expect(parseHostMessage(message).ok).toBe(false));
});

describe('payload checks by request type', () => {
  const row = { key: 'a', class: 'conflict', reason: 'sizes differ', bucket: { key: 'a', size: 1 }, wesendit: { key: 'a', size: 2 }, outcome: { newerWins: { winner: 'bucket', reason: 'r', loss: 'l', bytesAtRisk: 2 }, wesenditWins: { winner: 'wesendit', reason: 'r', loss: 'l', bytesAtRisk: 1 } } };
  const classTotals = { objects: 0, bucketBytes: 0, wesenditBytes: 0 };
  const risk = { objects: 0, bytes: 0, undecided: 0 };
  const totals = {
    classes: { 'only-in-bucket': classTotals, 'only-in-wesendit': classTotals, same: classTotals, conflict: classTotals, unknown: classTotals },
    objects: 0,
    atRisk: { newerWins: risk, wesenditWins: risk, unknownNewerWins: risk, unknownWesenditWins: risk },
    lookalikes: 0,
    examples: { conflict: [row], unknown: [], lookalike: [] },
  };
  const summary = { totals, rows: 1, bucketObjects: 1, wesenditObjects: 1, elapsedMs: 5 };
  const listedBackup = { folder: '/b/nas/2026', bucket: 'nas', endpoint: 'http://127.0.0.1:7480', startedAt: '2026-01-01T00:00:00Z', status: 'verified', objects: 3, bytes: 9 };
  const backupList = { root: '/b', backups: [listedBackup, { folder: '/b/nas/2025', bucket: 'nas', startedAt: '2025-01-01T00:00:00Z', status: 'incomplete', problem: 'cut off' }], omitted: 0, skipped: [{ folder: '/b/x', reason: 'damaged' }], skippedMore: 0 };

  it.each([
    ['ping result', () => checkResult('ping', { version: '1', protocolVersion: 1, pid: 1 }), true],
    ['ping result without pid', () => checkResult('ping', { version: '1', protocolVersion: 1 }), false],
    ['doctor report', () => checkResult('doctor', { ok: false, checks: [{ name: 'secret key', status: 'fail', code: 'WRONG_SECRET_KEY', message: 'The Secret Key is wrong.' }, { name: 'bucket', status: 'skip', message: 'not checked' }] }), true],
    ['doctor report with an unknown code', () => checkResult('doctor', { ok: false, checks: [{ name: 'x', status: 'fail', code: 'NOPE', message: 'm' }] }), false],
    ['doctor report with an unknown status', () => checkResult('doctor', { ok: true, checks: [{ name: 'x', status: 'fine', message: 'm' }] }), false],
    ['upload result', () => checkResult('inventory.upload', { staged: 3 }), true],
    ['preview summary', () => checkResult('diff.preview', summary), true],
    ['preview summary missing a class', () => checkResult('diff.preview', { ...summary, totals: { ...totals, classes: { same: classTotals } } }), false],
    ['preview rows', () => checkChunk('diff.preview', [row, { key: 'b', class: 'only-in-bucket', reason: 'r', bucket: { key: 'b', size: 1 } }]), true],
    ['preview row with unknown class', () => checkChunk('diff.preview', [{ ...row, class: 'maybe' }]), false],
    ['preview row with a bad outcome', () => checkChunk('diff.preview', [{ ...row, outcome: { newerWins: {} } }]), false],
    ['preview progress', () => checkProgress('diff.preview', { phase: 'diffing', objects: 1, bytes: 1, rate: 0.5, elapsedMs: 1 }), true],
    ['preview rows progress with the totals', () => checkProgress('diff.preview', { phase: 'rows', objects: 1, bytes: 1, rate: 1, elapsedMs: 1, totals, rows: 1, bucketObjects: 1, wesenditObjects: 1 }), true],
    ['preview rows progress without totals', () => checkProgress('diff.preview', { phase: 'rows', objects: 1, bytes: 1, rate: 1, elapsedMs: 1, rows: 1, bucketObjects: 1, wesenditObjects: 1 }), false],
    ['preview rows progress with broken totals', () => checkProgress('diff.preview', { phase: 'rows', objects: 1, bytes: 1, rate: 1, elapsedMs: 1, totals: { ...totals, classes: { same: classTotals } }, rows: 1, bucketObjects: 1, wesenditObjects: 1 }), false],
    ['preview rows progress without a row count', () => checkProgress('diff.preview', { phase: 'rows', objects: 1, bytes: 1, rate: 1, elapsedMs: 1, totals, bucketObjects: 1, wesenditObjects: 1 }), false],
    ['preview progress with unknown phase', () => checkProgress('diff.preview', { phase: 'x', objects: 1, bytes: 1, rate: 0, elapsedMs: 1 }), false],
    ['probe result', () => checkResult('bucket.probe', { objects: 0, hasMore: false, multipartUploads: { supported: true, count: 0, keys: [] } }), true],
    ['probe result without uploads', () => checkResult('bucket.probe', { objects: 3, hasMore: false }), false],
    ['backup result', () => checkResult('backup.run', { folder: '/b', objects: 2, bytes: 9, transferred: 1, linked: 1, resumed: 0, verified: true, elapsedMs: 3, multipartUploads: { supported: false, count: 0, keys: [] } }), true],
    ['backup result without linked', () => checkResult('backup.run', { folder: '/b', objects: 2, bytes: 9, transferred: 1, resumed: 0, verified: true, elapsedMs: 3, multipartUploads: { supported: false, count: 0, keys: [] } }), false],
    ['backup progress', () => checkProgress('backup.run', { phase: 'copying', objects: 1, totalObjects: 4, bytes: 5, totalBytes: 20, rate: 1, bytesPerSecond: 5, etaMs: 3000, elapsedMs: 1000 }), true],
    ['backup progress with unknown phase', () => checkProgress('backup.run', { phase: 'diffing', objects: 1, bytes: 5, rate: 1, bytesPerSecond: 5, elapsedMs: 1 }), false],
    ['backup chunk', () => checkChunk('backup.run', []), false],
    ['restore rows', () => checkChunk('restore.plan', [{ key: 'a', change: 'deleted', size: 1 }, { key: 'b', change: 'changed', size: 0 }]), true],
    ['restore row with unknown change', () => checkChunk('restore.plan', [{ key: 'a', change: 'added', size: 1 }]), false],
    ['restore plan summary', () => checkResult('restore.plan', { folder: '/b', bucket: 'x', deleted: 1, changed: 1, bytes: 3, kept: 1 }), true],
    ['restore plan summary without kept', () => checkResult('restore.plan', { folder: '/b', bucket: 'x', deleted: 1, changed: 1, bytes: 3 }), false],
    ['restore apply result', () => checkResult('restore.apply', { folder: '/b', restored: 1, overwritten: 0, kept: 1, bytes: 3, verified: true, elapsedMs: 9 }), true],
    ['restore apply progress', () => checkProgress('restore.apply', { phase: 'restoring', objects: 0, bytes: 0, rate: 0, bytesPerSecond: 0, elapsedMs: 0 }), true],
    ['backup list', () => checkResult('backup.list', backupList), true],
    ['empty backup list', () => checkResult('backup.list', { root: '/b', backups: [], omitted: 0, skipped: [], skippedMore: 0 }), true],
    ['backup list without skipped', () => checkResult('backup.list', { root: '/b', backups: [], omitted: 0, skippedMore: 0 }), false],
    ['backup list with an unknown status', () => checkResult('backup.list', { ...backupList, backups: [{ ...listedBackup, status: 'fine' }] }), false],
    ['backup list with a backup without folder', () => checkResult('backup.list', { ...backupList, backups: [{ ...listedBackup, folder: '' }] }), false],
    ['backup list with fractional bytes', () => checkResult('backup.list', { ...backupList, backups: [{ ...listedBackup, bytes: 1.5 }] }), false],
    ['backup list with a numeric endpoint', () => checkResult('backup.list', { ...backupList, backups: [{ ...listedBackup, endpoint: 7480 }] }), false],
    ['backup list with a skipped note without reason', () => checkResult('backup.list', { ...backupList, skipped: [{ folder: '/b/x' }] }), false],
    ['backup list chunk', () => checkChunk('backup.list', []), false],
    ['chunks for ping', () => checkChunk('ping', []), false],
    ['progress for ping', () => checkProgress('ping', {}), false],
  ])('%s', (_name, check, ok) => {
    expect(check().ok).toBe(ok);
  });
});

describe('CompanionReplyCollector', () => {
  const row = (key: string) => ({ key, class: 'only-in-bucket', reason: 'r', bucket: { key, size: 1 } });
  const none = { objects: 0, bucketBytes: 0, wesenditBytes: 0 };
  const risk = { objects: 0, bytes: 0, undecided: 0 };
  const summary = {
    totals: {
      classes: { 'only-in-bucket': none, 'only-in-wesendit': none, same: none, conflict: none, unknown: none },
      objects: 0,
      atRisk: { newerWins: risk, wesenditWins: risk, unknownNewerWins: risk, unknownWesenditWins: risk },
      lookalikes: 0,
      examples: { conflict: [], unknown: [], lookalike: [] },
    },
    rows: 3,
    bucketObjects: 3,
    wesenditObjects: 0,
    elapsedMs: 1,
  };

  it('passes progress and ordered chunks on and ends with the checked result', () => {
    const keys: string[] = [];
    const phases: string[] = [];
    const collector = new CompanionReplyCollector('diff.preview', 'r1', { onChunk: (rows) => keys.push(...rows.map((r) => r.key)), onProgress: (p) => phases.push(p.phase) });
    expect(collector.accept({ id: 'r1', event: 'progress', data: { phase: 'listing', objects: 0, bytes: 0, rate: 0, elapsedMs: 0 } })).toEqual({ done: false });
    expect(collector.accept({ id: 'other', event: 'chunk', seq: 5, data: [] })).toEqual({ done: false });
    collector.accept({ id: 'r1', event: 'chunk', seq: 0, data: [row('a'), row('b')] });
    collector.accept({ id: 'r1', event: 'chunk', seq: 1, data: [row('c')] });
    const end = collector.accept({ id: 'r1', ok: summary, chunks: 2 });
    expect(end).toMatchObject({ done: true, ok: true, value: { rows: 3 } });
    expect(keys).toEqual(['a', 'b', 'c']);
    expect(phases).toEqual(['listing']);
  });

  it.each([
    ['a missing chunk', [{ id: 'r1', event: 'chunk', seq: 1, data: [] }], /chunk 0 expected, chunk 1 arrived/],
    ['a final count that does not match', [{ id: 'r1', event: 'chunk', seq: 0, data: [] }, { id: 'r1', ok: summary, chunks: 2 }], /sent 2 chunks but 1 arrived/],
    ['an invalid row', [{ id: 'r1', event: 'chunk', seq: 0, data: [{ key: 'a', class: 'bogus' }] }], /class must be one of/],
    ['an invalid result', [{ id: 'r1', ok: { rows: 'many' }, chunks: 0 }], /needs rows/],
  ] as const)('ends with PROTOCOL_ERROR on %s', (_name, messages, problem) => {
    const collector = new CompanionReplyCollector('diff.preview', 'r1');
    let state: ReturnType<typeof collector.accept> = { done: false };
    for (const message of messages) {
      const parsed = parseHostMessage(message);
      if (!parsed.ok) throw new Error(parsed.problem);
      state = collector.accept(parsed.value);
    }
    expect(state).toMatchObject({ done: true, ok: false, error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(problem) } });
  });

  it('ends with the host’s error reply as is', () => {
    const collector = new CompanionReplyCollector('doctor', 'd');
    expect(collector.accept({ id: 'd', error: { code: 'TIMEOUT', message: 'late' } })).toEqual({ done: true, ok: false, error: { code: 'TIMEOUT', message: 'late' } });
  });
});
