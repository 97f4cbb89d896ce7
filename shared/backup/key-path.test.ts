import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PATH_BYTES, decodeKeyPath, encodeKeyPath, isHashedKeyPath } from './key-path.ts';

function hasForbiddenCharacter(name: string): boolean {
  return [...name].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) || '\\:*?"<>|'.includes(char);
  });
}
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** Ways file systems fold names: case-insensitive (NTFS, APFS default), normalising (APFS, HFS+). */
const folds: ReadonlyArray<(name: string) => string> = [
  (name) => name.toLowerCase(),
  (name) => name.toUpperCase(),
  (name) => name.normalize('NFC').toLowerCase(),
  (name) => name.normalize('NFD').toUpperCase(),
  (name) => name.normalize('NFC').toUpperCase().toLowerCase(),
];

/** Why a path is not safe to create everywhere, or undefined when it is. */
function unsafeReason(path: string): string | undefined {
  if (path.startsWith('/')) return 'absolute';
  for (const component of path.split('/')) {
    if (component === '' || component === '.' || component === '..') return `component ${JSON.stringify(component)}`;
    if (hasForbiddenCharacter(component)) return `forbidden character in ${JSON.stringify(component)}`;
    if (/[. ]$/.test(component)) return `trailing dot/space in ${JSON.stringify(component)}`;
    if (RESERVED.test(component.split('.')[0]?.trimEnd() ?? '')) return `reserved name ${JSON.stringify(component)}`;
    if (new TextEncoder().encode(component).length > 255) return `component of ${new TextEncoder().encode(component).length} bytes`;
  }
  return undefined;
}

function checkSafe(key: string, path: string): void {
  expect(unsafeReason(path), `${JSON.stringify(key.slice(0, 80))} → ${JSON.stringify(path.slice(0, 120))}`).toBeUndefined();
}

/** Every path of a set is distinct from every other, and no file path is a folder of another, under every fold. */
function checkNoCollisions(keys: readonly string[]): void {
  const paths = keys.map((key) => encodeKeyPath(key));
  for (const fold of folds) {
    const files = new Map<string, string>();
    const folders = new Set<string>();
    paths.forEach((path, index) => {
      const folded = fold(path);
      const other = files.get(folded);
      expect(other, `${JSON.stringify(keys[index])} collides with ${JSON.stringify(other)} as ${folded}`).toBeUndefined();
      files.set(folded, keys[index] ?? '');
      const components = folded.split('/');
      for (let i = 1; i < components.length; i++) folders.add(components.slice(0, i).join('/'));
    });
    for (const [file, key] of files) expect(folders.has(file), `file of ${JSON.stringify(key)} is also a folder`).toBe(false);
  }
}

describe('encodeKeyPath', () => {
  it.each([
    ['photos/2024/a.jpg', 'photos/2024/a.jpg'],
    ['a', 'a.%'],
    ['a/b', 'a/b.%'],
    ['folder/', 'folder/.%'],
    ['folder//double', 'folder/%!/double.%'],
    ['/leading', '%!/leading.%'],
    ['../escape-attempt', '%2E%2E/escape-attempt.%'],
    ['..', '%2E%2E.%'],
    ['./dot', '%2E/dot.%'],
    ['v1.2/notes.txt', 'v1%2E2/notes.txt'],
    ['back\\slash', 'back%5Cslash.%'],
    ['nul\u0000byte.txt', 'nul%00byte.txt'],
    ['line\nbreak.txt', 'line%0Abreak.txt'],
    ['con.txt', '%63on.txt'],
    ['lpt1', '%6Cpt1.%'],
    ['dir/aux', 'dir/%61ux.%'],
    ['trailing.', 'trailing%2E.%'],
    ['trailing space ', 'trailing space%20.%'],
    ['percent%20', 'percent%2520.%'],
    ['tilde~1.txt', 'tilde%7E1.txt'],
    ['colon:star*.txt', 'colon%3Astar%2A.txt'],
  ])('%j → %j', (key, path) => {
    expect(encodeKeyPath(key)).toBe(path);
    expect(decodeKeyPath(path)).toBe(key);
  });

  it('tags names that are not in folded form, before the extension', () => {
    const path = encodeKeyPath('DCIM/IMG_0001.JPG');
    expect(path).toMatch(/^DCIM%~[0-9a-f]{14}\/IMG_0001%~[0-9a-f]{14}\.JPG$/);
    expect(decodeKeyPath(path)).toBe('DCIM/IMG_0001.JPG');
  });

  it('cuts segments longer than 200 bytes into components that end with %+', () => {
    const key = `long/${'x'.repeat(1019)}`;
    const path = encodeKeyPath(key);
    const components = path.split('/');
    expect(components.length).toBeGreaterThan(5);
    expect(components.slice(1, -1).every((component) => component.endsWith('%+'))).toBe(true);
    expect(decodeKeyPath(path)).toBe(key);
    const unicode = `${'é'.repeat(505)}`;
    expect(decodeKeyPath(encodeKeyPath(unicode))).toBe(unicode);
  });

  it('rejects empty keys and unpaired surrogates', () => {
    expect(() => encodeKeyPath('')).toThrow(/empty/);
    expect(() => encodeKeyPath('bad\ud800')).toThrow(/surrogate/);
  });
});

describe('decodeKeyPath', () => {
  it.each(['a', '../x', 'a/b%2', '%ZZ.txt', 'a%+', 'x%2e.txt', 'UPPER.txt', 'A%~0123456789abcd.%', '/abs.txt', 'con.txt', 'a/'])('rejects %j', (path) => {
    expect(() => decodeKeyPath(path)).toThrow(/not a path of a Connect Guard backup/);
  });
});

describe('hostile key sets', () => {
  const hostile = [
    'a', 'a/b', 'a/b/c', 'a.', 'a..', 'a. ', 'A', 'a/B', 'folder/', 'folder/inside.txt', 'folder//double', 'folder///triple', '//leading-double', '/leading', '/',
    '//', 'trailing/', ' leading space', 'trailing space ', '../escape-attempt', '..', '.', './dot', '../../../../etc/passwd', '..\\..\\windows', 'C:\\evil.txt', 'C:',
    '\\\\server\\share', 'UPPER', 'upper', 'Upper', 'uPPer/x', 'upper/x', 'café-nfc', 'cafe\u0301-nfd', 'CAFÉ-NFC', 'Straße', 'STRASSE', 'strasse', 'ſ', 's', 'S', 'ǅ', 'ǆ', 'Ǆ',
    'K', '\u212a', 'k', 'Ω', '\u2126', 'ω', 'con', 'CON', 'con.txt', 'Con.tar.gz', 'nul', 'com1', 'COM1.log', 'lpt9', 'com¹', 'aux/', 'prn /x', 'nul\u0000', '\u0000', '\u001f',
    '\u007f', '\u0085', 'x%2E', 'x.', 'x%', '%', '%%', '%!', '.%', '%+', '%~0123456789abcd', 'x%~0123456789abcd.txt', 'tilde~', 'PROGRA~1', 'program files', 'a/b.%', 'a/b%+/c',
    'a:b', 'a*b', 'a?b', 'a"b', 'a<b', 'a>b', 'a|b', '日本語/ファイル.txt', 'emoji-😀', 'emoji-😀/inside', `long/${'x'.repeat(1019)}`, `long/${'x'.repeat(1018)}`,
    `${'é'.repeat(300)}/${'É'.repeat(200)}`, `${'.'.repeat(600)}`, `${'%'.repeat(340)}`, `${'A'.repeat(250)}.txt`, `${'a'.repeat(250)}.txt`, `${'a'.repeat(250)}/x`,
  ];

  it('round-trip, stay inside the folder, are valid names everywhere', () => {
    for (const key of hostile) {
      const path = encodeKeyPath(key);
      checkSafe(key, path);
      expect(decodeKeyPath(path), JSON.stringify(key)).toBe(key);
    }
  });

  it('never collide, even when the file system folds case or Unicode form', () => {
    checkNoCollisions(hostile);
  });

  it('random keys from a hostile alphabet round-trip without collisions', () => {
    const alphabet = ['a', 'A', 'b', '.', ' ', '/', '\\', '%', '~', ':', '\u0000', '\n', 'é', 'e\u0301', 'É', 'ß', '😀', 'c', 'o', 'n', '+', '!', '1'];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const keys = new Set<string>();
    while (keys.size < 4000) {
      let key = '';
      const length = 1 + random(12);
      for (let i = 0; i < length; i++) key += alphabet[random(alphabet.length)];
      keys.add(key);
    }
    const list = [...keys];
    for (const key of list) {
      const path = encodeKeyPath(key);
      checkSafe(key, path);
      expect(decodeKeyPath(path)).toBe(key);
    }
    checkNoCollisions(list);
  });
});

/**
 * Paths of a set of keys under one budget: distinct, under every fold, and no file is also a
 * folder. Folders are numbered as they are met, so deep paths cost their depth, not its square.
 */
function checkNoCollisionsWithin(keys: readonly string[], maxPathBytes: number): void {
  const paths = keys.map((key) => encodeKeyPath(key, maxPathBytes));
  for (const fold of folds) {
    const folderIds = new Map<string, number>();
    const files = new Map<string, string>();
    paths.forEach((path, index) => {
      const components = fold(path).split('/');
      let parent = 0;
      for (const component of components.slice(0, -1)) {
        const id = `${parent}/${component}`;
        parent = folderIds.get(id) ?? folderIds.set(id, folderIds.size + 1).size;
      }
      const file = `${parent}/${components.at(-1) ?? ''}`;
      const other = files.get(file);
      expect(other, `${JSON.stringify(keys[index]?.slice(0, 80))} collides with ${JSON.stringify(other?.slice(0, 80))}`).toBeUndefined();
      files.set(file, keys[index] ?? '');
    });
    for (const [file, key] of files) expect(folderIds.has(file), `file of ${JSON.stringify(key.slice(0, 80))} is also a folder`).toBe(false);
  }
}

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/** Keys S3 allows (1 to 1,024 UTF-8 bytes) that stress a path: length, depth, case, Unicode form, reserved names. */
function generatedKeys(seed: number): string[] {
  let state = seed >>> 0;
  const random = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const segments = ['A', 'b', 'Ab', 'CON', 'aux', 'Nul.txt', 'é', 'e\u0301', 'É', 'ß', 'ẞ', '😀', '..', '.', '', ' ', 'x~1', '%', '%+', 'IMG_0001.JPG', 'K', '\u212a', 'ǅ', 'ῼ'];
  const keys = new Set<string>();
  const add = (key: string): void => {
    let trimmed = key;
    while (utf8Length(trimmed) > 1024) trimmed = Array.from(trimmed).slice(0, -1).join('');
    if (trimmed !== '') keys.add(trimmed);
  };
  // The defect's shape: a legal 1,023-byte key of one-letter upper-case folders.
  add(`${'A/'.repeat(511)}B`);
  add(`${'a/'.repeat(511)}b`);
  add(`${'Z/'.repeat(300)}${'y'.repeat(423)}`);
  add('x'.repeat(1024));
  add('%'.repeat(1024));
  add('é'.repeat(512));
  add('e\u0301'.repeat(341));
  add('😀'.repeat(256));
  for (let n = 0; n < 400; n++) {
    let key = '';
    const depth = 1 + random(random(4) === 0 ? 400 : 12);
    for (let i = 0; i < depth; i++) key += (i > 0 ? '/' : '') + (segments[random(segments.length)] ?? '');
    add(key);
    // Twins: by case and by Unicode form, at the full length too.
    add(key.toUpperCase());
    add(key.toLowerCase());
    add(key.normalize('NFD'));
    add(key.normalize('NFC'));
  }
  return [...keys];
}

describe('every legal key fits the file system', () => {
  // Linux PATH_MAX 4096 (with its NUL) less a long backup folder; the default; Windows MAX_PATH
  // 260 less `C:\Users\…\ConnectGuard\backups\<bucket>\<time>\objects\`.
  const budgets: readonly [string, number | undefined][] = [
    ['Linux, a 300-byte backup folder', 4095 - 300],
    ['the default budget', undefined],
    ['Windows MAX_PATH', 259 - 90],
  ];

  it.each(budgets)('%s: every component ≤ 255 bytes, the whole path within the budget, readable paths decode back, no collisions', (_label, budget) => {
    const keys = generatedKeys(budget ?? 7);
    const limit = budget ?? DEFAULT_MAX_PATH_BYTES;
    let hashed = 0;
    for (const key of keys) {
      const path = budget === undefined ? encodeKeyPath(key) : encodeKeyPath(key, budget);
      checkSafe(key, path);
      expect(utf8Length(path), `${JSON.stringify(key.slice(0, 60))}… (${utf8Length(key)} bytes) → ${utf8Length(path)} bytes`).toBeLessThanOrEqual(limit);
      if (isHashedKeyPath(path)) hashed++;
      else expect(decodeKeyPath(path)).toBe(key);
    }
    // The one-letter upper-case folders cannot be written readably within any of these budgets.
    expect(isHashedKeyPath(encodeKeyPath(`${'A/'.repeat(511)}B`, limit))).toBe(true);
    expect(hashed).toBeGreaterThan(0);
    expect(hashed).toBeLessThan(keys.length);
    checkNoCollisionsWithin(keys, limit);
  });

  it('a key whose readable path fits keeps it; a hashed path is the same for the same key and names no part of it', () => {
    expect(encodeKeyPath('photos/2024/a.jpg', 100)).toBe('photos/2024/a.jpg');
    const key = `${'A/'.repeat(511)}B`;
    const path = encodeKeyPath(key, 4000);
    expect(path).toBe(encodeKeyPath(key, 4000));
    expect(path).toMatch(/^%#\/[0-9a-f]{2}\/[0-9a-f]{64}\.%$/);
    expect(() => decodeKeyPath(path)).toThrow(/not a path of a Connect Guard backup/);
  });

  it('refuses a budget too small for even a hashed path, naming the fix', () => {
    expect(() => encodeKeyPath('a', 10)).toThrow(/shorter backup folder/);
  });
});
