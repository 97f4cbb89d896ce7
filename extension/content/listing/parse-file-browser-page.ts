/**
 * Reads one page of WeSendit's file browser by meaning: the table (or ARIA grid) whose header
 * names a Name and a Size or Modified column, its file and folder rows, the "Next" link and the
 * pager's range. Exact bytes and dates come from attributes when the page has them (`data-bytes`,
 * a title "1,234,567 bytes", `<time datetime>`), else from the shown text. Reads a parsed
 * Document (DOMParser) and never touches the live page; quickReadFileBrowserPage reads the rows
 * of most pages from their HTML through the same `readRows`.
 */
import { isNextText, matchColumn, parseDate, parseMd5, parseRange, parseShownSize, parseSize, type ListingColumn, type NumberStyle, type ShownSize } from './listing-parsers.ts';

export interface FileRow {
  readonly name: string;
  readonly size: number;
  /** The page showed the size rounded ("1.2 MB"): the true size is within ± this many bytes. */
  readonly sizeTolerance?: number;
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

export const TABLE_SELECTOR = 'table, [role="grid"], [role="table"], [role="treegrid"]';
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

/** The columns a header row's cell texts name, when they make a file table (Name and Size or Modified). */
export function columnsOf(headerTexts: readonly string[]): Map<ListingColumn, number> | undefined {
  const columns = new Map<ListingColumn, number>();
  headerTexts.forEach((text, index) => {
    const column = matchColumn(text);
    if (column && !columns.has(column)) columns.set(column, index);
  });
  return columns.has('name') && (columns.has('size') || columns.has('modified')) ? columns : undefined;
}

/** The file table of a page: header cells name at least Name and Size or Modified. */
export function findFileTable(doc: Document | Element): FileTable | undefined {
  for (const table of doc.querySelectorAll(TABLE_SELECTOR)) {
    const allRows = [...table.querySelectorAll('tr, [role="row"]')].filter((row) => row.closest(TABLE_SELECTOR) === table);
    const headerRow = allRows.find((row) => row.querySelector(HEADER_CELL_SELECTOR) && !row.querySelector('td, [role="cell"], [role="gridcell"]'));
    if (!headerRow) continue;
    const columns = columnsOf(cellsOf(headerRow).map((cell) => cell.getAttribute('aria-label') ?? cell.textContent ?? ''));
    if (!columns) continue;
    return { columns, rows: allRows.filter((row) => row !== headerRow) };
  }
  return undefined;
}

/** A cell's visible words without icons ("📁 photos" → "photos"). */
function nameText(cell: Element): string {
  // A cell of plain text (no icon, no link) is read without walking it.
  if (cell.firstElementChild === null) {
    return cell.closest(ICON_SELECTOR) ? '' : normalizeName(cell.textContent ?? '');
  }
  const source = cell.querySelector('a[href]') ?? cell;
  if (source.closest(ICON_SELECTOR)) return '';
  return normalizeName(visibleText(source));
}

/** The text under `element`, leaving out icons (the element itself is not one). */
function visibleText(element: Element): string {
  let text = '';
  for (const child of element.childNodes) {
    if (child.nodeType === 3) text += child.textContent ?? '';
    else if (isElement(child) && !child.matches(ICON_SELECTOR)) text += visibleText(child);
  }
  return text;
}

function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

/** A shown name with its white space collapsed. */
export function normalizeName(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

/**
 * What reading a row needs of one of its cells. `attribute(name)` is the cell's own attribute,
 * else that of its first descendant that has one (`null`/`undefined`: none).
 */
export interface CellView {
  text(): string;
  /** The shown name: a link's text, or the cell's text, icons left out. */
  name(): string;
  /** The first link's `href`. */
  href(): string | null | undefined;
  attribute(name: string): string | null | undefined;
  ownAttribute(name: string): string | null;
  /** The first `<time datetime>` inside the cell. */
  time(): { readonly datetime: string | null; readonly title: string | null } | undefined;
}

export interface RowView {
  readonly cells: readonly CellView[];
  ownAttribute(name: string): string | null;
  /** Whether an element inside the row has an aria-label, title or alt naming a folder. */
  labelsFolder(): boolean;
  text(): string;
}

function domCell(cell: Element): CellView {
  return {
    text: () => cell.textContent ?? '',
    name: () => nameText(cell),
    href: () => cell.querySelector('a[href]')?.getAttribute('href'),
    attribute: (name) => cell.getAttribute(name) ?? cell.querySelector(`[${name}]`)?.getAttribute(name),
    ownAttribute: (name) => cell.getAttribute(name),
    time: () => {
      const time = cell.querySelector('time[datetime]');
      return time ? { datetime: time.getAttribute('datetime'), title: time.getAttribute('title') } : undefined;
    },
  };
}

function domRow(row: Element): RowView {
  return {
    cells: cellsOf(row).map(domCell),
    ownAttribute: (name) => row.getAttribute(name),
    labelsFolder: () => {
      for (const element of row.querySelectorAll('[aria-label], [title], [alt]')) {
        for (const attribute of ['aria-label', 'title', 'alt']) if (isFolderWord(element.getAttribute(attribute) ?? '')) return true;
      }
      return false;
    },
    text: () => row.textContent ?? '',
  };
}

export function isFolderWord(text: string): boolean {
  return FOLDER_WORDS.test(text.trim());
}

function exactBytes(cell: CellView, style: NumberStyle): number | undefined {
  for (const attribute of ['data-bytes', 'data-size', 'data-value']) {
    const value = cell.attribute(attribute);
    if (value && /^\d+$/.test(value.trim())) return Number(value.trim());
  }
  for (const attribute of ['title', 'aria-label']) {
    const value = cell.attribute(attribute);
    if (!value) continue;
    const bytes = /^\s*([\d.,\s\u00a0\u202f']+)\s*(bytes?|b)\s*$/i.exec(value);
    if (bytes) return parseSize(`${bytes[1] ?? ''} B`, style);
  }
  return undefined;
}

/** Dates already read on this page: most rows share a few, and each read builds a Date. */
type DateCache = Map<string, string | undefined>;

function dateOf(cell: CellView, cache: DateCache): string | undefined {
  const time = cell.time();
  const candidates = [time?.datetime, cell.ownAttribute('data-value'), cell.ownAttribute('title'), time?.title, cell.text()];
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

function isFolderRow(row: RowView, nameCell: CellView, sizeCell: CellView | undefined, name: string): boolean {
  const type = (row.ownAttribute('data-type') ?? row.ownAttribute('data-kind') ?? '').toLowerCase();
  if (FOLDER_WORDS.test(type)) return true;
  if (type === 'file') return false;
  if (row.labelsFolder()) return true;
  if (name.endsWith('/')) return true;
  // A linked name without a size is a folder (a file always has one).
  const sizeText = (sizeCell?.text() ?? '').trim();
  return typeof nameCell.href() === 'string' && (sizeText === '' || /^[-–—]$/.test(sizeText));
}

/** The files, folders and unreadable rows of a file table's body rows. */
export function readRows(rows: Iterable<RowView>, columns: ReadonlyMap<ListingColumn, number>, style: NumberStyle, pageUrl: string): Pick<FileBrowserPage, 'files' | 'folders' | 'unreadable'> {
  const files: FileRow[] = [];
  const folders: FolderRow[] = [];
  const unreadable: string[] = [];
  const dates: DateCache = new Map();
  const column = (cells: readonly CellView[], name: ListingColumn): CellView | undefined => {
    const index = columns.get(name);
    return index === undefined ? undefined : cells[index];
  };
  for (const row of rows) {
    const cells = row.cells;
    const nameCell = column(cells, 'name');
    if (!nameCell) continue;
    const name = nameCell.name();
    if (name === '') {
      // An empty-folder message spanning the table is not a row.
      if (cells.length > 1) unreadable.push(row.text().trim().slice(0, 80));
      continue;
    }
    const sizeCell = column(cells, 'size');
    if (isFolderRow(row, nameCell, sizeCell, name)) {
      const href = nameCell.href();
      if (!href) {
        unreadable.push(name);
        continue;
      }
      folders.push({ name: name.replace(/\/+$/, ''), url: new URL(href, pageUrl).href });
      continue;
    }
    const exact = sizeCell ? exactBytes(sizeCell, style) : undefined;
    const shown: ShownSize | undefined = exact !== undefined ? { bytes: exact, tolerance: 0 } : sizeCell ? parseShownSize(sizeCell.text(), style) : undefined;
    const size = shown?.bytes;
    if (size === undefined) {
      unreadable.push(name);
      continue;
    }
    const modifiedCell = column(cells, 'modified');
    const md5Cell = column(cells, 'md5');
    const lastModified = modifiedCell ? dateOf(modifiedCell, dates) : undefined;
    const md5 = md5Cell ? parseMd5(`${md5Cell.text()} ${md5Cell.ownAttribute('title') ?? ''}`) : undefined;
    files.push({ name, size, ...(shown !== undefined && shown.tolerance > 0 ? { sizeTolerance: shown.tolerance } : {}), ...(lastModified ? { lastModified } : {}), ...(md5 ? { md5 } : {}) });
  }
  return { files, folders, unreadable };
}

function findNextLink(doc: Document): Element | undefined {
  const byRel = doc.querySelector('a[rel~="next"][href]');
  if (byRel) return byRel;
  return [...doc.querySelectorAll('a[href]')].find((link) => isNextText(link.getAttribute('aria-label') ?? link.textContent ?? ''));
}

/** The pager of a page: its "Next" link and range. */
export function readPager(doc: Document, pageUrl: string, style: NumberStyle): Pick<FileBrowserPage, 'nextUrl' | 'range'> & { readonly next?: Element; readonly pager?: Element } {
  const next = findNextLink(doc);
  const nextHref = next?.getAttribute('href');
  const pager = next?.closest('nav, [role="navigation"]') ?? next?.parentElement ?? undefined;
  const range = parseRange(pager?.textContent ?? findRangeText(doc), style);
  return {
    ...(nextHref ? { nextUrl: new URL(nextHref, pageUrl).href } : {}),
    ...(range ? { range } : {}),
    ...(next ? { next } : {}),
    ...(pager ? { pager } : {}),
  };
}

/** The page's files, folders and pager, or `undefined` when it shows no file table. */
export function parseFileBrowserPage(doc: Document, pageUrl: string): FileBrowserPage | undefined {
  const table = findFileTable(doc);
  if (!table) return undefined;
  const style = numberStyleOf(doc);
  const { files, folders, unreadable } = readRows(table.rows.map(domRow), table.columns, style, pageUrl);
  const { nextUrl, range } = readPager(doc, pageUrl, style);
  return { files, folders, ...(nextUrl ? { nextUrl } : {}), ...(range ? { range } : {}), unreadable };
}

/** The range text of a last page (no Next link): a pager landmark's text. */
function findRangeText(doc: Document): string {
  return [...doc.querySelectorAll('nav, [role="navigation"]')].map((nav) => nav.textContent ?? '').join(' ');
}
