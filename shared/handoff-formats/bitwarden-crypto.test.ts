/**
 * Bitwarden's own published test vectors, reproduced byte for byte. Source: github.com/bitwarden/sdk-internal
 * at b57d1bbbb4a4a8a740ca26930eb188a7e14ae09a:
 * - crates/bitwarden-crypto/src/keys/kdf.rs: test_master_key_derive_pbkdf2, test_master_key_derive_argon2;
 * - crates/bitwarden-crypto/src/keys/utils.rs: test_stretch_kdf_key;
 * - crates/bitwarden-crypto/src/util.rs: test_hkdf_expand;
 * - crates/bitwarden-crypto/src/hazmat/symmetric_encryption/aes256_cbc_hmac_sha256_ae.rs:
 *   TESTVECTOR_* (test_decrypt_testvector) and test_encrypt_is_deterministic.
 */
import { describe, expect, it } from 'vitest';
import {
  decryptEncStringParts,
  deriveBitwardenKeyMaterial,
  encryptBitwardenString,
  encryptWithIv,
  formatEncString,
  hkdfExpandSha256,
  parseEncString,
  stretchBitwardenKey,
  type BitwardenKeyPair,
} from './bitwarden-crypto.ts';

const bytes = (values: readonly number[]): Uint8Array<ArrayBuffer> => Uint8Array.from(values);
const text = (value: Uint8Array | undefined): string => new TextDecoder().decode(value);

// kdf.rs: KdfDerivedKeyMaterial::derive("67t9b5g67$%Dh89n", "test_key", …); `derive` lowercases and trims the salt, which "test_key" already is.
const KDF_PASSWORD = '67t9b5g67$%Dh89n';
const KDF_SALT = 'test_key';
const PBKDF2_10000 = [31, 79, 104, 226, 150, 71, 177, 90, 194, 80, 172, 209, 17, 129, 132, 81, 138, 167, 69, 167, 254, 149, 2, 27, 39, 197, 64, 42, 22, 195, 86, 75];
const ARGON2ID_I4_M32_P2 = [207, 240, 225, 177, 162, 19, 163, 76, 98, 106, 179, 175, 224, 9, 17, 240, 20, 147, 237, 47, 246, 150, 141, 184, 62, 225, 131, 242, 51, 53, 225, 242];

// utils.rs test_stretch_kdf_key: stretch_key(PBKDF2_10000).
const STRETCHED_ENC = [111, 31, 178, 45, 238, 152, 37, 114, 143, 215, 124, 83, 135, 173, 195, 23, 142, 134, 120, 249, 61, 132, 163, 182, 113, 197, 189, 204, 188, 21, 237, 96];
const STRETCHED_MAC = [221, 127, 206, 234, 101, 27, 202, 38, 86, 52, 34, 28, 78, 28, 185, 16, 48, 61, 127, 166, 209, 247, 194, 87, 232, 26, 48, 85, 193, 249, 179, 155];

// util.rs test_hkdf_expand: 64 bytes (two blocks) of HKDF-Expand(prk, "info").
const HKDF_PRK = [23, 152, 120, 41, 214, 16, 156, 133, 71, 226, 178, 135, 208, 255, 66, 101, 189, 70, 173, 30, 39, 215, 175, 236, 38, 180, 180, 62, 196, 4, 159, 70];
const HKDF_OUT = [
  6, 114, 42, 38, 87, 231, 30, 109, 30, 255, 104, 129, 255, 94, 92, 108, 124, 145, 215, 208, 17, 60, 135, 22, 70, 158, 40, 53, 45, 182, 8, 63, 65, 87, 239, 234, 185, 227, 153, 122, 115, 205,
  144, 56, 102, 149, 92, 139, 217, 102, 119, 57, 37, 57, 251, 178, 18, 52, 94, 77, 132, 215, 239, 100,
];

// aes256_cbc_hmac_sha256_ae.rs: the 64-byte composite key 0..63 is the AES key (first half) and the MAC key (second half).
const COMPOSITE = Array.from({ length: 64 }, (_, i) => i);
const VECTOR_KEY: BitwardenKeyPair = { encKey: bytes(COMPOSITE.slice(0, 32)), macKey: bytes(COMPOSITE.slice(32)) };
const VECTOR_PLAINTEXT = 'Bitwarden SDK test vector';
const VECTOR_IV = [216, 218, 36, 0, 196, 186, 150, 85, 49, 147, 110, 168, 185, 227, 42, 172];
const VECTOR_MAC = [60, 78, 44, 111, 72, 233, 3, 6, 86, 250, 217, 242, 62, 229, 184, 221, 231, 150, 189, 44, 99, 189, 220, 55, 196, 194, 101, 60, 102, 195, 149, 130];
const VECTOR_DATA = [234, 77, 16, 15, 189, 82, 36, 188, 182, 88, 64, 67, 145, 94, 30, 178, 36, 235, 130, 67, 255, 207, 183, 168, 73, 231, 82, 122, 193, 139, 25, 129];
const DETERMINISTIC_IV = [62, 0, 239, 47, 137, 95, 64, 214, 127, 91, 184, 232, 31, 9, 165, 161];
const DETERMINISTIC_DATA = [214, 76, 187, 97, 58, 146, 212, 140, 95, 164, 177, 204, 179, 133, 172, 148];

describe('Bitwarden key derivation (SDK test vectors)', () => {
  it('PBKDF2-SHA256, 10,000 iterations, reproduces kdf.rs test_master_key_derive_pbkdf2', async () => {
    expect([...(await deriveBitwardenKeyMaterial(KDF_PASSWORD, KDF_SALT, { kdfType: 0, iterations: 10_000 }))]).toEqual(PBKDF2_10000);
  });

  it('Argon2id (4 passes, 32 MiB, 2 lanes, salt = SHA-256 of the salt text) reproduces kdf.rs test_master_key_derive_argon2', async () => {
    const material = await deriveBitwardenKeyMaterial(KDF_PASSWORD, KDF_SALT, { kdfType: 1, iterations: 4, memoryMiB: 32, parallelism: 2 });
    expect([...material]).toEqual(ARGON2ID_I4_M32_P2);
  });

  it('stretches key material with HKDF-Expand "enc" / "mac", reproducing utils.rs test_stretch_kdf_key', async () => {
    const { encKey, macKey } = await stretchBitwardenKey(bytes(PBKDF2_10000));
    expect([...encKey]).toEqual(STRETCHED_ENC);
    expect([...macKey]).toEqual(STRETCHED_MAC);
  });

  it('HKDF-Expand over two blocks reproduces util.rs test_hkdf_expand, and refuses a short PRK', async () => {
    expect([...(await hkdfExpandSha256(bytes(HKDF_PRK), 'info', 64))]).toEqual(HKDF_OUT);
    await expect(hkdfExpandSha256(bytes([1, 2, 3, 4, 5]), 'info', 64)).rejects.toThrow(/at least 32 bytes/);
  });
});

describe('Bitwarden type-2 EncString (AES-256-CBC + HMAC-SHA256)', () => {
  it('decrypts the SDK’s TESTVECTOR and, with its IV, encrypts to the same ciphertext and MAC', async () => {
    const parts = { iv: bytes(VECTOR_IV), ciphertext: bytes(VECTOR_DATA), mac: bytes(VECTOR_MAC) };
    expect(text(await decryptEncStringParts(parts, VECTOR_KEY))).toBe(VECTOR_PLAINTEXT);
    const again = await encryptWithIv(new TextEncoder().encode(VECTOR_PLAINTEXT), VECTOR_KEY, bytes(VECTOR_IV));
    expect([...again.ciphertext]).toEqual(VECTOR_DATA);
    expect([...again.mac]).toEqual(VECTOR_MAC);
  });

  it('encrypts deterministically for a fixed IV (test_encrypt_is_deterministic)', async () => {
    const { ciphertext } = await encryptWithIv(new TextEncoder().encode('EncryptMe!'), VECTOR_KEY, bytes(DETERMINISTIC_IV));
    expect([...ciphertext]).toEqual(DETERMINISTIC_DATA);
  });

  it('writes "2.iv|ciphertext|mac" with a fresh IV each time and reads it back; a changed byte or another key fails', async () => {
    const first = await encryptBitwardenString('S3 secret', VECTOR_KEY);
    const second = await encryptBitwardenString('S3 secret', VECTOR_KEY);
    expect(first).toMatch(/^2\.[A-Za-z0-9+/]{22}==\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/]{43}=$/);
    expect(first).not.toBe(second);
    const parts = parseEncString(first);
    if (parts === undefined) throw new Error('unparsed');
    expect(text(await decryptEncStringParts(parts, VECTOR_KEY))).toBe('S3 secret');
    const flipped = Uint8Array.from(parts.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(await decryptEncStringParts({ ...parts, ciphertext: flipped }, VECTOR_KEY)).toBeUndefined();
    expect(await decryptEncStringParts(parts, { encKey: VECTOR_KEY.encKey, macKey: bytes(STRETCHED_MAC) })).toBeUndefined();
    expect(formatEncString(parts)).toBe(first);
  });

  it.each([['0.AAAA|BBBB'], ['2.abc'], ['2.AAAA|BBBB|CCCC'], [''], [42]])('refuses the malformed EncString %j', (value) => {
    expect(parseEncString(value)).toBeUndefined();
  });
});
