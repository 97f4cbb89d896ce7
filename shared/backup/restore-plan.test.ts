import { describe, expect, it } from 'vitest';
import { parseBackupHeader, parseManifestLine } from './backup-manifest.ts';
import { RestoreTally, formatRestoreRowCsv, formatRestoreSummary, needsContentCheck, planRestoreRow } from './restore-plan.ts';

const A = '0cc175b9c0f1b6a831c399e269772661';
const B = '92eb5ffee6ae2fec3ad71c777531578f';

describe('planRestoreRow', () => {
  const backup = { key: 'docs/a.txt', size: 10, etag: A };
  it.each([
    ['deleted', undefined, {}, 'deleted', 'restore'],
    ['deleted, force', undefined, { force: true }, 'deleted', 'restore'],
    ['unchanged', { key: 'docs/a.txt', size: 10, etag: A }, { force: true }, 'unchanged', 'none'],
    ['changed content', { key: 'docs/a.txt', size: 10, etag: B }, {}, 'changed', 'keep'],
    ['changed size', { key: 'docs/a.txt', size: 11, etag: A }, {}, 'changed', 'keep'],
    ['changed, force', { key: 'docs/a.txt', size: 10, etag: B }, { force: true }, 'changed', 'overwrite'],
    ['changed, only missing', { key: 'docs/a.txt', size: 10, etag: B }, { onlyMissing: true }, 'changed', 'none'],
  ] as const)('%s', (_name, current, options, state, action) => {
    const row = planRestoreRow(backup, current, options);
    expect(row.state).toBe(state);
    expect(row.action).toBe(action);
  });

  it('an entry without an ETag is never taken as unchanged', () => {
    expect(planRestoreRow({ key: 'x', size: 1 }, { key: 'x', size: 1 }).state).toBe('changed');
  });

  it('tallies and names kept objects in the summary', () => {
    const tally = new RestoreTally();
    tally.add(planRestoreRow(backup, undefined));
    tally.add(planRestoreRow({ ...backup, key: 'b' }, { key: 'b', size: 3, etag: B }));
    tally.add(planRestoreRow({ ...backup, key: 'c' }, { key: 'c', size: 10, etag: A }));
    expect(tally.totals).toEqual({ backupObjects: 3, deleted: 1, changed: 1, unchanged: 1, toWrite: 1, bytesToWrite: 10, kept: 1, comparedByContent: 0 });
    const summary = formatRestoreSummary(tally.totals, { keptKeys: ['b'] });
    expect(summary).toMatch(/dry run/);
    expect(summary).toMatch(/1 object changed after the backup and will be kept as it is[\s\S]*"b"/);
    expect(summary).toMatch(/--apply/);
  });

  it('CSV cells that look like formulas are defused', () => {
    expect(formatRestoreRowCsv(planRestoreRow({ key: '=cmd|x', size: 1, etag: A }, undefined))).toMatch(/^'=cmd\|x,deleted,restore,1,/);
  });
});

describe('what the backup proved: size and SHA-256, not the ETag alone', () => {
  const SHA = 'a'.repeat(64);
  const OTHER_SHA = 'b'.repeat(64);
  // A multipart object as backed up: its ETag is not an MD5; the backup computed MD5 and SHA-256.
  const multipart = { key: 'video.mp4', size: 20, etag: `${B}-3`, md5: A, sha256: SHA };

  it('an object put back in one part (its ETag is the MD5 the backup computed) is unchanged, by MD5', () => {
    const row = planRestoreRow(multipart, { key: 'video.mp4', size: 20, etag: A }, { force: true });
    expect([row.state, row.action, row.comparedBy]).toEqual(['unchanged', 'none', 'md5']);
  });

  it('a different ETag of equal size is compared by content where the backup holds a SHA-256', () => {
    const current = { key: 'video.mp4', size: 20, etag: `${B}-2` };
    expect(needsContentCheck(multipart, current)).toBe(true);
    expect(planRestoreRow(multipart, current, {}, SHA)).toMatchObject({ state: 'unchanged', action: 'none', comparedBy: 'sha256' });
    expect(planRestoreRow(multipart, current, {}, OTHER_SHA)).toMatchObject({ state: 'changed', action: 'keep', comparedBy: 'sha256' });
    // An SSE-KMS object's ETag looks like an MD5 and is not one.
    const encrypted = { key: 'video.mp4', size: 20, etag: B };
    expect(needsContentCheck(multipart, encrypted)).toBe(true);
    expect(planRestoreRow(multipart, encrypted, {}, SHA).state).toBe('unchanged');
  });

  it('no content check where size or ETag decide, or the backup holds no SHA-256', () => {
    expect(needsContentCheck(multipart, { key: 'video.mp4', size: 21, etag: `${B}-2` })).toBe(false);
    expect(needsContentCheck(multipart, { key: 'video.mp4', size: 20, etag: `${B}-3` })).toBe(false);
    expect(needsContentCheck(multipart, { key: 'video.mp4', size: 20, etag: A })).toBe(false);
    expect(needsContentCheck({ key: 'c', size: 20, etag: `${B}-3` }, { key: 'c', size: 20, etag: `${B}-2` })).toBe(false);
  });

  it('counts and names the objects compared by content', () => {
    const tally = new RestoreTally();
    tally.add(planRestoreRow(multipart, { key: 'video.mp4', size: 20, etag: `${B}-2` }, {}, SHA));
    expect(tally.totals.comparedByContent).toBe(1);
    expect(formatRestoreSummary(tally.totals)).toMatch(/Compared by content \(SHA-256\): +1 \(their ETags are not MD5s/);
  });
});

describe('manifest and header parsing', () => {
  it('refuses a path that leaves the objects folder', () => {
    expect(() => parseManifestLine(JSON.stringify({ key: 'a', size: 1, path: 'objects/../../x' }), 'm line 1')).toThrow(/inside the objects folder/);
    expect(() => parseManifestLine(JSON.stringify({ key: 'a', size: 1, path: '/etc/passwd' }), 'm line 1')).toThrow(/inside the objects folder/);
    expect(parseManifestLine(JSON.stringify({ key: 'a', size: 1, path: 'objects/a.%', sha256: 'x' }), 'm')).toEqual({ key: 'a', size: 1, path: 'objects/a.%', sha256: 'x' });
  });

  it('names what is wrong with a header', () => {
    expect(() => parseBackupHeader('{}', 'x/backup.json')).toThrow(/not a Connect Guard backup \(unknown format\)/);
    expect(() => parseBackupHeader('{"format":"connect-guard-backup","version":9}', 'x/backup.json')).toThrow(/version 9/);
    const header = parseBackupHeader(JSON.stringify({ format: 'connect-guard-backup', version: 1, bucket: 'b', startedAt: 't', status: 'verified', target: { kind: 'folder' }, objects: 3 }), 'x');
    expect(header).toMatchObject({ bucket: 'b', status: 'verified', objects: 3 });
  });
});
