/**
 * rclone's encrypted config file (`RCLONE_ENCRYPT_V0:`), written and read the way rclone 1.60
 * does it in fs/config/crypt.go (`Encrypt`, `Decrypt`, `SetConfigPassword`):
 *
 * - key = SHA-256 of the UTF-8 bytes `"[" + NFKC(password) + "][rclone-config]"`; rclone refuses
 *   a password that is empty after trimming (checkPassword in fs/config/ui.go);
 * - box = NaCl secretbox (XSalsa20-Poly1305) of the plain config under that key and a random
 *   24-byte nonce;
 * - file = the lines `# Encrypted rclone configuration File`, an empty line,
 *   `RCLONE_ENCRYPT_V0:`, then standard base64 (with padding) of nonce ‖ box.
 *
 * rclone 1.60 has no non-interactive command that encrypts a config, so Connect Guard writes
 * this form itself; the s3 suite proves rclone opens it. The secretbox is tweetnacl's (a
 * long-audited port of NaCl), the hash Node's: nothing here is a hand-written primitive.
 *
 * rclone's key derivation is one unsalted SHA-256: a short typed password falls to guessing
 * quickly once rclone.conf is copied. Connect Guard therefore never uses a typed password here,
 * only a random 256-bit one (see tool-keys.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import { ConnectGuardError } from '../../../shared/errors.ts';

export const RCLONE_ENCRYPT_MARKER = 'RCLONE_ENCRYPT_V0:';
const HEADER = `# Encrypted rclone configuration File\n\n${RCLONE_ENCRYPT_MARKER}\n`;
const NONCE_BYTES = nacl.secretbox.nonceLength;

/** rclone's config key for a password (fs/config/crypt.go SetConfigPassword). */
export function rcloneConfigKey(password: string): Uint8Array {
  const normalised = password.normalize('NFKC');
  if (normalised.trim() === '') throw new ConnectGuardError('INVALID_INPUT', 'An rclone config password cannot be empty.');
  return new Uint8Array(createHash('sha256').update(`[${normalised}][rclone-config]`, 'utf8').digest());
}

/** How a config file's text starts: encrypted (V0), encrypted with a version this rclone format does not know, or plain. */
export function rcloneConfigKind(text: string): 'encrypted' | 'unsupported' | 'plain' {
  // As rclone reads it: the first line that is neither empty nor a comment decides.
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line === RCLONE_ENCRYPT_MARKER) return 'encrypted';
    return line.startsWith('RCLONE_ENCRYPT_V') ? 'unsupported' : 'plain';
  }
  return 'plain';
}

/** The encrypted file for a plain config text. */
export function encryptRcloneConfig(plain: string, password: string): string {
  const key = rcloneConfigKey(password);
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const box = nacl.secretbox(new TextEncoder().encode(plain), nonce, key);
  const out = new Uint8Array(nonce.length + box.length);
  out.set(nonce, 0);
  out.set(box, nonce.length);
  key.fill(0);
  return `${HEADER}${Buffer.from(out).toString('base64')}`;
}

/**
 * The plain config text of an encrypted file, or `undefined` when the password does not open it
 * (secretbox cannot tell a wrong password from altered bytes; rclone says "most likely wrong
 * password" for both). A text that is not an encrypted config is an error.
 */
export function decryptRcloneConfig(text: string, password: string): string | undefined {
  if (rcloneConfigKind(text) !== 'encrypted') throw new ConnectGuardError('INVALID_INPUT', 'This rclone config is not encrypted with RCLONE_ENCRYPT_V0.');
  const afterMarker = text.slice(text.indexOf(RCLONE_ENCRYPT_MARKER) + RCLONE_ENCRYPT_MARKER.length);
  // Go's base64 decoder skips line breaks; anything else outside the alphabet is damage.
  const encoded = afterMarker.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw new ConnectGuardError('INVALID_INPUT', 'This encrypted rclone config is damaged: its data is not base64.');
  const bytes = new Uint8Array(Buffer.from(encoded, 'base64'));
  if (bytes.length < NONCE_BYTES + nacl.secretbox.overheadLength) throw new ConnectGuardError('INVALID_INPUT', 'This encrypted rclone config is damaged: its data is too short.');
  const key = rcloneConfigKey(password);
  const opened = nacl.secretbox.open(bytes.subarray(NONCE_BYTES), bytes.subarray(0, NONCE_BYTES), key);
  key.fill(0);
  if (opened === null) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(opened);
  } catch {
    throw new ConnectGuardError('INVALID_INPUT', 'This encrypted rclone config decrypts to text that is not UTF-8.');
  }
}
