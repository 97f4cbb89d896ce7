/**
 * The vault header: passphrase → Argon2id → HKDF → the key that wraps the random vault key, and
 * a passphrase check that tells a wrong passphrase from a damaged header (FORMAT.md, "Header").
 */
import { argon2id } from 'hash-wasm';
import { ConnectGuardError } from '../errors.ts';
import { base64ToBytes, bytesToBase64 } from './base64.ts';
import { KEY_BYTES, SALT_BYTES, aesKey, copyKey, equalBytes, hkdf, randomBytes, seal, unseal, utf8 } from './vault-crypto.ts';
import { DEFAULT_KDF, KDF_CEILING, VAULT_FORMAT, VAULT_FORMAT_VERSION, assertKdfAtLeastFloor, damaged, isSafeCount, parseVaultHeader, type KdfCost, type KdfOptions, type KdfParams, type VaultHeader, type Where } from './vault-format.ts';
// ---------------------------------------------------------------------------------------------
// Header: passphrase → vault key

/**
 * The associated data of the key wrap: every header field except the wrapped key, in a fixed
 * order, so changing any of them makes the unwrap fail.
 */
export function headerAssociatedData(header: Omit<VaultHeader, 'wrappedKey'>): string {
  const { kdf } = header;
  return `connect-guard-vault-header:v1:${JSON.stringify([
    header.format,
    header.version,
    kdf.algorithm,
    kdf.memoryKiB,
    kdf.iterations,
    kdf.parallelism,
    kdf.salt,
    kdf.hashLength,
    header.passphraseCheck,
    header.keyCheck,
    header.createdAt,
  ])}`;
}

interface PassphraseSecrets {
  readonly kek: CryptoKey;
  readonly passphraseCheck: Uint8Array<ArrayBuffer>;
}

async function derivePassphraseSecrets(passphrase: string, kdf: KdfParams): Promise<PassphraseSecrets> {
  const salt = base64ToBytes(kdf.salt);
  if (salt === undefined) throw damaged('vault', 'kdf.salt is not base64');
  // NFC, so a passphrase typed with composed or decomposed accents (macOS vs. others) is the same.
  const master = await argon2id({
    password: utf8(passphrase.normalize('NFC')),
    salt,
    memorySize: kdf.memoryKiB,
    iterations: kdf.iterations,
    parallelism: kdf.parallelism,
    hashLength: kdf.hashLength,
    outputType: 'binary',
  });
  const masterBytes = Uint8Array.from(master);
  const [kekBytes, passphraseCheck] = await Promise.all([
    hkdf(masterBytes, 'connect-guard/v1/kek'),
    hkdf(masterBytes, 'connect-guard/v1/passphrase-check'),
  ]);
  const kek = await aesKey(kekBytes);
  masterBytes.fill(0);
  kekBytes.fill(0);
  return { kek, passphraseCheck };
}

function checkCost(kdf: KdfCost, options: KdfOptions): void {
  if (!isSafeCount(kdf.memoryKiB) || !isSafeCount(kdf.iterations) || !isSafeCount(kdf.parallelism)) {
    throw new ConnectGuardError('INVALID_INPUT', 'Argon2id memory, iterations and parallelism must be positive integers.');
  }
  if (kdf.memoryKiB > KDF_CEILING.memoryKiB || kdf.iterations > KDF_CEILING.iterations || kdf.parallelism > KDF_CEILING.parallelism) {
    throw new ConnectGuardError('INVALID_INPUT', 'Argon2id parameters above the ceiling would make the vault impossible to unlock in time.');
  }
  assertKdfAtLeastFloor(kdf, options.floor);
}

function checkPassphraseArgument(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new ConnectGuardError('INVALID_INPUT', 'Enter the vault passphrase.');
  }
}

async function wrapVaultKey(
  vaultKey: Uint8Array<ArrayBuffer>,
  passphrase: string,
  kdf: KdfCost,
  createdAt: string,
): Promise<VaultHeader> {
  const params: KdfParams = {
    algorithm: 'argon2id',
    memoryKiB: kdf.memoryKiB,
    iterations: kdf.iterations,
    parallelism: kdf.parallelism,
    salt: bytesToBase64(randomBytes(SALT_BYTES)),
    hashLength: KEY_BYTES,
  };
  const secrets = await derivePassphraseSecrets(passphrase, params);
  const keyCheck = await hkdf(vaultKey, 'connect-guard/v1/key-check');
  const unsealed = {
    format: VAULT_FORMAT,
    version: VAULT_FORMAT_VERSION,
    kdf: params,
    passphraseCheck: bytesToBase64(secrets.passphraseCheck),
    keyCheck: bytesToBase64(keyCheck),
    createdAt,
  } as const;
  const wrappedKey = await seal(secrets.kek, vaultKey, headerAssociatedData(unsealed));
  const { format, version, passphraseCheck } = unsealed;
  return { format, version, kdf: params, passphraseCheck, keyCheck: unsealed.keyCheck, wrappedKey, createdAt };
}

/**
 * Creates a new vault: a random 256-bit vault key wrapped under the passphrase. The caller keeps
 * `vaultKey` (raw 32 bytes) in memory while unlocked and stores `header`.
 */
export async function createVaultHeader(
  passphrase: string,
  kdf: KdfCost = DEFAULT_KDF,
  options: KdfOptions & { readonly now?: Date } = {},
): Promise<{ header: VaultHeader; vaultKey: Uint8Array<ArrayBuffer> }> {
  checkPassphraseArgument(passphrase);
  checkCost(kdf, options);
  const vaultKey = randomBytes(KEY_BYTES);
  const header = await wrapVaultKey(vaultKey, passphrase, kdf, (options.now ?? new Date()).toISOString());
  return { header, vaultKey };
}

/**
 * Turns the passphrase into the vault key. Order: validate the header → refuse a KDF below the
 * floor (before any KDF work) → Argon2id → passphrase check (WRONG_PASSPHRASE) → unwrap with
 * the header as AAD (VAULT_CORRUPT) → key check (VAULT_CORRUPT).
 */
export async function unlockVaultHeader(header: unknown, passphrase: string, options: KdfOptions & { readonly where?: Where } = {}): Promise<Uint8Array<ArrayBuffer>> {
  const where = options.where ?? 'vault';
  const parsed = parseVaultHeader(header, where);
  assertKdfAtLeastFloor(parsed.kdf, options.floor);
  checkPassphraseArgument(passphrase);
  const secrets = await derivePassphraseSecrets(passphrase, parsed.kdf);
  const storedCheck = base64ToBytes(parsed.passphraseCheck) ?? new Uint8Array(0);
  if (!equalBytes(secrets.passphraseCheck, storedCheck)) {
    throw new ConnectGuardError(
      'WRONG_PASSPHRASE',
      where === 'vault'
        ? 'The passphrase is wrong. Nothing was changed.'
        : 'The passphrase is wrong for this export file (it is the passphrase the vault had when it was exported). Nothing was changed.',
    );
  }
  const vaultKey = await unseal(secrets.kek, parsed.wrappedKey, headerAssociatedData(parsed));
  if (vaultKey === undefined || vaultKey.length !== KEY_BYTES) {
    throw damaged(where, 'the header was altered: the wrapped vault key does not verify');
  }
  if (!(await verifyVaultKey(parsed, vaultKey))) throw damaged(where, 'the key check does not match the vault key');
  return vaultKey;
}

/**
 * True when `vaultKey` is the key this header wraps (compares HKDF key checks; no passphrase
 * needed). Lets the background restore a key kept in session storage after a restart.
 */
export async function verifyVaultKey(header: VaultHeader, vaultKey: Uint8Array): Promise<boolean> {
  if (!(vaultKey instanceof Uint8Array) || vaultKey.length !== KEY_BYTES) return false;
  const stored = base64ToBytes(header.keyCheck);
  if (stored === undefined) return false;
  return equalBytes(await hkdf(copyKey(vaultKey), 'connect-guard/v1/key-check'), stored);
}

/**
 * Passphrase change: unwraps with `current`, wraps the same vault key under `next` with a new
 * salt. Records stay untouched. The new KDF cost is the stronger of the stored one and `kdf`
 * (default DEFAULT_KDF), so a change also raises an old vault to today's default.
 */
export async function rewrapVaultHeader(
  header: unknown,
  current: string,
  next: string,
  options: KdfOptions & { readonly kdf?: KdfCost } = {},
): Promise<{ header: VaultHeader; vaultKey: Uint8Array<ArrayBuffer> }> {
  const parsed = parseVaultHeader(header);
  const vaultKey = await unlockVaultHeader(parsed, current, options);
  checkPassphraseArgument(next);
  const wanted = options.kdf ?? DEFAULT_KDF;
  const kdf: KdfCost = {
    memoryKiB: Math.max(parsed.kdf.memoryKiB, wanted.memoryKiB),
    iterations: Math.max(parsed.kdf.iterations, wanted.iterations),
    parallelism: Math.max(parsed.kdf.parallelism, wanted.parallelism),
  };
  checkCost(kdf, options);
  return { header: await wrapVaultKey(vaultKey, next, kdf, parsed.createdAt), vaultKey };
}
