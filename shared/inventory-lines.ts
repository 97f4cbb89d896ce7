/**
 * WeSendit listing entries as one string, the way the tab's listing travels to the companion:
 * one entry per line, `size<TAB>lastModified<TAB>md5<TAB>key` (an empty field: not known; a size
 * the file browser showed rounded is `bytes~tolerance`), with
 * `\`, tab, newline and carriage return escaped as `\\`, `\t`, `\n`, `\r`. A string crosses the
 * browser's messaging and native messaging as one block, where 100k entry objects would be
 * serialized, parsed and checked field by field at every hop; the companion checks each line.
 */
import { ConnectGuardError } from './errors.ts';
import type { InventoryEntry } from './inventory.ts';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };

function escapeField(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (char) => ESCAPES[char] ?? char) : value;
}

function unescapeField(value: string, line: number): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.?)/g, (_match, char: string) => {
    const plain = UNESCAPES[char];
    if (plain === undefined) throw new ConnectGuardError('INVALID_INPUT', `WeSendit listing line ${line}: a "\\" must be followed by \\, t, n or r.`);
    return plain;
  });
}

/** The entries as lines; only key, size (with its tolerance), last modified and MD5 travel. */
export function packInventoryLines(entries: readonly InventoryEntry[]): string {
  let text = '';
  for (let i = 0; i < entries.length; i += 1) {
    const entry = entries[i] as InventoryEntry;
    if (i > 0) text += '\n';
    text += `${entry.size}${entry.sizeTolerance ? `~${entry.sizeTolerance}` : ''}\t${escapeField(entry.lastModified ?? '')}\t${escapeField(entry.md5 ?? '')}\t${escapeField(entry.key)}`;
  }
  return text;
}

/** Entries in `text`: 0 for an empty string, else one more than its newlines. */
export function countInventoryLines(text: string): number {
  if (text === '') return 0;
  let count = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}

/** Splits `text` at line ends into pieces of at most `maxLines` lines each. */
export function* sliceInventoryLines(text: string, maxLines: number): Generator<{ readonly lines: string; readonly count: number }> {
  if (text === '') return;
  let start = 0;
  for (;;) {
    let end = start;
    let next = -1;
    let count = 0;
    for (;;) {
      count += 1;
      const newline = text.indexOf('\n', end);
      if (newline === -1) {
        end = text.length;
        next = -1;
        break;
      }
      end = newline;
      next = newline + 1;
      if (count >= maxLines) break;
      end = next;
    }
    yield { lines: text.slice(start, end), count };
    if (next === -1) return;
    start = next;
  }
}

/** The entries of `text`, each line checked; a bad line is an INVALID_INPUT error naming it. */
export function unpackInventoryLines(text: string): InventoryEntry[] {
  const entries: InventoryEntry[] = [];
  if (text === '') return entries;
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    line += 1;
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const first = text.indexOf('\t', start);
    const second = first === -1 || first > end ? -1 : text.indexOf('\t', first + 1);
    const third = second === -1 || second > end ? -1 : text.indexOf('\t', second + 1);
    if (third === -1 || third > end) throw new ConnectGuardError('INVALID_INPUT', `WeSendit listing line ${line} must have size, last modified, MD5 and key separated by tabs.`);
    const sizeText = text.slice(start, first);
    const tilde = sizeText.indexOf('~');
    const size = Number(tilde === -1 ? sizeText : sizeText.slice(0, tilde));
    const sizeTolerance = tilde === -1 ? 0 : Number(sizeText.slice(tilde + 1));
    if (!/^\d{1,16}(~\d{1,16})?$/.test(sizeText) || !Number.isSafeInteger(size) || !Number.isSafeInteger(sizeTolerance)) {
      throw new ConnectGuardError('INVALID_INPUT', `WeSendit listing line ${line}: the size must be a whole number of bytes, optionally followed by ~ and its rounding in bytes.`);
    }
    const lastModified = unescapeField(text.slice(first + 1, second), line);
    const md5 = unescapeField(text.slice(second + 1, third), line);
    const key = unescapeField(text.slice(third + 1, end), line);
    if (key === '') throw new ConnectGuardError('INVALID_INPUT', `WeSendit listing line ${line} has no key.`);
    entries.push({ key, size, ...(sizeTolerance > 0 ? { sizeTolerance } : {}), ...(lastModified === '' ? {} : { lastModified }), ...(md5 === '' ? {} : { md5 }) });
    if (newline === -1) break;
    start = newline + 1;
  }
  return entries;
}
