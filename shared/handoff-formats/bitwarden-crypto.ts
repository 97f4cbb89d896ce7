/**
 * The cryptography of Bitwarden's password-protected export, as Bitwarden's own SDK does it
 * (github.com/bitwarden/sdk-internal: crates/bitwarden-exporters/src/encrypted_json.rs,
 * crates/bitwarden-crypto/src/keys/{pin_key,kdf,utils}.rs and
 * src/hazmat/symmetric_encryption/aes256_cbc_hmac_sha256_ae.rs):
 *
 * - key material = KDF(password as UTF-8, salt), where `salt` is the base64 *text* written in the
 *   file (its UTF-8 bytes, not the decoded bytes);
 *   - kdfType 0: PBKDF2-HMAC-SHA256, `kdfIterations` rounds, 32 bytes;
 *   - kdfType 1: Argon2id v1.3 with salt = SHA-256(salt text), `kdfMemory` in MiB,
 *     `kdfIterations` passes, `kdfParallelism` lanes, 32 bytes;
 * - stretched key = HKDF-Expand-SHA256(material, "enc", 32) ‖ HKDF-Expand-SHA256(material, "mac", 32)
 *   (Expand only: the material is used as the PRK, no Extract step);
 * - EncString type 2: `2.<b64 iv>|<b64 ciphertext>|<b64 mac>`, AES-256-CBC with PKCS#7 padding and
 *   a random 16-byte IV, mac = HMAC-SHA256(macKey, iv ‖ ciphertext) (encrypt-then-MAC).
 *
 * Every primitive is WebCrypto's (PBKDF2, HMAC, AES-CBC, SHA-256) or hash-wasm's Argon2id.
 * WebCrypto's HKDF always runs Extract first, so Expand (RFC 5869 §2.3) is composed here from
 * WebCrypto HMAC: T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i).
 */
import { argon2id } from 'hash-wasm';
import { ConnectGuardError } from '../errors.ts';
import { base64ToBytes, bytesToBase64 } from '../vault-format/base64.ts';
import { randomBytes, subtle, utf8 } from '../vault-format/vault-crypto.ts';

/** kdfType 0 (PBKDF2-SHA256) or 1 (Argon2id), with the file's own units (memory in MiB). */
export type BitwardenKdf =
  | { readonly kdfType: 0; readonly iterations: number }
  | { readonly kdfType: 1; readonly iterations: number; readonly memoryMiB: number; readonly parallelism: number };

/** The encryption and MAC halves of a stretched key (32 bytes each). */
export interface BitwardenKeyPair {
  readonly encKey: Uint8Array<ArrayBuffer>;
  readonly macKey: Uint8Array<ArrayBuffer>;
}

const IV_BYTES = 16;
const MAC_BYTES = 32;

/** The 32 bytes of key material KDF(password, salt text). */
export async function deriveBitwardenKeyMaterial(password: string, saltText: string, kdf: BitwardenKdf): Promise<Uint8Array<ArrayBuffer>> {
  const passwordBytes = utf8(password);
  const salt = utf8(saltText);
  if (kdf.kdfType === 0) {
    const base = await subtle().importKey('raw', passwordBytes, 'PBKDF2', false, ['deriveBits']);
    return new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: kdf.iterations }, base, 256));
  }
  const saltHash = new Uint8Array(await subtle().digest('SHA-256', salt));
  const out = await argon2id({
    password: passwordBytes,
    salt: saltHash,
    memorySize: kdf.memoryMiB * 1024,
    iterations: kdf.iterations,
    parallelism: kdf.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
  return Uint8Array.from(out);
}

/** HKDF-Expand (RFC 5869 §2.3) with SHA-256, from WebCrypto HMAC. */
export async function hkdfExpandSha256(prk: Uint8Array<ArrayBuffer>, info: string, length: number): Promise<Uint8Array<ArrayBuffer>> {
  if (prk.length < 32) throw new ConnectGuardError('INVALID_INPUT', 'HKDF-Expand needs a pseudorandom key of at least 32 bytes.');
  if (!Number.isSafeInteger(length) || length < 1 || length > 255 * 32) throw new ConnectGuardError('INVALID_INPUT', 'HKDF-Expand output must be 1 to 8160 bytes.');
  const key = await subtle().importKey('raw', prk, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const infoBytes = utf8(info);
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  for (let block = 1, offset = 0; offset < length; block++) {
    const input = new Uint8Array(previous.length + infoBytes.length + 1);
    input.set(previous, 0);
    input.set(infoBytes, previous.length);
    input[input.length - 1] = block;
    previous = new Uint8Array(await subtle().sign('HMAC', key, input));
    out.set(previous.subarray(0, Math.min(previous.length, length - offset)), offset);
    offset += previous.length;
  }
  return out;
}

/** Bitwarden's `stretch_key`: the 32-byte material → an AES key and a MAC key. */
export async function stretchBitwardenKey(material: Uint8Array<ArrayBuffer>): Promise<BitwardenKeyPair> {
  const [encKey, macKey] = await Promise.all([hkdfExpandSha256(material, 'enc', 32), hkdfExpandSha256(material, 'mac', 32)]);
  return { encKey, macKey };
}

/** The export key: stretch(KDF(password, salt text)). */
export async function deriveBitwardenExportKey(password: string, saltText: string, kdf: BitwardenKdf): Promise<BitwardenKeyPair> {
  const material = await deriveBitwardenKeyMaterial(password, saltText, kdf);
  try {
    return await stretchBitwardenKey(material);
  } finally {
    material.fill(0);
  }
}

function hmacKey(macKey: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return subtle().importKey('raw', macKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The parts of a type-2 EncString. */
export interface EncStringParts {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
  readonly mac: Uint8Array<ArrayBuffer>;
}

/** AES-256-CBC then HMAC-SHA256 over iv ‖ ciphertext, with the IV given (tests pin it). */
export async function encryptWithIv(plaintext: Uint8Array<ArrayBuffer>, key: BitwardenKeyPair, iv: Uint8Array<ArrayBuffer>): Promise<EncStringParts> {
  const aes = await subtle().importKey('raw', key.encKey, 'AES-CBC', false, ['encrypt']);
  const ciphertext = new Uint8Array(await subtle().encrypt({ name: 'AES-CBC', iv }, aes, plaintext));
  const hmac = await hmacKey(key.macKey);
  const mac = new Uint8Array(await subtle().sign('HMAC', hmac, concat(iv, ciphertext)));
  return { iv: Uint8Array.from(iv), ciphertext, mac };
}

export function formatEncString(parts: EncStringParts): string {
  return `2.${bytesToBase64(parts.iv)}|${bytesToBase64(parts.ciphertext)}|${bytesToBase64(parts.mac)}`;
}

/** Encrypts UTF-8 text to a type-2 EncString with a fresh random IV. */
export async function encryptBitwardenString(text: string, key: BitwardenKeyPair): Promise<string> {
  return formatEncString(await encryptWithIv(utf8(text), key, randomBytes(IV_BYTES)));
}

/** Parses `2.iv|ct|mac`; `undefined` for any other shape. */
export function parseEncString(value: unknown): EncStringParts | undefined {
  if (typeof value !== 'string' || !value.startsWith('2.')) return undefined;
  const parts = value.slice(2).split('|');
  if (parts.length !== 3) return undefined;
  const [iv, ciphertext, mac] = parts.map((part) => base64ToBytes(part));
  if (iv?.length !== IV_BYTES || mac?.length !== MAC_BYTES || ciphertext === undefined || ciphertext.length === 0 || ciphertext.length % 16 !== 0) return undefined;
  return { iv, ciphertext, mac };
}

/**
 * Checks the MAC (WebCrypto's constant-time verify), then decrypts. A MAC that does not match is
 * the wrong key (or a changed file): `undefined`, so the caller can say which.
 */
export async function decryptEncStringParts(parts: EncStringParts, key: BitwardenKeyPair): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const hmac = await hmacKey(key.macKey);
  if (!(await subtle().verify('HMAC', hmac, parts.mac, concat(parts.iv, parts.ciphertext)))) return undefined;
  const aes = await subtle().importKey('raw', key.encKey, 'AES-CBC', false, ['decrypt']);
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-CBC', iv: parts.iv }, aes, parts.ciphertext));
  } catch {
    return undefined;
  }
}
