/**
 * Builds a {@link TreeDocument} from a page's HTML without DOMParser, for the markup a file
 * browser's pages are made of: well-nested elements, tables with rows and cells, icons (inline
 * SVG too), links, the common character references. Where the HTML standard's tree building would
 * move or re-create elements — a formatting element closed out of order, content "foster-parented"
 * out of a table, a `<p>` left open before a table (quirks mode), templates, selects, unknown
 * entities — it returns `undefined`, and the caller parses the page with DOMParser instead. So for
 * any page it reads, the tree holds the same elements, attributes and text as the browser's.
 *
 * Not kept: comments, the doctype, and the `html` / `head` / `body` elements themselves (their
 * content is kept in order; the `html` element's attributes stay readable as `documentElement`).
 */
import { TreeDocument, TreeElement, TreeText } from './page-tree.ts';

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr', 'param', 'keygen', 'basefont', 'bgsound']);
/** Elements whose start tag this reader leaves to DOMParser. */
const UNREAD = new Set([
  'template', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext', 'frameset', 'frame', 'select', 'math', 'image', 'isindex',
  'caption', 'object', 'applet', 'marquee', 'listing', 'nobr', 'ruby', 'rb', 'rp', 'rt', 'rtc', 'optgroup', 'option', 'datalist', 'menuitem', 'search',
]);
const FORMATTING = new Set(['a', 'b', 'big', 'code', 'em', 'font', 'i', 'nobr', 's', 'small', 'strike', 'strong', 'tt', 'u']);
/** Start tags that close an open `<p>`. */
const CLOSES_P = new Set([
  'address', 'article', 'aside', 'blockquote', 'center', 'details', 'dialog', 'dir', 'div', 'dl', 'fieldset', 'figcaption', 'figure',
  'footer', 'header', 'hgroup', 'main', 'menu', 'nav', 'ol', 'p', 'section', 'summary', 'ul', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'pre', 'form', 'li', 'dd', 'dt', 'hr', 'xmp', 'plaintext',
]);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const TABLE_SECTIONS = new Set(['tbody', 'thead', 'tfoot']);
/** Where text and elements other than rows and cells would be moved out of the table. */
const TABLE_CONTEXT = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr', 'colgroup']);
const CELLS = new Set(['td', 'th']);
/** HTML start tags that end SVG content (the parser leaves foreign content for them). */
export const SVG_BREAKOUT = new Set([
  'b', 'big', 'blockquote', 'body', 'br', 'center', 'code', 'dd', 'div', 'dl', 'dt', 'em', 'embed', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'head', 'hr', 'i', 'img', 'li', 'listing', 'menu', 'meta', 'nobr', 'ol', 'p', 'pre', 'ruby', 's', 'small', 'span', 'strong', 'strike',
  'sub', 'sup', 'table', 'tt', 'u', 'ul', 'var', 'font', 'a', 'foreignobject', 'annotation-xml',
]);
/** SVG element names the HTML parser writes in camel case (the ones an icon may use). */
const SVG_NAMES = new Map(
  ['clipPath', 'linearGradient', 'radialGradient', 'textPath', 'foreignObject', 'feGaussianBlur', 'feOffset', 'feBlend', 'feColorMatrix', 'feFlood', 'feComposite', 'feMerge', 'feMergeNode', 'animateTransform', 'animateMotion'].map(
    (name) => [name.toLowerCase(), name],
  ),
);
const NAMED_REFERENCES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The page needs the full HTML parsing rules. */
export class Unread extends Error {}

const TAG_NAME = /[a-zA-Z][^\t\n\f\r />]*/y;
const ATTRIBUTE_NAME = /[^\t\n\f\r />=][^\t\n\f\r />=]*/y;
const SPACE = /[\t\n\f\r ]*/y;
const UNQUOTED_VALUE = /[^\t\n\f\r >]*/y;
const NUMERIC_REFERENCE = /#(?:([0-9]+)|[xX]([0-9a-fA-F]+))(;?)/y;
const NAMED_REFERENCE = /([a-zA-Z][a-zA-Z0-9]*)(;?)/y;

/** Decodes character references as the parser does, or throws {@link Unread} where it cannot be sure. */
export function decodeReferences(text: string, inAttribute: boolean): string {
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

interface Tag {
  readonly name: string;
  readonly attributes: string[];
  readonly selfClosing: boolean;
  /** Index just after the tag's `>`. */
  readonly end: number;
}

function readStartTag(html: string, start: number): Tag {
  TAG_NAME.lastIndex = start + 1;
  const nameMatch = TAG_NAME.exec(html);
  if (!nameMatch) throw new Unread();
  const name = nameMatch[0].toLowerCase();
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Unread();
  let index = TAG_NAME.lastIndex;
  const attributes: string[] = [];
  let selfClosing = false;
  for (;;) {
    SPACE.lastIndex = index;
    SPACE.exec(html);
    index = SPACE.lastIndex;
    const char = html[index];
    if (char === undefined) throw new Unread();
    if (char === '>') return { name, attributes, selfClosing, end: index + 1 };
    if (char === '/') {
      if (html[index + 1] === '>') {
        selfClosing = true;
        return { name, attributes, selfClosing, end: index + 2 };
      }
      index += 1;
      continue;
    }
    ATTRIBUTE_NAME.lastIndex = index;
    const attributeMatch = ATTRIBUTE_NAME.exec(html);
    if (!attributeMatch) throw new Unread();
    const attributeName = attributeMatch[0].toLowerCase();
    if (/["'<]/.test(attributeName)) throw new Unread();
    index = ATTRIBUTE_NAME.lastIndex;
    SPACE.lastIndex = index;
    SPACE.exec(html);
    let value = '';
    if (html[SPACE.lastIndex] === '=') {
      SPACE.lastIndex += 1;
      SPACE.exec(html);
      index = SPACE.lastIndex;
      const quote = html[index];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, index + 1);
        if (close === -1) throw new Unread();
        value = html.slice(index + 1, close);
        index = close + 1;
      } else {
        UNQUOTED_VALUE.lastIndex = index;
        value = (UNQUOTED_VALUE.exec(html) ?? [''])[0];
        if (value === '' || /["'<`]/.test(value)) throw new Unread();
        index = UNQUOTED_VALUE.lastIndex;
      }
      value = decodeReferences(value, true);
    }
    // A repeated attribute is dropped: the first one counts.
    let repeated = false;
    for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === attributeName) repeated = true;
    if (!repeated) attributes.push(attributeName, value);
  }
}

/** The tree of `html`, or `undefined` when only a full HTML parser reads it right. */
export function readHtmlPageTree(html: string): TreeDocument | undefined {
  try {
    return build(html);
  } catch (error) {
    if (error instanceof Unread) return undefined;
    throw error;
  }
}

function build(source: string): TreeDocument {
  if (source.includes('\0')) throw new Unread();
  const html = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
  let rootAttributes: string[] = [];
  const documentElement = { getAttribute: (name: string): string | null => {
    for (let i = 0; i < rootAttributes.length; i += 2) if (rootAttributes[i] === name) return rootAttributes[i + 1] ?? null;
    return null;
  } };
  const doc = new TreeDocument(documentElement);
  /** Open elements, innermost last. */
  const stack: TreeElement[] = [];
  let svgDepth = 0;
  let seenRoot = false;
  /** Drop one newline right after `<pre>` (as the parser does). */
  let dropNewline = false;

  const current = (): TreeElement | undefined => stack[stack.length - 1];
  const container = (): TreeElement | TreeDocument => stack[stack.length - 1] ?? doc;
  /** Adds an element that takes no children (void, or self-closed in SVG). */
  const add = (name: string, attributes: string[]): TreeElement => {
    const parent = container();
    const element = new TreeElement(name, attributes, parent);
    parent.appendChild(element);
    return element;
  };
  const addText = (raw: string, decode: boolean): void => {
    let text = decode ? decodeReferences(raw, false) : raw;
    if (dropNewline) {
      dropNewline = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    if (text === '') return;
    const parent = current();
    if (parent && TABLE_CONTEXT.has(parent.localName) && !/^[\t\n\f\r ]*$/.test(text)) throw new Unread();
    const nodes = (parent ?? doc).childNodes;
    const last = nodes[nodes.length - 1];
    if (last instanceof TreeText) last.textContent += text;
    else (parent ?? doc).appendChild(new TreeText(text, parent ?? null));
  };
  const open = (name: string, attributes: string[]): TreeElement => {
    const element = add(name, attributes);
    stack.push(element);
    if (name === 'svg') svgDepth += 1;
    return element;
  };
  const pop = (): void => {
    const element = stack.pop();
    if (element?.localName === 'svg') svgDepth -= 1;
  };
  /** Index of the innermost open `name`, or -1. */
  const openIndex = (name: string): number => {
    for (let i = stack.length - 1; i >= 0; i -= 1) if (stack[i]?.localName === name) return i;
    return -1;
  };
  /** The innermost table structure: 'cell' inside a td/th, 'table' in a table outside cells, or 'body'. */
  const context = (): 'cell' | 'table' | 'body' => {
    for (let i = stack.length - 1; i >= 0; i -= 1) {
      const name = stack[i]?.localName ?? '';
      if (CELLS.has(name)) return 'cell';
      if (TABLE_CONTEXT.has(name)) return 'table';
    }
    return 'body';
  };
  /** Closes the open cell with everything inside it (the parser does the same for a new row or cell). */
  const closeCell = (): void => {
    for (;;) {
      const element = current();
      if (!element) throw new Unread();
      pop();
      if (CELLS.has(element.localName)) return;
    }
  };

  const startTableTag = (name: string, attributes: string[]): void => {
    let top = current()?.localName ?? '';
    if (top === 'colgroup') {
      if (name === 'col') return void add(name, attributes);
      pop();
      top = current()?.localName ?? '';
    }
    if (top === 'table') {
      if (name === 'colgroup' || TABLE_SECTIONS.has(name)) return void open(name, attributes);
      if (name === 'tr' || CELLS.has(name)) {
        open('tbody', []);
        top = 'tbody';
      } else throw new Unread();
    }
    if (TABLE_SECTIONS.has(top)) {
      if (name === 'tr') return void open(name, attributes);
      if (CELLS.has(name)) {
        open('tr', []);
        return void open(name, attributes);
      }
      if (TABLE_SECTIONS.has(name)) {
        pop();
        return void open(name, attributes);
      }
      throw new Unread();
    }
    if (top === 'tr') {
      if (CELLS.has(name)) return void open(name, attributes);
      if (name === 'tr') {
        pop();
        return void open(name, attributes);
      }
      if (TABLE_SECTIONS.has(name)) {
        pop();
        pop();
        return void open(name, attributes);
      }
    }
    throw new Unread();
  };

  const startTag = (tag: Tag): void => {
    const { name, attributes } = tag;
    if (name === 'html' || name === 'head' || name === 'body') {
      if (attributes.some((attribute, i) => i % 2 === 0 && (attribute === 'role' || attribute === 'aria-hidden' || attribute === 'title' || attribute === 'aria-label'))) throw new Unread();
      if (name === 'html' && !seenRoot) rootAttributes = attributes;
      seenRoot ||= name === 'html';
      return;
    }
    if (svgDepth > 0) {
      // Inside an SVG <title> or <desc> the parser reads HTML again: left to DOMParser.
      const top = current()?.localName;
      if (SVG_BREAKOUT.has(name) || top === 'title' || top === 'desc') throw new Unread();
      const element = add(SVG_NAMES.get(name) ?? name, attributes);
      if (!tag.selfClosing) stack.push(element);
      return;
    }
    if (UNREAD.has(name)) throw new Unread();
    const where = context();
    const tableTag = CELLS.has(name) || name === 'tr' || TABLE_SECTIONS.has(name) || name === 'col' || name === 'colgroup';
    if (where === 'table') {
      if (tableTag) return startTableTag(name, attributes);
      throw new Unread();
    }
    if (tableTag) {
      if (where !== 'cell') throw new Unread();
      closeCell();
      return startTableTag(name, attributes);
    }
    const top = current()?.localName ?? '';
    // Without a doctype (quirks mode) a table stays inside an open <p>; with one it closes it.
    if (name === 'table' && scopeHas('p')) throw new Unread();
    if (CLOSES_P.has(name)) {
      if (top === 'p') pop();
      else if (openIndex('p') !== -1 && scopeHas('p')) throw new Unread();
    }
    if (name === 'li' || name === 'dd' || name === 'dt') {
      const siblings = name === 'li' ? ['li'] : ['dd', 'dt'];
      if (siblings.includes(current()?.localName ?? '')) pop();
      else if (siblings.some((sibling) => openIndex(sibling) !== -1)) throw new Unread();
    }
    if (HEADINGS.has(name) && HEADINGS.has(current()?.localName ?? '')) throw new Unread();
    if ((name === 'a' || name === 'button' || name === 'form') && openIndex(name) !== -1) throw new Unread();
    if (VOID.has(name)) {
      add(name, attributes);
      return;
    }
    open(name, attributes);
    if (name === 'pre' || name === 'textarea') dropNewline = true;
  };

  /** Whether `name` is open without a table or cell between it and the innermost element. */
  const scopeHas = (name: string): boolean => {
    for (let i = stack.length - 1; i >= 0; i -= 1) {
      const open = stack[i]?.localName ?? '';
      if (open === name) return true;
      if (CELLS.has(open) || open === 'table' || open === 'svg') return false;
    }
    return false;
  };

  const endTag = (name: string): void => {
    if (name === 'html' || name === 'head' || name === 'body') return;
    if (name === 'br' || (name === 'p' && !scopeHas('p'))) throw new Unread();
    if (svgDepth > 0) {
      // Foreign content: the end tag closes the innermost element of that name inside the SVG.
      for (let i = stack.length - 1; i >= 0; i -= 1) {
        const open = stack[i]?.localName ?? '';
        if (open.toLowerCase() === name) {
          while (stack.length > i) pop();
          return;
        }
        if (open === 'svg') break;
      }
      throw new Unread();
    }
    if (current()?.localName === name) {
      pop();
      return;
    }
    const index = openIndex(name);
    const tableEnd = CELLS.has(name) || name === 'tr' || TABLE_SECTIONS.has(name) || name === 'table';
    if (index === -1) {
      // Stray end tags are ignored, as by the parser, unless they would end table structure.
      if (tableEnd || FORMATTING.has(name)) throw new Unread();
      return;
    }
    const above = stack.slice(index + 1).map((element) => element.localName);
    if (above.includes('svg')) throw new Unread();
    const structure = above.filter((open) => TABLE_CONTEXT.has(open) || CELLS.has(open));
    if (tableEnd) {
      // Ending table structure ends what is open inside it (one cell's content with the cell).
      const inside = CELLS.has(name) ? [] : name === 'tr' ? ['td', 'th'] : TABLE_SECTIONS.has(name) ? ['tr', 'td', 'th'] : ['tbody', 'thead', 'tfoot', 'colgroup', 'tr', 'td', 'th'];
      if (structure.some((open) => !inside.includes(open)) || structure.filter((open) => CELLS.has(open)).length > 1) throw new Unread();
    } else if (FORMATTING.has(name) || structure.length > 0 || above.some((open) => FORMATTING.has(open))) {
      // The parser would re-open formatting elements later, or ignore an end tag outside the cell.
      throw new Unread();
    }
    while (stack.length > index) pop();
  };

  let pos = 0;
  const length = html.length;
  while (pos < length) {
    const lt = html.indexOf('<', pos);
    const textEnd = lt === -1 ? length : lt;
    if (textEnd > pos) addText(html.slice(pos, textEnd), true);
    if (lt === -1) break;
    const next = html.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (html.startsWith('<!--', lt)) {
        if (html.startsWith('<!-->', lt) || html.startsWith('<!--->', lt)) throw new Unread();
        const close = html.indexOf('-->', lt + 4);
        if (close === -1 || html.slice(lt + 4, close).includes('--!')) throw new Unread();
        pos = close + 3;
      } else if (/^<!doctype/i.test(html.slice(lt, lt + 9))) {
        const close = html.indexOf('>', lt);
        if (close === -1) throw new Unread();
        pos = close + 1;
      } else throw new Unread();
      continue;
    }
    if (next === 0x2f /* / */) {
      TAG_NAME.lastIndex = lt + 2;
      const nameMatch = TAG_NAME.exec(html);
      if (!nameMatch) throw new Unread();
      const close = html.indexOf('>', TAG_NAME.lastIndex);
      if (close === -1) throw new Unread();
      const between = html.slice(TAG_NAME.lastIndex, close);
      if (/["']/.test(between)) throw new Unread();
      endTag(nameMatch[0].toLowerCase());
      pos = close + 1;
      continue;
    }
    const isLetter = (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a);
    if (!isLetter) {
      if (next === 0x3f /* ? */) throw new Unread();
      // A "<" that starts no tag is text.
      addText('<', false);
      pos = lt + 1;
      continue;
    }
    const tag = readStartTag(html, lt);
    pos = tag.end;
    if (svgDepth === 0 && (tag.name === 'script' || tag.name === 'style' || tag.name === 'title' || tag.name === 'textarea')) {
      // Raw text up to the matching end tag; a script's comment-like escapes are left to DOMParser.
      const closing = new RegExp(`</${tag.name}[\\t\\n\\f\\r />]`, 'ig');
      closing.lastIndex = pos;
      const found = closing.exec(html);
      if (!found) throw new Unread();
      const raw = html.slice(pos, found.index);
      if (tag.name === 'script' && raw.includes('<!--')) throw new Unread();
      const close = html.indexOf('>', found.index);
      if (close === -1) throw new Unread();
      const where = context();
      if (where === 'table' && tag.name !== 'script' && tag.name !== 'style') throw new Unread();
      const element = add(tag.name, tag.attributes);
      const rcdata = tag.name === 'title' || tag.name === 'textarea';
      if (tag.name === 'textarea') dropNewline = true;
      addTextInto(element, rcdata ? decodeReferences(raw, false) : raw);
      dropNewline = false;
      pos = close + 1;
      continue;
    }
    startTag(tag);
  }
  return doc;

  function addTextInto(element: TreeElement, text: string): void {
    let value = text;
    if (dropNewline && value.startsWith('\n')) value = value.slice(1);
    if (value !== '') element.appendChild(new TreeText(value, element));
  }
}
