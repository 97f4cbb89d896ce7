/**
 * Scans every regular file under a directory (a Chromium profile) for a secret, in the encodings
 * a leak would most likely take: UTF-8, UTF-16LE, hex (either case), base64 and base64url. A secret inside a larger
 * base64 blob can start at any byte offset mod 3, so the base64 needles are built for all three
 * alignments with the edge characters that depend on neighbouring bytes trimmed. Files are
 * streamed in chunks that overlap by the longest needle, so large files are read whole without
 * being held in memory and no match is lost on a chunk boundary.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface SecretMatch {
  readonly file: string;
  readonly encoding: string;
}

interface Needle {
  readonly encoding: string;
  readonly bytes: Buffer;
}

/** The base64 characters that encode only the secret's bits when it starts at `offset` mod 3. */
function base64Core(secret: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), secret]).toString('base64');
  const skip = offset === 0 ? 0 : offset === 1 ? 2 : 3;
  const end = Math.floor(((offset + secret.length) * 8) / 6);
  return encoded.slice(skip, end);
}

/**
 * The byte strings a leak of `secret` would leave: a text secret as UTF-8 and UTF-16LE, a binary
 * one (a key) as its raw bytes; either as hex and base64 too.
 */
export function secretNeedles(secret: string | Uint8Array): Needle[] {
  if (secret.length < 8) throw new Error('A secret to scan for must be at least 8 characters or bytes, or matches mean nothing.');
  const utf8 = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  const needles: Needle[] = [
    ...(typeof secret === 'string' ? [{ encoding: 'utf8', bytes: utf8 }, { encoding: 'utf16le', bytes: Buffer.from(secret, 'utf16le') }] : [{ encoding: 'raw', bytes: utf8 }]),
    { encoding: 'hex', bytes: Buffer.from(utf8.toString('hex'), 'ascii') },
    { encoding: 'HEX', bytes: Buffer.from(utf8.toString('hex').toUpperCase(), 'ascii') },
  ];
  for (const offset of [0, 1, 2]) {
    const core = base64Core(utf8, offset);
    needles.push({ encoding: `base64@${offset}`, bytes: Buffer.from(core, 'ascii') });
    const url = core.replace(/\+/g, '-').replace(/\//g, '_');
    if (url !== core) needles.push({ encoding: `base64url@${offset}`, bytes: Buffer.from(url, 'ascii') });
  }
  return needles;
}

async function* regularFiles(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // Removed while scanning (Chromium cleans up after itself).
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* regularFiles(path);
    else if (entry.isFile()) yield path;
    else if (!entry.isSymbolicLink()) {
      const info = await lstat(path).catch(() => undefined);
      if (info?.isFile()) yield path;
    }
  }
}

async function scanFile(path: string, needles: readonly Needle[]): Promise<string[]> {
  const overlap = Math.max(...needles.map((needle) => needle.bytes.length)) - 1;
  const found = new Set<string>();
  let tail: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const data: Buffer = Buffer.concat([tail, Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))]);
      for (const needle of needles) if (!found.has(needle.encoding) && data.includes(needle.bytes)) found.add(needle.encoding);
      tail = data.subarray(Math.max(0, data.length - overlap));
    }
  } catch (error) {
    // A file Chromium deleted between listing and reading holds nothing any more.
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
  return [...found];
}

/** Every file under `dir` holding `secret`, with the encodings found. */
export async function scanDirectoryForSecretDetailed(dir: string, secret: string | Uint8Array): Promise<SecretMatch[]> {
  const needles = secretNeedles(secret);
  const matches: SecretMatch[] = [];
  for await (const file of regularFiles(dir)) {
    for (const encoding of await scanFile(file, needles)) matches.push({ file, encoding });
  }
  return matches;
}

/** Files under `dir` that contain `secret` as UTF-8, UTF-16LE, hex, base64 or base64url. */
export async function scanDirectoryForSecret(dir: string, secret: string | Uint8Array): Promise<string[]> {
  const matches = await scanDirectoryForSecretDetailed(dir, secret);
  return [...new Set(matches.map((match) => `${match.file} (${matches.filter((m) => m.file === match.file).map((m) => m.encoding).join(', ')})`))];
}
