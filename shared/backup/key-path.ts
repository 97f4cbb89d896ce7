/**
 * S3 keys ↔ relative file paths inside a backup's `objects/` folder: safe on Linux, macOS and
 * Windows, reversible, and collision-free even on case-insensitive or normalising file systems.
 *
 * An S3 key is any UTF-8 string up to 1024 bytes; `/` is only a convention. A key is split at
 * every `/` into segments; all but the last are folders ("dir" role), the last is the file
 * ("leaf" role). Each segment is encoded on its own:
 *
 * 1. Escaping. `%` starts every escape, so a literal `%` is `%25`. Escaped as `%XX` (uppercase
 *    hex of each UTF-8 byte): control characters (U+0000–U+001F, U+007F–U+009F), the
 *    characters Windows forbids (`\ / : * ? " < > |`), `~` (Windows 8.3 short names such as
 *    `PROGRA~1` could alias another file), trailing dots and spaces (Windows drops them), and in
 *    folders every `.` (see 4). `..`, `.` and `/leading` can therefore never climb or root a path.
 * 2. Empty segments (`a//b`, `/leading`, the `folder/` marker object) are `%!` as folders;
 *    as a file the empty name becomes `.%` by rule 4.
 * 3. Case and Unicode form. A segment is canonical when it is NFC and equal to its lower case
 *    and to the lower case of its upper case. Two different canonical segments never fold to
 *    the same name, so they cannot collide on a case-insensitive or normalising file system.
 *    A segment that is not canonical (`IMG_0001.JPG`, `Café`, an NFD `café`, `ß`) gets a tag
 *    `%~` + 14 hex digits of a 53-bit hash of the exact segment, before the file extension
 *    (`IMG_0001%~0123456789abcd.JPG`), so `UPPER`, `Upper` and `upper` stay three files.
 * 4. Files and folders never share a name, so a key that is both an object and a "folder" of
 *    others (`a` and `a/b`) fits: folder names contain no literal `.` (escaped as `%2E`), file
 *    names always do: a file name without one gets the suffix `.%` (`README` → `README.%`).
 * 5. Long segments. A name is cut into components of at most 200 bytes (never inside an escape
 *    or a character); every component but the last ends with `%+` and is a folder. File systems
 *    allow 255 bytes per name; the rest leaves room for the escapes of rule 6.
 * 6. Windows reserved device names (CON, PRN, AUX, NUL, COM0–9, LPT0–9, also with an extension)
 *    get their first character escaped (`con.txt` → `%63on.txt`).
 *
 * 7. Length. The readable path of a 1,024-byte key can reach about 9 KB (many short folder names
 *    that each need a tag), past what a file system takes (Linux PATH_MAX 4,096 bytes for the
 *    whole path, the backup folder included; macOS 1,024; Windows MAX_PATH 260). A key whose
 *    readable path would be longer than the budget it is given goes to a hashed path instead:
 *    `%#/` + two hex digits + `/` + the SHA-256 of the key + `.%` (72 bytes). The manifest
 *    records every object's path, so a restore reads it back from there.
 *
 * `%` followed by anything but two hex digits is reserved for the markers `%!`, `%~`, `%+`, `%#`
 * and `.%`, so decoding is unambiguous and a readable path never looks hashed. The backup
 * manifest stores every key, so a restore never depends on decoding; `decodeKeyPath` still
 * round-trips readable paths and rejects any path `encodeKeyPath` would not have produced
 * (hashed paths included: they are read from the manifest). Paths use `/`.
 */
import { ConnectGuardError } from '../errors.ts';
import { sha256Hex } from './sha256-hex.ts';

const MAX_COMPONENT_BYTES = 200;
/** Where hashed paths live: a folder name no readable path can have. */
const HASHED_FOLDER = '%#';
/** `%#/ab/<64 hex>.%` */
const HASHED_PATH_BYTES = HASHED_FOLDER.length + 1 + 2 + 1 + 64 + 2;

/**
 * The budget `encodeKeyPath` uses when given none: Linux's PATH_MAX (4,096 bytes with its NUL)
 * less 512 bytes for the backup folder's own path and `/objects/`. The companion passes the exact
 * budget for its folder and platform.
 */
export const DEFAULT_MAX_PATH_BYTES = 4095 - 512;
const TAG_PATTERN = /%~[0-9a-f]{14}/;
const RESERVED_STEM = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

type Role = 'dir' | 'leaf';

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

function hex(byte: number): string {
  return '%' + byte.toString(16).toUpperCase().padStart(2, '0');
}

function escapeCodePoint(char: string): string {
  let text = '';
  for (const byte of encoder.encode(char)) text += hex(byte);
  return text;
}

function mustEscape(codePoint: number, role: Role): boolean {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return true;
  switch (codePoint) {
    case 0x25: // %
    case 0x5c: // \
    case 0x2f: // /
    case 0x3a: // :
    case 0x2a: // *
    case 0x3f: // ?
    case 0x22: // "
    case 0x3c: // <
    case 0x3e: // >
    case 0x7c: // |
    case 0x7e: // ~
      return true;
    case 0x2e: // .
      return role === 'dir';
    default:
      return false;
  }
}

/** cyrb53 (public domain): a fast 53-bit string hash, as 14 hex digits. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

function isCanonical(segment: string): boolean {
  const lower = segment.toLowerCase();
  return segment === lower && segment === segment.normalize('NFC') && segment.toUpperCase().toLowerCase() === segment;
}

/** The atoms of an encoded name: one literal character, one `%XX…` escape, or one marker. */
function escapeSegment(segment: string, role: Role): string[] {
  const chars = Array.from(segment);
  let trailing = chars.length;
  while (trailing > 0 && (chars[trailing - 1] === '.' || chars[trailing - 1] === ' ')) trailing--;
  const atoms: string[] = [];
  chars.forEach((char, index) => {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
      throw new ConnectGuardError('INVALID_INPUT', 'An object key holds an unpaired surrogate, which is not valid UTF-8 and cannot be an S3 key.');
    }
    atoms.push(index >= trailing || mustEscape(codePoint, role) ? escapeCodePoint(char) : char);
  });
  return atoms;
}

function encodeSegment(segment: string, role: Role): string[] {
  let atoms = escapeSegment(segment, role);
  if (atoms.length === 0 && role === 'dir') atoms = ['%!'];
  if (!isCanonical(segment)) {
    const tag = `%~${hash53(segment)}`;
    const dot = role === 'leaf' ? atoms.lastIndexOf('.') : -1;
    if (dot > 0) atoms.splice(dot, 0, tag);
    else atoms.push(tag);
  }
  // Rule 5: components of at most MAX_COMPONENT_BYTES.
  const components: string[][] = [[]];
  let size = 0;
  for (const atom of atoms) {
    const bytes = utf8Length(atom);
    const current = components[components.length - 1];
    if (current && current.length > 0 && size + bytes > MAX_COMPONENT_BYTES) {
      components.push([atom]);
      size = bytes;
    } else {
      current?.push(atom);
      size += bytes;
    }
  }
  return components.map((component, index) => {
    const last = index === components.length - 1;
    let name = component.join('');
    if (!last) name += '%+';
    else if (role === 'leaf' && !component.includes('.')) name += '.%';
    const stem = name.split('.')[0]?.replace(/ +$/, '') ?? '';
    if (RESERVED_STEM.test(stem)) name = escapeCodePoint(name.charAt(0)) + name.slice(1);
    return name;
  });
}

/** The readable, reversible path of a key (rules 1–6), however long. */
function readablePath(key: string): string {
  if (key === '') throw new ConnectGuardError('INVALID_INPUT', 'An empty object key cannot be backed up.');
  const segments = key.split('/');
  const parts: string[] = [];
  segments.forEach((segment, index) => parts.push(...encodeSegment(segment, index === segments.length - 1 ? 'leaf' : 'dir')));
  return parts.join('/');
}

/**
 * The relative path (with `/`) for an S3 key inside a backup's objects folder: readable and
 * reversible when it fits `maxPathBytes` (UTF-8 bytes, which also bounds UTF-16 lengths), else
 * the hashed path of rule 7. Never absolute, never with a `.` or `..` component, an empty
 * component, a backslash or a control character; every component at most 255 bytes.
 *
 * @param maxPathBytes what the file system leaves for this path below the objects folder.
 * @throws ConnectGuardError `INVALID_INPUT` for a key that is empty or not valid UTF-8, or a
 *   budget too small for even a hashed path.
 */
export function encodeKeyPath(key: string, maxPathBytes: number = DEFAULT_MAX_PATH_BYTES): string {
  if (maxPathBytes < HASHED_PATH_BYTES) {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `The backup folder's path is too long: it leaves ${Math.max(0, maxPathBytes)} bytes for the paths of the objects inside it, and at least ${HASHED_PATH_BYTES} are needed. Choose a shorter backup folder (--to DIR).`,
    );
  }
  const readable = readablePath(key);
  if (readable.length <= maxPathBytes && utf8Length(readable) <= maxPathBytes) return readable;
  const digest = sha256Hex(key);
  return `${HASHED_FOLDER}/${digest.slice(0, 2)}/${digest}.%`;
}

/** Whether a path is a hashed one (rule 7): its key is known only from the manifest. */
export function isHashedKeyPath(path: string): boolean {
  return path.startsWith(`${HASHED_FOLDER}/`);
}

function percentDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === '%') {
      const pair = text.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(pair)) throw new Error('bad escape');
      bytes.push(parseInt(pair, 16));
      i += 3;
      continue;
    }
    const codePoint = text.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(codePoint);
    bytes.push(...encoder.encode(char));
    i += char.length;
  }
  return decoder.decode(new Uint8Array(bytes));
}

/**
 * The S3 key of a relative path made by `encodeKeyPath`.
 *
 * @throws ConnectGuardError `INVALID_INPUT` for a path `encodeKeyPath` would not produce.
 */
export function decodeKeyPath(path: string): string {
  const invalid = (): ConnectGuardError => new ConnectGuardError('INVALID_INPUT', `"${path}" is not a path of a Connect Guard backup (it does not decode to an object key).`);
  const segments: string[] = [];
  let pending = '';
  for (const component of path.split('/')) {
    if (component.endsWith('%+')) {
      pending += component.slice(0, -2);
      continue;
    }
    segments.push(pending + component);
    pending = '';
  }
  if (pending !== '') throw invalid();
  const decoded = segments.map((encoded, index) => {
    let text = encoded;
    if (index === segments.length - 1 && text.endsWith('.%')) text = text.slice(0, -2);
    text = text.replace(TAG_PATTERN, '');
    if (text === '%!') return '';
    try {
      return percentDecode(text);
    } catch {
      throw invalid();
    }
  });
  const key = decoded.join('/');
  if (key === '' || readablePath(key) !== path) throw invalid();
  return key;
}
