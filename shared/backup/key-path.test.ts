import { describe, expect, it } from 'vitest';
import { decodeKeyPath, encodeKeyPath } from './key-path.ts';

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

function checkSafe(key: string, path: string): void {
  expect(path.startsWith('/'), `${key} → ${path}`).toBe(false);
  for (const component of path.split('/')) {
    expect(component, `${key} → ${path}`).not.toBe('');
    expect(component).not.toBe('.');
    expect(component).not.toBe('..');
    expect(hasForbiddenCharacter(component), `${JSON.stringify(component)} of ${JSON.stringify(key)}`).toBe(false);
    expect(/[. ]$/.test(component), `trailing dot/space in ${JSON.stringify(component)}`).toBe(false);
    expect(RESERVED.test(component.split('.')[0]?.trimEnd() ?? ''), component).toBe(false);
    expect(new TextEncoder().encode(component).length).toBeLessThanOrEqual(255);
  }
}

/** Every path of a set is distinct from every other, and no file path is a folder of another, under every fold. */
function checkNoCollisions(keys: readonly string[]): void {
  const paths = keys.map(encodeKeyPath);
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
