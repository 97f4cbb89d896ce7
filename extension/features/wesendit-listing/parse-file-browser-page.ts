/**
 * Reads one page of WeSendit's file browser by meaning: the table (or ARIA grid) whose header
 * names a Name and a Size or Modified column, its file and folder rows, the "Next" link and the
 * pager's range. Exact bytes and dates come from attributes when the page has them (`data-bytes`,
 * a title "1,234,567 bytes", `<time datetime>`), else from the shown text. Reads a parsed
 * Document (DOMParser) and never touches the live page.
 */
import { isNextText, matchColumn, parseDate, parseMd5, parseRange, parseSize, type ListingColumn, type NumberStyle } from './listing-parsers.ts';

export interface FileRow {
  readonly name: string;
  readonly size: number;
  readonly lastModified?: string;
  readonly md5?: string;
}

export interface FolderRow {
  readonly name: string;
  /** Absolute URL of the folder's first page. */
  readonly url: string;
}

export interface FileBrowserPage {
  readonly files: readonly FileRow[];
  readonly folders: readonly FolderRow[];
  /** Absolute URL of the next page, when there is one. */
  readonly nextUrl?: string;
  /** The pager's "1–50 of 100,000", when shown. */
  readonly range?: { readonly from: number; readonly to: number; readonly total: number };
  /** Rows the page had that could not be read (no name, a file without a readable size). */
  readonly unreadable: readonly string[];
}

const TABLE_SELECTOR = 'table, [role="grid"], [role="table"], [role="treegrid"]';
const HEADER_CELL_SELECTOR = 'th, [role="columnheader"]';
const FOLDER_WORDS = /^(folder|directory|dir|ordner|verzeichnis)$/i;
const ICON_SELECTOR = '[role="img"], [aria-hidden="true"], svg, img, i';

export function numberStyleOf(doc: Document): NumberStyle {
  return (doc.documentElement.getAttribute('lang') ?? '').toLowerCase().startsWith('de') ? 'de' : 'en';
}

const CELL_SELECTOR = 'td, th, [role="cell"], [role="gridcell"], [role="rowheader"], [role="columnheader"]';

function cellsOf(row: Element): Element[] {
  const cells: Element[] = [];
  // td/th are checked by tag first: matching the selector for each of 1,000 rows' cells adds up.
  for (let cell = row.firstElementChild; cell; cell = cell.nextElementSibling) {
    const tag = cell.localName;
    if (tag === 'td' || tag === 'th' || cell.matches(CELL_SELECTOR)) cells.push(cell);
  }
  return cells;
}

interface FileTable {
  readonly columns: ReadonlyMap<ListingColumn, number>;
  readonly rows: readonly Element[];
}

/** The file table of a page: header cells name at least Name and Size or Modified. */
export function findFileTable(doc: Document | Element): FileTable | undefined {
  for (const table of doc.querySelectorAll(TABLE_SELECTOR)) {
    const allRows = [...table.querySelectorAll('tr, [role="row"]')].filter((row) => row.closest(TABLE_SELECTOR) === table);
    const headerRow = allRows.find((row) => row.querySelector(HEADER_CELL_SELECTOR) && !row.querySelector('td, [role="cell"], [role="gridcell"]'));
    if (!headerRow) continue;
    const columns = new Map<ListingColumn, number>();
    cellsOf(headerRow).forEach((cell, index) => {
      const column = matchColumn(cell.getAttribute('aria-label') ?? cell.textContent ?? '');
      if (column && !columns.has(column)) columns.set(column, index);
    });
    if (!columns.has('name') || (!columns.has('size') && !columns.has('modified'))) continue;
    return { columns, rows: allRows.filter((row) => row !== headerRow) };
  }
  return undefined;
}

/** A cell's visible words without icons ("📁 photos" → "photos"). */
function nameText(cell: Element): string {
  // A cell of plain text (no icon, no link) is read without walking it.
  if (cell.firstElementChild === null) {
    return cell.closest(ICON_SELECTOR) ? '' : (cell.textContent ?? '').replace(/[\s\u00a0]+/g, ' ').trim();
  }
  const link = cell.querySelector('a[href]');
  const source = link ?? cell;
  let text = '';
  const walker = source.ownerDocument.createTreeWalker(source, 4 /* NodeFilter.SHOW_TEXT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement?.closest(ICON_SELECTOR)) continue;
    text += node.textContent ?? '';
  }
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

function exactBytes(cell: Element, style: NumberStyle): number | undefined {
  for (const attribute of ['data-bytes', 'data-size', 'data-value']) {
    const value = cell.getAttribute(attribute) ?? cell.querySelector(`[${attribute}]`)?.getAttribute(attribute);
    if (value && /^\d+$/.test(value.trim())) return Number(value.trim());
  }
  for (const attribute of ['title', 'aria-label']) {
    const value = cell.getAttribute(attribute) ?? cell.querySelector(`[${attribute}]`)?.getAttribute(attribute);
    if (!value) continue;
    const bytes = /^\s*([\d.,\s\u00a0\u202f']+)\s*(bytes?|b)\s*$/i.exec(value);
    if (bytes) return parseSize(`${bytes[1] ?? ''} B`, style);
  }
  return undefined;
}

/** Dates already read on this page: most rows share a few, and each read builds a Date. */
type DateCache = Map<string, string | undefined>;

function dateOf(cell: Element, cache: DateCache): string | undefined {
  const time = cell.querySelector('time[datetime]');
  const candidates = [time?.getAttribute('datetime'), cell.getAttribute('data-value'), cell.getAttribute('title'), time?.getAttribute('title'), cell.textContent];
  for (const candidate of candidates) {
    if (!candidate) continue;
    let iso = cache.get(candidate);
    if (iso === undefined && !cache.has(candidate)) {
      iso = parseDate(candidate);
      cache.set(candidate, iso);
    }
    if (iso) return iso;
  }
  return undefined;
}

function isFolderRow(row: Element, nameCell: Element, sizeCell: Element | undefined, name: string): boolean {
  const type = (row.getAttribute('data-type') ?? row.getAttribute('data-kind') ?? '').toLowerCase();
  if (FOLDER_WORDS.test(type)) return true;
  if (type === 'file') return false;
  for (const element of row.querySelectorAll('[aria-label], [title], [alt]')) {
    for (const attribute of ['aria-label', 'title', 'alt']) {
      if (FOLDER_WORDS.test((element.getAttribute(attribute) ?? '').trim())) return true;
    }
  }
  if (name.endsWith('/')) return true;
  // A linked name without a size is a folder (a file always has one).
  const sizeText = (sizeCell?.textContent ?? '').trim();
  return nameCell.querySelector('a[href]') !== null && (sizeText === '' || /^[-–—]$/.test(sizeText));
}

function findNextLink(doc: Document): Element | undefined {
  const byRel = doc.querySelector('a[rel~="next"][href]');
  if (byRel) return byRel;
  return [...doc.querySelectorAll('a[href]')].find((link) => isNextText(link.getAttribute('aria-label') ?? link.textContent ?? ''));
}

/** The page's files, folders and pager, or `undefined` when it shows no file table. */
export function parseFileBrowserPage(doc: Document, pageUrl: string): FileBrowserPage | undefined {
  const table = findFileTable(doc);
  if (!table) return undefined;
  const style = numberStyleOf(doc);
  const files: FileRow[] = [];
  const folders: FolderRow[] = [];
  const unreadable: string[] = [];
  const dates: DateCache = new Map();
  const column = (cells: readonly Element[], name: ListingColumn): Element | undefined => {
    const index = table.columns.get(name);
    return index === undefined ? undefined : cells[index];
  };
  for (const row of table.rows) {
    const cells = cellsOf(row);
    const nameCell = column(cells, 'name');
    if (!nameCell) continue;
    const name = nameText(nameCell);
    if (name === '') {
      // An empty-folder message spanning the table is not a row.
      if (cells.length > 1) unreadable.push((row.textContent ?? '').trim().slice(0, 80));
      continue;
    }
    const sizeCell = column(cells, 'size');
    if (isFolderRow(row, nameCell, sizeCell, name)) {
      const href = nameCell.querySelector('a[href]')?.getAttribute('href');
      if (!href) {
        unreadable.push(name);
        continue;
      }
      folders.push({ name: name.replace(/\/+$/, ''), url: new URL(href, pageUrl).href });
      continue;
    }
    const size = sizeCell ? (exactBytes(sizeCell, style) ?? parseSize(sizeCell.textContent ?? '', style)) : undefined;
    if (size === undefined) {
      unreadable.push(name);
      continue;
    }
    const modifiedCell = column(cells, 'modified');
    const md5Cell = column(cells, 'md5');
    const lastModified = modifiedCell ? dateOf(modifiedCell, dates) : undefined;
    const md5 = md5Cell ? parseMd5(`${md5Cell.textContent ?? ''} ${md5Cell.getAttribute('title') ?? ''}`) : undefined;
    files.push({ name, size, ...(lastModified ? { lastModified } : {}), ...(md5 ? { md5 } : {}) });
  }
  const next = findNextLink(doc);
  const nextHref = next?.getAttribute('href');
  const pager = next?.closest('nav, [role="navigation"]') ?? next?.parentElement;
  const range = parseRange(pager?.textContent ?? findRangeText(doc), style);
  return {
    files,
    folders,
    ...(nextHref ? { nextUrl: new URL(nextHref, pageUrl).href } : {}),
    ...(range ? { range } : {}),
    unreadable,
  };
}

/** The range text of a last page (no Next link): a pager landmark's text. */
function findRangeText(doc: Document): string {
  return [...doc.querySelectorAll('nav, [role="navigation"]')].map((nav) => nav.textContent ?? '').join(' ');
}
