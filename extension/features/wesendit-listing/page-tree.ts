/**
 * The small part of the DOM that reading a file-browser page needs: elements with attributes,
 * text, parents and children, and the few CSS selectors the reader uses (`tag`, `[attr]`,
 * `[attr="v"]`, `[attr~="v"]`, compounds of those, comma lists). A parsed `Document` has this
 * shape already; {@link readHtmlPageTree} builds it straight from a page's HTML for the pages whose
 * markup it can read exactly, at a fraction of DOMParser's cost.
 */

export interface PageNode {
  /** 1 for elements, 3 for text. */
  readonly nodeType: number;
  readonly textContent: string | null;
  readonly parentElement: PageElement | null;
}

export interface PageElement extends PageNode {
  readonly localName: string;
  readonly firstElementChild: PageElement | null;
  readonly nextElementSibling: PageElement | null;
  readonly childNodes: Iterable<PageNode>;
  getAttribute(name: string): string | null;
  matches(selector: string): boolean;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}

export interface PageDocument {
  readonly documentElement: { getAttribute(name: string): string | null };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}

type Matcher = (element: TreeElement) => boolean;

/**
 * Attributes whose values selectors compare case-insensitively in HTML documents (of those the
 * reader uses: `rel`; the HTML standard lists more, none of which the reader's selectors name).
 */
const CASE_INSENSITIVE_VALUES = new Set(['rel', 'type', 'lang', 'dir']);

const SELECTOR_PART = /\s*(?:([a-zA-Z][a-zA-Z0-9-]*)|\[\s*([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:(~?=)\s*"([^"]*)"\s*)?\])/y;

function compileCompound(source: string): Matcher {
  const checks: Matcher[] = [];
  SELECTOR_PART.lastIndex = 0;
  let index = 0;
  const text = source.trim();
  while (index < text.length) {
    SELECTOR_PART.lastIndex = index;
    const match = SELECTOR_PART.exec(text);
    if (!match) throw new Error(`Selector "${source}" is outside what the page tree reads.`);
    index = SELECTOR_PART.lastIndex;
    const [, tag, attribute, operator, value] = match;
    if (tag !== undefined) {
      const name = tag.toLowerCase();
      checks.push((element) => element.localName === name);
    } else if (attribute !== undefined) {
      const name = attribute.toLowerCase();
      const fold = CASE_INSENSITIVE_VALUES.has(name);
      const wanted = fold ? (value ?? '').toLowerCase() : (value ?? '');
      if (operator === undefined) checks.push((element) => element.getAttribute(name) !== null);
      else if (operator === '=') checks.push((element) => {
        const actual = element.getAttribute(name);
        return actual !== null && (fold ? actual.toLowerCase() : actual) === wanted;
      });
      else checks.push((element) => {
        const actual = element.getAttribute(name);
        if (actual === null || wanted === '' || /\s/.test(wanted)) return false;
        return (fold ? actual.toLowerCase() : actual).split(/[\t\n\f\r ]+/).includes(wanted);
      });
    }
  }
  if (checks.length === 1) return checks[0] as Matcher;
  return (element) => checks.every((check) => check(element));
}

const compiled = new Map<string, Matcher>();

function matcherFor(selector: string): Matcher {
  let matcher = compiled.get(selector);
  if (!matcher) {
    const alternatives = selector.split(',').map(compileCompound);
    matcher = alternatives.length === 1 ? (alternatives[0] as Matcher) : (element) => alternatives.some((alternative) => alternative(element));
    compiled.set(selector, matcher);
  }
  return matcher;
}

export class TreeText implements PageNode {
  readonly nodeType = 3;
  constructor(
    public textContent: string,
    readonly parentElement: TreeElement | null,
  ) {}
}

/** Children of the tree's root and of its elements. */
abstract class TreeParent {
  readonly childNodes: (TreeElement | TreeText)[] = [];
  /** The element children alone, in order. */
  readonly children: TreeElement[] = [];

  get firstElementChild(): TreeElement | null {
    return this.children[0] ?? null;
  }

  /** Adds a child at the end (elements: also to `children`). */
  appendChild(node: TreeElement | TreeText): void {
    this.childNodes.push(node);
    if (node instanceof TreeElement) {
      node.elementIndex = this.children.length;
      this.children.push(node);
    }
  }

  querySelector(selector: string): TreeElement | null {
    return this.find(matcherFor(selector), true)[0] ?? null;
  }

  querySelectorAll(selector: string): TreeElement[] {
    return this.find(matcherFor(selector), false);
  }

  /** Descendants in document order that match (the first one only when `first`). */
  private find(matches: Matcher, first: boolean): TreeElement[] {
    const found: TreeElement[] = [];
    if (this.children.length === 0) return found;
    const stack: TreeElement[] = [];
    for (let i = this.children.length - 1; i >= 0; i -= 1) stack.push(this.children[i] as TreeElement);
    while (stack.length > 0) {
      const element = stack.pop() as TreeElement;
      if (matches(element)) {
        found.push(element);
        if (first) return found;
      }
      const children = element.children;
      for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i] as TreeElement);
    }
    return found;
  }
}

export class TreeElement extends TreeParent implements PageElement {
  readonly nodeType = 1;
  /** Position among the container's element children. */
  elementIndex = 0;

  constructor(
    readonly localName: string,
    /** Attribute names and values, alternating; names lower-case, first of a name wins. */
    private readonly attributes: readonly string[],
    /** The element or document this element is a child of. */
    private readonly container: TreeParent,
  ) {
    super();
  }

  get parentElement(): TreeElement | null {
    return this.container instanceof TreeElement ? this.container : null;
  }

  getAttribute(name: string): string | null {
    const attributes = this.attributes;
    for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === name) return attributes[i + 1] as string;
    return null;
  }

  get textContent(): string {
    const nodes = this.childNodes;
    if (nodes.length === 1) return (nodes[0] as TreeElement | TreeText).textContent;
    let text = '';
    for (const child of nodes) text += child.textContent;
    return text;
  }

  get nextElementSibling(): TreeElement | null {
    return this.container.children[this.elementIndex + 1] ?? null;
  }

  matches(selector: string): boolean {
    return matcherFor(selector)(this);
  }

  closest(selector: string): TreeElement | null {
    const matches = matcherFor(selector);
    if (matches(this)) return this;
    for (let element = this.parentElement; element; element = element.parentElement) if (matches(element)) return element;
    return null;
  }
}

export class TreeDocument extends TreeParent implements PageDocument {
  constructor(readonly documentElement: { getAttribute(name: string): string | null }) {
    super();
  }
}
