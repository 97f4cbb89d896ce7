/**
 * The layout is the architecture: a file's folder says where it runs and what it may reach. The
 * page and the service worker are the extension's security boundary, so content/ (WeSendit's page)
 * never imports background/ (the worker that holds the vault key), and only adapters/ and
 * entrypoints/ touch browser APIs; shared/ is pure TypeScript for both programs; in the companion
 * the CLI and the native host are front doors and s3/ alone speaks to S3 through the SDK.
 *
 * Each rule is checked on the TypeScript syntax tree of every source file (imports, dynamic
 * imports, global identifiers), and each rule has a planted violation below that it must catch,
 * so a rule that stops matching anything fails here too. eslint.config.js states the same rules
 * for the editor.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE_EXTENSIONS = /\.(ts|tsx|mts)$/;

/** What a source file reaches: its import specifiers and the globals it names. */
interface SourceFacts {
  /** Repository-relative path. */
  readonly path: string;
  readonly lines: number;
  /** The comment block before the first statement. */
  readonly header: string;
  /** Import and re-export specifiers, dynamic import() included, as written. */
  readonly specifiers: readonly string[];
  /** Relative specifiers resolved to repository-relative paths. */
  readonly resolved: readonly string[];
  /** Free identifiers the file names that are not declared in it (`chrome`, `document`, …). */
  readonly globals: ReadonlySet<string>;
}

function listSources(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, folder))) {
    const path = join(folder, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...listSources(path));
    else if (SOURCE_EXTENSIONS.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function isTest(path: string): boolean {
  return /\.test\.tsx?$/.test(path) || path.endsWith('/test-support.ts');
}

const WATCHED_GLOBALS = new Set(['chrome', 'browser', 'document', 'window', 'navigator', 'DOMParser', 'HTMLElement', 'Element', 'Node', 'localStorage', 'sessionStorage', 'indexedDB', 'MutationObserver', 'process', 'Buffer', 'require', '__dirname']);

/** Reads a file's facts from its syntax tree (`text` for planted examples). */
export function readSourceFacts(path: string, text = readFileSync(join(ROOT, path), 'utf8')): SourceFacts {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const declared = new Set<string>();
  const named = new Set<string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) specifiers.push(node.arguments[0].text);
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) specifiers.push(node.argument.literal.text);
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isImportSpecifier(node) || ts.isImportClause(node) || ts.isNamespaceImport(node)) && node.name && ts.isIdentifier(node.name)) {
      declared.add(node.name.text);
    }
    if (ts.isBindingElement(node) && ts.isIdentifier(node.name)) declared.add(node.name.text);
    if (ts.isIdentifier(node) && WATCHED_GLOBALS.has(node.text)) {
      const parent = node.parent;
      const isMemberName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isQualifiedName(parent) && parent.right === node);
      const isKey = (ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent)) && parent.name === node;
      // `typeof document` in a type, a type reference `Element`: types are erased, they touch nothing.
      const inType = ts.isTypeReferenceNode(parent) || ts.isTypeQueryNode(parent) || (ts.isQualifiedName(parent) && parent.left === node);
      if (!isMemberName && !isKey && !inType && !ts.isShorthandPropertyAssignment(parent)) named.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  const firstStatement = file.statements[0];
  const headerEnd = firstStatement ? firstStatement.getStart(file) : text.length;
  const resolved = specifiers.filter((spec) => spec.startsWith('.')).map((spec) => relative(ROOT, resolve(ROOT, dirname(path), spec)));
  return {
    path,
    lines: text.split('\n').length,
    header: text.slice(0, headerEnd),
    specifiers,
    resolved,
    globals: new Set([...named].filter((name) => !declared.has(name))),
  };
}

/** A rule: which files it governs, and what it finds wrong with one file's facts. */
interface Rule {
  readonly name: string;
  applies(path: string): boolean;
  check(facts: SourceFacts): string[];
}

const under = (folder: string) => (path: string) => path.startsWith(`${folder}/`);
const BROWSER_MODULES = ['wxt/browser', 'webextension-polyfill', '@wxt-dev/webextension-polyfill'];

function importsInto(facts: SourceFacts, folders: readonly string[]): string[] {
  return facts.resolved.filter((target) => folders.some((folder) => target.startsWith(`${folder}/`))).map((target) => `${facts.path} imports ${target}`);
}

export const RULES: readonly Rule[] = [
  {
    name: 'content/ (WeSendit’s page) imports neither background/ (the worker holding the vault key), ui/ nor entrypoints/',
    applies: under('extension/content'),
    check: (facts) => importsInto(facts, ['extension/background', 'extension/ui', 'extension/entrypoints']),
  },
  {
    name: 'background/ imports neither ui/, content/ nor entrypoints/',
    applies: under('extension/background'),
    check: (facts) => importsInto(facts, ['extension/ui', 'extension/content', 'extension/entrypoints']),
  },
  {
    name: 'ui/ imports neither background/, content/ nor entrypoints/',
    applies: under('extension/ui'),
    check: (facts) => importsInto(facts, ['extension/background', 'extension/content', 'extension/entrypoints']),
  },
  {
    name: 'adapters/ imports neither ui/, content/ nor entrypoints/',
    applies: under('extension/adapters'),
    check: (facts) => importsInto(facts, ['extension/ui', 'extension/content', 'extension/entrypoints']),
  },
  {
    name: 'only adapters/ and entrypoints/ touch browser APIs (browser.*, chrome.*, wxt/browser)',
    applies: (path) => under('extension')(path) && !under('extension/adapters')(path) && !under('extension/entrypoints')(path) && !isTest(path),
    check: (facts) => [
      ...facts.specifiers.filter((spec) => BROWSER_MODULES.includes(spec)).map((spec) => `${facts.path} imports ${spec}`),
      ...['browser', 'chrome'].filter((name) => facts.globals.has(name)).map((name) => `${facts.path} uses the global ${name}`),
    ],
  },
  {
    name: 'shared/ is pure TypeScript: no browser API, no DOM, no node: module, no SDK',
    applies: (path) => under('shared')(path) && !isTest(path),
    check: (facts) => [
      ...facts.specifiers
        .filter((spec) => spec.startsWith('node:') || /^(fs|path|os|crypto|child_process|http|https|net|stream)(\/|$)/.test(spec) || /^@(aws-sdk|smithy)\//.test(spec) || BROWSER_MODULES.includes(spec) || /^(wxt|preact|idb)(\/|$)/.test(spec))
        .map((spec) => `${facts.path} imports ${spec}`),
      ...['chrome', 'browser', 'document', 'window', 'navigator', 'DOMParser', 'HTMLElement', 'localStorage', 'sessionStorage', 'indexedDB', 'MutationObserver', 'process', 'Buffer', 'require', '__dirname']
        .filter((name) => facts.globals.has(name))
        .map((name) => `${facts.path} uses the global ${name}`),
    ],
  },
  {
    name: 'in the companion, s3/ alone touches the AWS SDK (types included)',
    applies: (path) => under('companion/src')(path) && !under('companion/src/s3')(path),
    check: (facts) => facts.specifiers.filter((spec) => /^@(aws-sdk|smithy)\//.test(spec)).map((spec) => `${facts.path} imports ${spec}`),
  },
  {
    name: 'in the companion, cli/ and host/ are front doors: only cli.ts, host.ts and the doors themselves import them',
    applies: (path) => under('companion/src')(path) && !/^companion\/src\/(cli|host)(\.ts|\.test\.ts|\/)/.test(path),
    check: (facts) =>
      facts.resolved
        .filter((target) => /^companion\/src\/(cli|host)(\.ts|\/)/.test(target))
        .map((target) => `${facts.path} imports ${target}`),
  },
  {
    name: 'a source file over 400 lines says why in its header ("Long file: …")',
    applies: (path) => (under('extension')(path) || under('shared')(path) || under('companion')(path)) && !isTest(path),
    check: (facts) => (facts.lines > 400 && !/Long file: \S/.test(facts.header) ? [`${facts.path} has ${facts.lines} lines and no "Long file:" sentence in its header`] : []),
  },
];

/** Every import cycle among the given files (each as a list of paths), by Tarjan's algorithm. */
export function findImportCycles(facts: readonly SourceFacts[]): string[][] {
  const byPath = new Map(facts.map((entry) => [entry.path, entry]));
  const edges = (path: string): string[] => (byPath.get(path)?.resolved ?? []).filter((target) => byPath.has(target));
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (path: string): void => {
    indices.set(path, index);
    low.set(path, index);
    index += 1;
    stack.push(path);
    onStack.add(path);
    for (const next of edges(path)) {
      if (!indices.has(next)) {
        connect(next);
        low.set(path, Math.min(low.get(path) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(path, Math.min(low.get(path) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (low.get(path) === indices.get(path)) {
      const component: string[] = [];
      for (;;) {
        const member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
        if (member === path) break;
      }
      if (component.length > 1 || edges(path).includes(path)) cycles.push(component.sort());
    }
  };
  for (const entry of facts) if (!indices.has(entry.path)) connect(entry.path);
  return cycles;
}

const SOURCES = [...listSources('extension'), ...listSources('shared'), ...listSources('companion')].map((path) => readSourceFacts(path));

describe('rooms by where code runs', () => {
  it('the extension has no features/ or components/ room left: every file is in entrypoints/, background/, content/, ui/ or adapters/', () => {
    const stray = SOURCES.map((facts) => facts.path).filter((path) => under('extension')(path) && !/^extension\/(entrypoints|background|content|ui|adapters)\//.test(path));
    expect(stray).toEqual([]);
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      const governed = SOURCES.filter((facts) => rule.applies(facts.path));
      expect(governed.length, 'the rule governs no file: its folder moved?').toBeGreaterThan(0);
      expect(governed.flatMap((facts) => rule.check(facts))).toEqual([]);
    });
  }

  it('no import circle among the sources', () => {
    expect(findImportCycles(SOURCES.filter((facts) => !isTest(facts.path)))).toEqual([]);
  });
});

describe('the rules catch what they forbid (planted files)', () => {
  const planted = (path: string, text: string): string[] => RULES.filter((rule) => rule.applies(path)).flatMap((rule) => rule.check(readSourceFacts(path, text)));

  it.each([
    ['extension/content/gate/x.ts', "import { ROUTES } from '../../background/router/routes.ts';", 'imports extension/background/router/routes.ts'],
    ['extension/content/gate/x.ts', "export type { Route } from '../../background/router/routes.ts';", 'imports extension/background/router/routes.ts'],
    ['extension/content/gate/x.ts', "const m = await import('../../ui/popup/popup-app.tsx');", 'imports extension/ui/popup/popup-app.tsx'],
    ['extension/background/x.ts', "import { PopupApp } from '../ui/popup/popup-app.tsx';", 'imports extension/ui/popup/popup-app.tsx'],
    ['extension/ui/x.tsx', "import { ROUTES } from '../background/router/routes.ts';", 'imports extension/background/router/routes.ts'],
    ['extension/background/x.ts', "import { browser } from 'wxt/browser';", 'imports wxt/browser'],
    ['extension/content/x.ts', 'chrome.runtime.sendMessage({});', 'uses the global chrome'],
    ['extension/ui/x.tsx', 'void browser.tabs.create({});', 'uses the global browser'],
    ['shared/x.ts', "import { readFile } from 'node:fs/promises';", 'imports node:fs/promises'],
    ['shared/x.ts', "import { S3Client } from '@aws-sdk/client-s3';", 'imports @aws-sdk/client-s3'],
    ['shared/x.ts', 'export const title = () => document.title;', 'uses the global document'],
    ['shared/x.ts', 'export const parse = (html: string) => new DOMParser().parseFromString(html, "text/html");', 'uses the global DOMParser'],
    ['companion/src/backup/x.ts', "import type { S3Client } from '@aws-sdk/client-s3';", 'imports @aws-sdk/client-s3'],
    ['companion/src/inventory/x.ts', "import { EXIT } from '../cli/exit-codes.ts';", 'imports companion/src/cli/exit-codes.ts'],
    ['companion/src/s3/x.ts', "import { runHost } from '../host.ts';", 'imports companion/src/host.ts'],
  ])('%s: %s', (path, text, problem) => {
    expect(planted(path, text).join('\n')).toContain(problem);
  });

  it('allows what is allowed: a local named browser, a member named document, a type named Element, an adapter using browser', () => {
    expect(planted('extension/background/x.ts', 'const browser = createPort(); browser.listen();')).toEqual([]);
    expect(planted('shared/x.ts', 'export const f = (page: { document: string }) => page.document;')).toEqual([]);
    expect(planted('shared/x.ts', 'export type Hit = { element: Element };')).toEqual([]);
    expect(planted('extension/adapters/x.ts', "import { browser } from 'wxt/browser'; browser.runtime.id;")).toEqual([]);
  });

  it('a long file needs its reason in the header', () => {
    const long = `${'const a = 1;\n'.repeat(420)}`;
    expect(planted('shared/long.ts', long).join('\n')).toContain('no "Long file:" sentence');
    expect(planted('shared/long.ts', `/** Long file: one table of every message, kept together. */\n${long}`)).toEqual([]);
  });

  it('finds a circle of three files and none in a line', () => {
    const a = readSourceFacts('shared/a.ts', "import './b.ts';");
    const b = readSourceFacts('shared/b.ts', "import './c.ts';");
    const c = readSourceFacts('shared/c.ts', "import './a.ts';");
    expect(findImportCycles([a, b, c])).toEqual([['shared/a.ts', 'shared/b.ts', 'shared/c.ts']]);
    expect(findImportCycles([a, b, readSourceFacts('shared/c.ts', '')])).toEqual([]);
  });
});
