/**
 * The WebCrypto calls the vault format is built from: HKDF-SHA256, HMAC-SHA256 and AES-256-GCM
 * with a fresh 12-byte IV, plus random bytes and a constant-time compare. Only
 * `globalThis.crypto` (identical in Node and MV3 service workers) — nothing hand-rolled.
 */
import { ConnectGuardError } from '../errors.ts';
import { base64ToBytes, bytesToBase64 } from './base64.ts';

/** AES-256-GCM output: 12-byte IV and ciphertext with its 16-byte tag, both standard base64. */
export interface SealedBytes {
  readonly iv: string;
  readonly ciphertext: string;
}

export const SALT_BYTES = 16;
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

const encoder = new TextEncoder();
export const decoder = new TextDecoder('utf-8', { fatal: true });

export function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

export function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compares without an early exit, so timing says nothing about where two checks differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function copyKey(vaultKey: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!(vaultKey instanceof Uint8Array) || vaultKey.length !== KEY_BYTES) {
    throw new ConnectGuardError('INVALID_INPUT', `A vault key is exactly ${KEY_BYTES} bytes.`);
  }
  return Uint8Array.from(vaultKey);
}

/** HKDF-SHA256 with an empty salt; `info` separates every key the format derives. */
export async function hkdf(ikm: Uint8Array<ArrayBuffer>, info: string): Promise<Uint8Array<ArrayBuffer>> {
  const base = await subtle().importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8(info) }, base, KEY_BYTES * 8);
  return new Uint8Array(bits);
}

export async function aesKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return subtle().importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function hmac(rawKey: Uint8Array<ArrayBuffer>, message: string): Promise<Uint8Array<ArrayBuffer>> {
  const key = await subtle().importKey('raw', rawKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', key, utf8(message)));
}

export async function seal(key: CryptoKey, plaintext: Uint8Array<ArrayBuffer>, aad: string): Promise<SealedBytes> {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: utf8(aad), tagLength: 128 }, key, plaintext);
  return { iv: bytesToBase64(iv), ciphertext: bytesToBase64(new Uint8Array(ciphertext)) };
}

/** Returns the plaintext, or `undefined` when the tag does not verify (wrong key or altered data). */
export async function unseal(key: CryptoKey, sealed: SealedBytes, aad: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const iv = base64ToBytes(sealed.iv);
  const ciphertext = base64ToBytes(sealed.ciphertext);
  if (iv === undefined || ciphertext === undefined) return undefined;
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv, additionalData: utf8(aad), tagLength: 128 }, key, ciphertext));
  } catch {
    return undefined;
  }
}
