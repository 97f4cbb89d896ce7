/**
 * Reads the texts of WeSendit's file browser by meaning: column headers (Name, Size, Modified,
 * MD5; German Name, Größe, Geändert, MD5), sizes ("1.2 MB", "1,2 MB", "1,234,567 bytes"), dates
 * (ISO, "15 Jan 2026, 09:30:00", "15.01.2026, 09:30", "Jan 15, 2026 9:30 AM"), the pager's range
 * ("1–50 of 100,000" / "1–50 von 100.000") and "Next" / "Weiter". Pure string functions, no DOM.
 */
import { normalizeLabel } from '../gate/label-matching.ts';

export const LISTING_COLUMNS = ['name', 'size', 'modified', 'md5'] as const;
export type ListingColumn = (typeof LISTING_COLUMNS)[number];

const COLUMN_LABELS: Record<ListingColumn, readonly string[]> = {
  name: ['name', 'file name', 'filename', 'file', 'dateiname', 'datei', 'dateien', 'files', 'object', 'key'],
  size: ['size', 'file size', 'größe', 'grösse', 'groesse', 'dateigröße', 'dateigroesse', 'bytes'],
  modified: [
    'modified', 'last modified', 'date modified', 'modified at', 'modified on', 'changed', 'last changed', 'updated', 'last updated', 'date',
    'geändert', 'zuletzt geändert', 'geändert am', 'änderungsdatum', 'aktualisiert', 'datum', 'letzte änderung',
  ],
  md5: ['md5', 'md5 checksum', 'md5 hash', 'md5 sum', 'checksum md5', 'md5 prüfsumme', 'prüfsumme md5', 'content md5'],
};

const LABEL_TO_COLUMN: ReadonlyMap<string, ListingColumn> = new Map(
  LISTING_COLUMNS.flatMap((column) => COLUMN_LABELS[column].map((label): [string, ListingColumn] => [label, column])),
);

/** The column a header cell's text names, or `undefined` (an actions column, a checkbox …). */
export function matchColumn(text: string): ListingColumn | undefined {
  const normalized = normalizeLabel(text.replace(/[↑↓▲▼⇅]/g, ''));
  if (normalized.length === 0 || normalized.length > 40) return undefined;
  return LABEL_TO_COLUMN.get(normalized) ?? LABEL_TO_COLUMN.get(normalized.replace(/\s*\(.*\)$/, ''));
}

/** "Next" / "Weiter" and arrows, as a link's whole text or label. */
export function isNextText(text: string): boolean {
  if (/^\s*[→›»>]+\s*$/.test(text)) return true;
  const normalized = normalizeLabel(text).replace(/\s*[→›»>]+$/, '').trim();
  return ['next', 'next page', 'weiter', 'nächste', 'nächste seite', 'vor', 'more', 'mehr', 'load more', 'mehr laden'].includes(normalized);
}

export type NumberStyle = 'en' | 'de';

/**
 * A number as a page writes it. With both separators the last one is the decimal mark; with one
 * kind used more than once it groups thousands; a single one is read in the page's language
 * (German: `,` decimal, `.` thousands), except that a single separator followed by other than
 * three digits can only be a decimal mark.
 */
export function parseLocaleNumber(text: string, style: NumberStyle): number | undefined {
  return readLocaleNumber(text, style)?.value;
}

/** {@link parseLocaleNumber}, with the number of digits after the decimal mark. */
function readLocaleNumber(text: string, style: NumberStyle): { readonly value: number; readonly decimals: number } | undefined {
  const compact = text.replace(/[\s\u00a0\u202f']/g, '');
  if (!/^\d[\d.,]*$/.test(compact)) return undefined;
  const dots = (compact.match(/\./g) ?? []).length;
  const commas = (compact.match(/,/g) ?? []).length;
  let decimal: '.' | ',' | undefined;
  if (dots > 0 && commas > 0) decimal = compact.lastIndexOf('.') > compact.lastIndexOf(',') ? '.' : ',';
  else if (dots > 1) decimal = undefined;
  else if (commas > 1) decimal = undefined;
  else if (dots === 1 || commas === 1) {
    const mark = dots === 1 ? '.' : ',';
    const after = compact.length - compact.indexOf(mark) - 1;
    if (after !== 3) decimal = mark;
    else decimal = style === 'de' ? (mark === ',' ? ',' : undefined) : mark === '.' ? '.' : undefined;
  }
  const grouping = decimal === '.' ? /,/g : decimal === ',' ? /\./g : /[.,]/g;
  const plain = compact.replace(grouping, '').replace(',', '.');
  const value = Number(plain);
  if (!Number.isFinite(value)) return undefined;
  return { value, decimals: decimal === undefined ? 0 : compact.length - compact.lastIndexOf(decimal) - 1 };
}

const UNIT_FACTORS: ReadonlyMap<string, number> = new Map([
  ['b', 1], ['byte', 1], ['bytes', 1],
  ['kb', 1e3], ['mb', 1e6], ['gb', 1e9], ['tb', 1e12],
  ['kib', 1024], ['mib', 1024 ** 2], ['gib', 1024 ** 3], ['tib', 1024 ** 4],
]);

/** A size as a page shows it: bytes, and how far the true size may be from them. */
export interface ShownSize {
  readonly bytes: number;
  /** Half a unit of the last digit shown: 50,000 for "1.2 MB", 0 for "1,234,567 bytes". */
  readonly tolerance: number;
}

/**
 * Bytes from a size text: "512 B", "1.2 MB", "1,2 MB", "3 KiB", "1,234,567 bytes". KB/MB/GB are
 * decimal (1000), KiB/MiB/GiB binary (1024). A size in a unit above bytes is rounded to the
 * digits shown, so it carries a tolerance: "1.2 MB" is anything from 1,150,000 to 1,250,000
 * bytes, and two files both shown as "1.2 MB" are not proven to have the same size. The reader
 * prefers exact bytes from a data attribute or title when the page has them.
 */
export function parseShownSize(text: string, style: NumberStyle): ShownSize | undefined {
  const match = /^\s*(\d[\d.,\s\u00a0\u202f']*?)\s*([kmgt]i?b|bytes?|b)?\s*$/i.exec(text.replace(/[\u00a0\u202f]/g, ' '));
  if (!match) return undefined;
  const number = readLocaleNumber(match[1] ?? '', style);
  const factor = UNIT_FACTORS.get((match[2] ?? 'b').toLowerCase());
  if (number === undefined || factor === undefined) return undefined;
  const bytes = Math.round(number.value * factor);
  if (factor === 1) return { bytes, tolerance: 0 };
  return { bytes, tolerance: Math.ceil((factor * 10 ** -number.decimals) / 2) };
}

/** Bytes from a size text (see {@link parseShownSize}); rounded sizes are as exact as their text. */
export function parseSize(text: string, style: NumberStyle): number | undefined {
  return parseShownSize(text, style)?.bytes;
}

const MONTHS: ReadonlyMap<string, number> = new Map([
  ['jan', 0], ['feb', 1], ['mar', 2], ['mär', 2], ['apr', 3], ['may', 4], ['mai', 4], ['jun', 5], ['jul', 6],
  ['aug', 7], ['sep', 8], ['oct', 9], ['okt', 9], ['nov', 10], ['dec', 11], ['dez', 11],
]);

function monthOf(name: string): number | undefined {
  return MONTHS.get(name.toLowerCase().replace(/\.$/, '').slice(0, 3));
}

function toIso(year: number, month: number, day: number, time: string | undefined, zone: string | undefined): string | undefined {
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  if (time) {
    const t = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?$/i.exec(time.trim());
    if (!t) return undefined;
    hours = Number(t[1]);
    minutes = Number(t[2]);
    seconds = Number(t[3] ?? 0);
    const half = t[4]?.toLowerCase();
    if (half === 'pm' && hours < 12) hours += 12;
    if (half === 'am' && hours === 12) hours = 0;
  }
  if (month < 0 || month > 11 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) return undefined;
  // A date shown without a zone is the viewer's local time, as the page rendered it.
  const date = zone ? new Date(Date.UTC(year, month, day, hours, minutes, seconds)) : new Date(year, month, day, hours, minutes, seconds);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** ISO 8601 (UTC) from a date as a file browser shows it, or `undefined`. */
export function parseDate(text: string): string | undefined {
  const trimmed = text.replace(/[\u00a0\u202f]/g, ' ').trim();
  if (trimmed.length === 0) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const date = new Date(trimmed);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  const zoneMatch = /\s*(UTC|GMT|Z)$/i.exec(trimmed);
  const zone = zoneMatch ? 'UTC' : undefined;
  const body = zoneMatch ? trimmed.slice(0, zoneMatch.index) : trimmed;
  const time = '(?:,?\\s+(?:um\\s+)?(\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\s*[ap]m)?))?';
  let m = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})${time}$`, 'i').exec(body);
  if (m) return toIso(Number(m[1]), Number(m[2]) - 1, Number(m[3]), m[4], zone);
  // German 15.01.2026 (day first)
  m = new RegExp(`^(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})${time}$`, 'i').exec(body);
  if (m) return toIso(Number(m[3]), Number(m[2]) - 1, Number(m[1]), m[4], zone);
  // US 01/15/2026 (month first)
  m = new RegExp(`^(\\d{1,2})/(\\d{1,2})/(\\d{4})${time}$`, 'i').exec(body);
  if (m) return toIso(Number(m[3]), Number(m[1]) - 1, Number(m[2]), m[4], zone);
  // 15 Jan 2026 / 15. Jan. 2026 / 15. Januar 2026
  m = new RegExp(`^(\\d{1,2})\\.?\\s+([A-Za-zäÄ]+\\.?)\\s+(\\d{4})${time}$`, 'i').exec(body);
  if (m) {
    const month = monthOf(m[2] ?? '');
    return month === undefined ? undefined : toIso(Number(m[3]), month, Number(m[1]), m[4], zone);
  }
  // Jan 15, 2026
  m = new RegExp(`^([A-Za-z]+\\.?)\\s+(\\d{1,2}),?\\s+(\\d{4})${time}$`, 'i').exec(body);
  if (m) {
    const month = monthOf(m[1] ?? '');
    return month === undefined ? undefined : toIso(Number(m[3]), month, Number(m[2]), m[4], zone);
  }
  return undefined;
}

/** "1–50 of 100,000" / "1-50 von 100.000": the rows this page shows and the folder's total. */
export function parseRange(text: string, style: NumberStyle): { from: number; to: number; total: number } | undefined {
  // A number stands alone (not the "1" of "p1") and groups only by threes ("100,000", "100 000").
  const number = String.raw`(?<![\w.,])(\d+(?:[.,\u00a0\u202f' ]\d{3})*)`;
  const m = new RegExp(`${number}\\s*[–—-]\\s*${number}\\s+(?:of|von|aus)\\s+${number}`, 'i').exec(text);
  if (!m) return undefined;
  const from = parseLocaleNumber(m[1] ?? '', style);
  const to = parseLocaleNumber(m[2] ?? '', style);
  const total = parseLocaleNumber(m[3] ?? '', style);
  if (from === undefined || to === undefined || total === undefined || !Number.isInteger(total) || from > to || to > total) return undefined;
  return { from, to, total };
}

/** A 32-digit hex MD5 in a cell's text, lower-cased. */
export function parseMd5(text: string): string | undefined {
  const m = /\b([0-9a-f]{32})\b/i.exec(text);
  return m?.[1]?.toLowerCase();
}
