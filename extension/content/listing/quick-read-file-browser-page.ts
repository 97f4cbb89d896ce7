/**
 * Reads a file-browser page straight from its HTML, several times faster than DOMParser plus the
 * DOM reading, for the markup such pages are made of: one table of explicitly closed rows and
 * cells holding text, links, `<time>`, `<code>`, icons (inline SVG too) and other phrasing
 * elements, well nested. The rows go through the same `readRows` as the DOM reading, and the rest
 * of the page (header, pager: a few KB) through DOMParser and the same `readPager`. Anything else —
 * another table or grid, comments or scripts in the table, an implied end tag, a reference it
 * cannot decode, a "Next" link inside the table — returns `undefined`, and the page is read with
 * DOMParser.
 */
import type { ListingColumn } from './listing-parsers.ts';
import { columnsOf, isFolderWord, normalizeName, numberStyleOf, readPager, readRows, TABLE_SELECTOR, type CellView, type FileBrowserPage, type RowView } from './parse-file-browser-page.ts';
import { isNextText } from './listing-parsers.ts';

/** HTML start tags that end SVG content (the parser leaves foreign content for them). */
const SVG_BREAKOUT = new Set([
  'b', 'big', 'blockquote', 'body', 'br', 'center', 'code', 'dd', 'div', 'dl', 'dt', 'em', 'embed', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'head', 'hr', 'i', 'img', 'li', 'listing', 'menu', 'meta', 'nobr', 'ol', 'p', 'pre', 'ruby', 's', 'small', 'span', 'strong', 'strike',
  'sub', 'sup', 'table', 'tt', 'u', 'ul', 'var', 'font', 'a', 'foreignobject', 'annotation-xml',
]);
const NAMED_REFERENCES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The page needs the full HTML parsing rules. */
class Unread extends Error {}

const NUMERIC_REFERENCE = /#(?:([0-9]+)|[xX]([0-9a-fA-F]+))(;?)/y;
const NAMED_REFERENCE = /([a-zA-Z][a-zA-Z0-9]*)(;?)/y;

/** Decodes character references as the parser does, or throws {@link Unread} where it cannot be sure. */
function decodeReferences(text: string, inAttribute: boolean): string {
  let at = text.indexOf('&');
  if (at === -1) return text;
  let out = '';
  let last = 0;
  while (at !== -1) {
    out += text.slice(last, at);
    last = at + 1;
    NUMERIC_REFERENCE.lastIndex = at + 1;
    const numeric = NUMERIC_REFERENCE.exec(text);
    if (numeric) {
      const [whole, decimal, hex, semicolon] = numeric;
      // Without ";", or NUL, a surrogate, beyond Unicode, CR or the C1 range the standard remaps: DOMParser reads it.
      if (semicolon !== ';' || (decimal ?? hex ?? '').length > 7) throw new Unread();
      const code = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || (code >= 0x80 && code <= 0x9f) || code === 0x0d) throw new Unread();
      out += String.fromCodePoint(code);
      last = at + 1 + whole.length;
    } else {
      NAMED_REFERENCE.lastIndex = at + 1;
      const named = NAMED_REFERENCE.exec(text);
      if (named) {
        const [whole, name = '', semicolon] = named;
        const value = semicolon === ';' ? NAMED_REFERENCES[name] : undefined;
        if (value !== undefined) {
          out += value;
          last = at + 1 + whole.length;
        } else if (inAttribute && semicolon === '' && text[at + 1 + whole.length] === '=') {
          // "&page=2" in an attribute stays as written.
          out += '&';
        } else {
          // Any other name may be one of the standard's 2,000 references, some valid without ";".
          throw new Unread();
        }
      } else {
        // "&" before anything but a name or "#digits": a plain ampersand.
        out += '&';
      }
    }
    at = text.indexOf('&', last);
  }
  return out + text.slice(last);
}

/** Elements a cell may hold for this reader (besides SVG content). */
const PHRASING = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'del', 'dfn', 'div', 'em', 'i', 'ins', 'kbd', 'label', 'mark', 'q', 's', 'samp',
  'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var',
]);
const VOID_PHRASING = new Set(['br', 'img', 'wbr', 'input']);
const ROLES_READ = new Set(['img', 'presentation', 'none']);
/** The attributes reading a row looks at (any other is skipped unread). */
const WANTED = new Set(['href', 'datetime', 'title', 'aria-label', 'alt', 'data-bytes', 'data-size', 'data-value', 'data-type', 'data-kind', 'role', 'aria-hidden', 'rel']);

const TAG_NAME = /[a-zA-Z][a-zA-Z0-9-]*/y;
const ATTRIBUTE = /[\t\n\f\r ]*([^\t\n\f\r />="'<][^\t\n\f\r />="'<]*)(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r >"'<=`]+)))?/y;
const TAG_END = /[\t\n\f\r ]*(\/?)>/y;

interface Tag {
  name: string;
  /** Wanted attributes, name and decoded value alternating. */
  attributes: string[];
  selfClosing: boolean;
  end: number;
}

function readTag(html: string, lt: number): Tag {
  TAG_NAME.lastIndex = lt + 1;
  const nameMatch = TAG_NAME.exec(html);
  if (!nameMatch) throw new Unread();
  const name = nameMatch[0].toLowerCase();
  let index = TAG_NAME.lastIndex;
  const after = html.charCodeAt(index);
  if (after === 0x3e /* > */) return { name, attributes: [], selfClosing: false, end: index + 1 };
  if (!(after === 0x20 || after === 0x2f || (after >= 0x09 && after <= 0x0d && after !== 0x0b))) throw new Unread();
  const attributes: string[] = [];
  for (;;) {
    TAG_END.lastIndex = index;
    const end = TAG_END.exec(html);
    if (end) return { name, attributes, selfClosing: end[1] === '/', end: TAG_END.lastIndex };
    ATTRIBUTE.lastIndex = index;
    const attribute = ATTRIBUTE.exec(html);
    if (!attribute || ATTRIBUTE.lastIndex === index) throw new Unread();
    index = ATTRIBUTE.lastIndex;
    const attributeName = (attribute[1] ?? '').toLowerCase();
    if (!WANTED.has(attributeName)) continue;
    for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === attributeName) throw new Unread();
    attributes.push(attributeName, decodeReferences(attribute[2] ?? attribute[3] ?? attribute[4] ?? '', true));
  }
}

function attributeOf(attributes: readonly string[], name: string): string | null {
  for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === name) return attributes[i + 1] ?? '';
  return null;
}

function isIcon(name: string, attributes: readonly string[]): boolean {
  return name === 'svg' || name === 'img' || name === 'i' || attributeOf(attributes, 'role') === 'img' || attributeOf(attributes, 'aria-hidden') === 'true';
}

class QuickCell implements CellView {
  textContent = '';
  /** Text outside icons, and whether an element child exists. */
  visible = '';
  hasElement = false;
  /** The first link inside: its href, its text outside icons, and whether it is (inside) an icon. */
  link: { href: string; visible: string; inIcon: boolean } | undefined;
  /** First descendant values of the attributes `attribute()` is asked for. */
  readonly descendant = new Map<string, string>();
  timeElement: { datetime: string | null; title: string | null } | undefined;

  constructor(
    readonly attributes: readonly string[],
    readonly isIcon: boolean,
  ) {}

  text(): string {
    return this.textContent;
  }

  name(): string {
    if (this.isIcon) return '';
    if (!this.hasElement) return normalizeName(this.textContent);
    if (this.link) return this.link.inIcon ? '' : normalizeName(this.link.visible);
    return normalizeName(this.visible);
  }

  href(): string | undefined {
    return this.link?.href;
  }

  attribute(name: string): string | null | undefined {
    return attributeOf(this.attributes, name) ?? this.descendant.get(name);
  }

  ownAttribute(name: string): string | null {
    return attributeOf(this.attributes, name);
  }

  time(): { datetime: string | null; title: string | null } | undefined {
    return this.timeElement;
  }
}

class QuickRow implements RowView {
  readonly cells: QuickCell[] = [];
  textContent = '';
  folderLabel = false;
  hasHeaderCell = false;
  hasDataCell = false;

  constructor(readonly attributes: readonly string[]) {}

  ownAttribute(name: string): string | null {
    return attributeOf(this.attributes, name);
  }

  labelsFolder(): boolean {
    return this.folderLabel;
  }

  text(): string {
    return this.textContent;
  }
}

interface OpenElement {
  readonly name: string;
  readonly icon: boolean;
  /** This element is the cell's first link. */
  readonly link: boolean;
}

/** The table's rows, in order, or a throw of {@link Unread}. */
function readTableRows(html: string, start: number, end: number): QuickRow[] {
  const rows: QuickRow[] = [];
  /** Where the reader is: in the table (outside rows), in a row (outside cells), in a cell. */
  let row: QuickRow | undefined;
  let cell: QuickCell | undefined;
  /** Elements open inside the current cell. */
  const inside: OpenElement[] = [];
  let iconDepth = 0;
  let svgDepth = 0;
  /** The link open in the current cell (links do not nest): its label and whole text. */
  let openLink: { label: string | null; text: string } | undefined;
  /** The open link is the cell's first: its text outside icons is the cell's name. */
  let firstLinkOpen = false;
  let section: string | undefined;
  let pos = start;

  const addText = (raw: string): void => {
    const text = raw.includes('&') ? decodeReferences(raw, false) : raw;
    if (!cell) {
      if (!/^[\t\n\f\r ]*$/.test(text)) throw new Unread();
      if (row) row.textContent += text;
      return;
    }
    (row as QuickRow).textContent += text;
    cell.textContent += text;
    if (openLink) openLink.text += text;
    if (iconDepth === 0) {
      cell.visible += text;
      if (firstLinkOpen && cell.link) cell.link.visible += text;
    }
  };

  const startInCell = (tag: Tag, current: QuickCell): void => {
    const { name, attributes } = tag;
    const inSvg = svgDepth > 0;
    if (inSvg ? SVG_BREAKOUT.has(name) : !PHRASING.has(name) && !VOID_PHRASING.has(name) && name !== 'svg') throw new Unread();
    const role = attributeOf(attributes, 'role');
    if (role !== null && !ROLES_READ.has(role)) throw new Unread();
    current.hasElement = true;
    for (let i = 0; i < attributes.length; i += 2) {
      const attribute = attributes[i] as string;
      const value = attributes[i + 1] as string;
      if (!current.descendant.has(attribute)) current.descendant.set(attribute, value);
      if ((attribute === 'aria-label' || attribute === 'title' || attribute === 'alt') && isFolderWord(value)) (row as QuickRow).folderLabel = true;
    }
    const icon = isIcon(name, attributes);
    const href = attributeOf(attributes, 'href');
    let link = false;
    if (name === 'a') {
      if (openLink || inSvg) throw new Unread();
      if (href !== null) {
        // A "Next" link inside the table is left to DOMParser's reading of the pager.
        const rel = (attributeOf(attributes, 'rel') ?? '').toLowerCase().split(/[\t\n\f\r ]+/);
        if (rel.includes('next')) throw new Unread();
        openLink = { label: attributeOf(attributes, 'aria-label'), text: '' };
        if (!current.link) {
          current.link = { href, visible: '', inIcon: iconDepth > 0 || icon || current.isIcon };
          link = true;
        }
      }
    }
    if (name === 'time' && current.timeElement === undefined && attributeOf(attributes, 'datetime') !== null) {
      current.timeElement = { datetime: attributeOf(attributes, 'datetime'), title: attributeOf(attributes, 'title') };
    }
    if (VOID_PHRASING.has(name) && !inSvg) return;
    if (inSvg && tag.selfClosing) return;
    inside.push({ name, icon, link });
    if (icon) iconDepth += 1;
    if (name === 'svg') svgDepth += 1;
    if (link) firstLinkOpen = true;
  };

  const endInCell = (name: string): void => {
    const top = inside.pop();
    if (!top || top.name.toLowerCase() !== name) throw new Unread();
    if (top.icon) iconDepth -= 1;
    if (top.name === 'svg') svgDepth -= 1;
    if (top.link) firstLinkOpen = false;
    if (top.name === 'a' && openLink) {
      if (isNextText(openLink.label ?? openLink.text)) throw new Unread();
      openLink = undefined;
    }
  };

  for (;;) {
    const lt = html.indexOf('<', pos);
    if (lt === -1 || lt > end) throw new Unread();
    if (lt > pos) addText(html.slice(pos, lt));
    const next = html.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) {
      TAG_NAME.lastIndex = lt + 2;
      const nameMatch = TAG_NAME.exec(html);
      if (!nameMatch || html.charCodeAt(TAG_NAME.lastIndex) !== 0x3e /* > */) throw new Unread();
      const name = nameMatch[0].toLowerCase();
      pos = TAG_NAME.lastIndex + 1;
      if (cell && inside.length > 0) {
        endInCell(name);
      } else if (cell) {
        if (name !== 'td' && name !== 'th') throw new Unread();
        cell = undefined;
      } else if (row) {
        if (name !== 'tr') throw new Unread();
        rows.push(row);
        row = undefined;
      } else if (section !== undefined && name === section) {
        section = undefined;
      } else if (name === 'table' && section === undefined) {
        if (lt !== end) throw new Unread();
        return rows;
      } else {
        throw new Unread();
      }
      continue;
    }
    if (!((next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a))) throw new Unread();
    const tag = readTag(html, lt);
    pos = tag.end;
    if (cell) {
      startInCell(tag, cell);
      continue;
    }
    if (attributeOf(tag.attributes, 'role') !== null || isIcon(tag.name, tag.attributes)) throw new Unread();
    if (row) {
      if (tag.name !== 'td' && tag.name !== 'th') throw new Unread();
      cell = new QuickCell(tag.attributes, isIcon(tag.name, tag.attributes));
      row.cells.push(cell);
      if (tag.name === 'th') row.hasHeaderCell = true;
      else row.hasDataCell = true;
      for (let i = 0; i < tag.attributes.length; i += 2) {
        const attribute = tag.attributes[i] as string;
        if ((attribute === 'aria-label' || attribute === 'title' || attribute === 'alt') && isFolderWord(tag.attributes[i + 1] as string)) row.folderLabel = true;
      }
      continue;
    }
    if (tag.name === 'tr') {
      row = new QuickRow(tag.attributes);
      continue;
    }
    if ((tag.name === 'thead' || tag.name === 'tbody' || tag.name === 'tfoot') && section === undefined) {
      section = tag.name;
      continue;
    }
    throw new Unread();
  }
}

const TABLE_START = /<table[\t\n\f\r />]/gi;
const TABLE_END = /<\/table>/gi;

/** Index of the first match of `tag` at or after `from`, or -1. */
function findTag(html: string, tag: RegExp, from: number): number {
  tag.lastIndex = from;
  return tag.exec(html)?.index ?? -1;
}

/** The page read quickly, or `undefined` when its markup needs DOMParser; `parseHtml` reads the page around the table. */
export function quickReadFileBrowserPage(source: string, pageUrl: string, parseHtml: (html: string) => Document): FileBrowserPage | undefined {
  try {
    if (source.includes('\0')) return undefined;
    const html = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
    const start = findTag(html, TABLE_START, 0);
    if (start === -1 || findTag(html, TABLE_START, start + 1) !== -1) return undefined;
    const end = findTag(html, TABLE_END, start);
    if (end === -1) return undefined;
    const opening = readTag(html, start);
    if (opening.name !== 'table' || attributeOf(opening.attributes, 'role') !== null || attributeOf(opening.attributes, 'aria-hidden') !== null) return undefined;
    const rows = readTableRows(html, opening.end, end);
    // The rest of the page, with an empty table where the file table was.
    const rest = parseHtml(`${html.slice(0, start)}<table></table>${html.slice(end + '</table>'.length)}`);
    // Another table or grid, or a pager around the table, is read by DOMParser.
    const tables = [...rest.querySelectorAll(TABLE_SELECTOR)];
    if (tables.length !== 1 || tables[0]?.closest('[role="img"], [aria-hidden="true"], svg, img, i')) return undefined;
    const headerIndex = rows.findIndex((row) => row.hasHeaderCell && !row.hasDataCell);
    const header = rows[headerIndex];
    if (!header) return undefined;
    const columns: Map<ListingColumn, number> | undefined = columnsOf(header.cells.map((cell) => cell.ownAttribute('aria-label') ?? cell.textContent));
    if (!columns) return undefined;
    const style = numberStyleOf(rest);
    const pager = readPager(rest, pageUrl, style);
    // A pager whose text would include the table's is left to DOMParser.
    if ((pager.next && !pager.pager) || pager.pager?.querySelector('table')) return undefined;
    if ([...rest.querySelectorAll('nav, [role="navigation"]')].some((nav) => nav.querySelector('table'))) return undefined;
    const body = rows.filter((_row, index) => index !== headerIndex);
    const { files, folders, unreadable } = readRows(body, columns, style, pageUrl);
    return { files, folders, ...(pager.nextUrl ? { nextUrl: pager.nextUrl } : {}), ...(pager.range ? { range: pager.range } : {}), unreadable };
  } catch (error) {
    if (error instanceof Unread) return undefined;
    throw error;
  }
}
