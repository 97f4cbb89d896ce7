import { describe, expect, it } from 'vitest';
import { isNextText, matchColumn, parseDate, parseLocaleNumber, parseMd5, parseRange, parseShownSize, parseSize } from './listing-parsers.ts';

describe('matchColumn', () => {
  it.each([
    ['Name', 'name'], ['File name', 'name'], ['Dateiname', 'name'],
    ['Size', 'size'], ['Größe', 'size'], ['GRÖSSE', 'size'], ['Size ↓', 'size'],
    ['Modified', 'modified'], ['Last modified', 'modified'], ['Geändert', 'modified'], ['Zuletzt geändert', 'modified'],
    ['MD5', 'md5'], ['MD5 checksum', 'md5'], ['MD5-Prüfsumme', 'md5'],
    ['', undefined], ['Actions', undefined], ['Share status', undefined],
  ] as const)('%s → %s', (text, column) => {
    expect(matchColumn(text)).toBe(column);
  });
});

describe('parseLocaleNumber', () => {
  it.each([
    ['1.2', 'en', 1.2], ['1,2', 'de', 1.2], ['1,2', 'en', 1.2], ['1.25', 'de', 1.25],
    ['1,234,567', 'en', 1234567], ['1.234.567', 'de', 1234567], ['1 234 567', 'de', 1234567], ['1\u202f234', 'en', 1234],
    ['1,234.5', 'en', 1234.5], ['1.234,5', 'de', 1234.5], ['1,234', 'en', 1234], ['1.234', 'de', 1234], ['1,234', 'de', 1.234],
    ['12', 'en', 12], ['abc', 'en', undefined], ['', 'en', undefined],
  ] as const)('%s (%s) → %s', (text, style, value) => {
    expect(parseLocaleNumber(text, style)).toBe(value);
  });
});

describe('parseSize', () => {
  it.each([
    ['512 B', 'en', 512], ['0 B', 'en', 0], ['1.2 MB', 'en', 1_200_000], ['1,2 MB', 'de', 1_200_000], ['12,5 MB', 'de', 12_500_000],
    ['3 KiB', 'en', 3072], ['1.5 GiB', 'en', 1_610_612_736], ['2 kB', 'en', 2000], ['1,234,567 bytes', 'en', 1_234_567],
    ['1.234.567 Bytes', 'de', 1_234_567], ['7\u00a0KB', 'de', 7000], ['1234', 'en', 1234],
    ['—', 'en', undefined], ['', 'en', undefined], ['big', 'en', undefined], ['3 PB', 'en', undefined],
  ] as const)('%s (%s) → %s', (text, style, bytes) => {
    expect(parseSize(text, style)).toBe(bytes);
  });
});

describe('parseShownSize: how exact a shown size is', () => {
  it.each([
    // Bytes are exact; a larger unit is rounded to the digits shown: ± half a unit of the last one.
    ['512 B', 'en', 512, 0], ['1,234,567 bytes', 'en', 1_234_567, 0], ['1234', 'en', 1234, 0],
    ['1.2 MB', 'en', 1_200_000, 50_000], ['1,2 MB', 'de', 1_200_000, 50_000], ['12,50 MB', 'de', 12_500_000, 5_000],
    ['3 KiB', 'en', 3072, 512], ['2 kB', 'en', 2000, 500], ['1.5 GiB', 'en', 1_610_612_736, 53_687_092],
    ['1,234.5 KB', 'en', 1_234_500, 50], ['7\u00a0KB', 'de', 7000, 500],
  ] as const)('%s (%s) → %s bytes ± %s', (text, style, bytes, tolerance) => {
    expect(parseShownSize(text, style)).toEqual({ bytes, tolerance });
  });
});

describe('parseDate', () => {
  it.each([
    ['2026-01-15T09:30:00.000Z', '2026-01-15T09:30:00.000Z'],
    ['2026-01-15T10:30:00+01:00', '2026-01-15T09:30:00.000Z'],
    ['15 Jan 2026, 09:30:00 UTC', '2026-01-15T09:30:00.000Z'],
    ['15.01.2026, 09:30:00 UTC', '2026-01-15T09:30:00.000Z'],
    ['15.01.2026 09:30 UTC', '2026-01-15T09:30:00.000Z'],
    ['15. Jan. 2026, 09:30:00 UTC', '2026-01-15T09:30:00.000Z'],
    ['15. Januar 2026 um 09:30 UTC', '2026-01-15T09:30:00.000Z'],
    ['Jan 15, 2026 9:30 AM UTC', '2026-01-15T09:30:00.000Z'],
    ['Jan 15, 2026 9:30 PM UTC', '2026-01-15T21:30:00.000Z'],
    ['01/15/2026 UTC', '2026-01-15T00:00:00.000Z'],
    ['2026-01-15 09:30 UTC', '2026-01-15T09:30:00.000Z'],
    ['12. Dez. 2025, 23:59:59 UTC', '2025-12-12T23:59:59.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseDate(text)).toBe(iso);
  });

  it('reads a date without a zone as the viewer’s local time', () => {
    expect(parseDate('15.01.2026, 09:30')).toBe(new Date(2026, 0, 15, 9, 30).toISOString());
  });

  it.each(['', 'yesterday', '32.01.2026', '15 Foo 2026', '2026-13-45T00:00:00Z'])('no date: %s', (text) => {
    expect(parseDate(text)).toBeUndefined();
  });
});

describe('parseRange', () => {
  it.each([
    ['1–50 of 100,000', 'en', { from: 1, to: 50, total: 100_000 }],
    ['Previous 51–100 von 100.000 Weiter', 'de', { from: 51, to: 100, total: 100_000 }],
    ['1-3 of 3', 'en', { from: 1, to: 3, total: 3 }],
    ['Files / projects / p1 1–1,000 of 1,000', 'en', { from: 1, to: 1000, total: 1000 }],
    ['Dateien / p2 1–1.000 von 1.000', 'de', { from: 1, to: 1000, total: 1000 }],
    ['1–50 of 100\u202f000', 'en', { from: 1, to: 50, total: 100_000 }],
    ['Page 2', 'en', undefined],
    ['5–3 of 3', 'en', undefined],
  ] as const)('%s', (text, style, range) => {
    expect(parseRange(text, style)).toEqual(range);
  });
});

describe('isNextText and parseMd5', () => {
  it.each([['Next', true], ['Weiter', true], ['Next ›', true], ['»', true], ['Nächste Seite', true], ['Previous', false], ['', false]] as const)(
    '%s → %s',
    (text, next) => {
      expect(isNextText(text)).toBe(next);
    },
  );
  it('finds a hex MD5 and lower-cases it', () => {
    expect(parseMd5(' D41D8CD98F00B204E9800998ECF8427E ')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(parseMd5('—')).toBeUndefined();
  });
});
