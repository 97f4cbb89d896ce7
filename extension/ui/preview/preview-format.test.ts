import { describe, expect, it } from 'vitest';
import type { DiffRow } from '../../../shared/diff/diff-inventories.ts';
import type { DoctorCheck } from '../../../shared/protocol/views.ts';
import { formatCount, formatDuration, formatRate, formatRowSizes, formatWinner, plural, sortDoctorChecks } from './preview-format.ts';

describe('preview formatting', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1_000_000, '1,000,000'],
  ])('formatCount(%d) → %s', (value, expected) => {
    expect(formatCount(value)).toBe(expected);
  });

  it('plural picks the form by count', () => {
    expect(plural(1, 'object')).toBe('1 object');
    expect(plural(2, 'object')).toBe('2 objects');
    expect(plural(12_345, 'entry', 'entries')).toBe('12,345 entries');
  });

  it.each([
    [0, '—'],
    [Number.NaN, '—'],
    [2.345, '2.3 objects/s'],
    [12_345.6, '12,346 objects/s'],
  ])('formatRate(%d) → %s', (value, expected) => {
    expect(formatRate(value)).toBe(expected);
  });

  it.each([
    [-1, '—'],
    [400, 'less than a second'],
    [12_400, '12 s'],
    [60_000, '1 min'],
    [185_000, '3 min 5 s'],
    [3_600_000, '1 h'],
    [3_720_000, '1 h 2 min'],
  ])('formatDuration(%d) → %s', (value, expected) => {
    expect(formatDuration(value)).toBe(expected);
  });

  it('names the winner of each policy in words', () => {
    expect(formatWinner({ winner: 'bucket', reason: '', loss: '', bytesAtRisk: 0 })).toBe('bucket');
    expect(formatWinner({ winner: 'wesendit', reason: '', loss: '', bytesAtRisk: 0 })).toBe('WeSendit');
    expect(formatWinner({ winner: 'tie', reason: '', loss: '', bytesAtRisk: 0 })).toMatch(/not predictable/);
    expect(formatWinner({ winner: 'unknown', reason: '', loss: '', bytesAtRisk: 0 })).toMatch(/time missing/);
  });

  it('shows the sizes of the sides a row has', () => {
    const row: DiffRow = { key: 'a', class: 'conflict', reason: '', bucket: { key: 'a', size: 1_200_000 }, wesendit: { key: 'a', size: 800_000 }, outcome: undefined, lookalikeOf: undefined };
    expect(formatRowSizes(row)).toBe('bucket 1.2 MB · WeSendit 800 KB');
    expect(formatRowSizes({ ...row, wesendit: undefined })).toBe('bucket 1.2 MB');
  });

  it('puts failing doctor checks first, then warnings, keeping the doctor order otherwise', () => {
    const checks: DoctorCheck[] = [
      { name: 'endpoint', status: 'pass', message: 'ok' },
      { name: 'clock', status: 'warn', message: 'skewed' },
      { name: 'secret key', status: 'fail', code: 'WRONG_SECRET_KEY', message: 'wrong' },
      { name: 'bucket', status: 'skip', message: 'not checked' },
      { name: 'access key', status: 'pass', message: 'ok' },
    ];
    expect(sortDoctorChecks(checks).map((check) => check.name)).toEqual(['secret key', 'clock', 'endpoint', 'access key', 'bucket']);
  });
});
