/**
 * The KeePass hand-off: a KDBX 4 database (Argon2id, AES-256) with one entry per storage,
 * written and read back with kdbxweb, which KeeWeb uses for its own files. Writing KDBX by hand
 * would mean re-implementing its header HMACs, block transforms and inner-stream protection;
 * kdbxweb does all of that with WebCrypto (in Node and in the service worker) and takes the
 * Argon2 implementation we give it: hash-wasm, the vault's own.
 *
 * Entry layout: Title = Storage name, UserName = Access Key, Password = Secret Key (protected in
 * memory and in the file's inner stream), URL = S3 Server Address, custom fields "S3 API Bucket
 * Name", "Permissions", "Allowed IP addresses".
 */
import { argon2d, argon2id } from 'hash-wasm';
import kdbxweb from 'kdbxweb';
import { ConnectGuardError } from '../errors.ts';
import { KDF_CEILING, type KdfCost } from '../vault-format/vault-format.ts';
import { HANDOFF_CIPHERS, HANDOFF_FIELD_NAMES, HANDOFF_KDF, type HandoffEntry, type HandoffKdfView } from './handoff-entry.ts';

const { Consts, CryptoEngine, Credentials, Int64, Kdbx, KdbxError, KdbxUuid, ProtectedValue, VarDictionary } = kdbxweb;

const ARGON2_VERSION_13 = 0x13;
const DATABASE_NAME = 'Connect Guard: WeSendit S3 storages';

let argon2Installed = false;

/**
 * kdbxweb has no Argon2 of its own; it calls the one installed here, with memory in KiB (it
 * divides the file's byte count by 1024), exactly what hash-wasm's `memorySize` takes.
 */
function installArgon2(): void {
  if (argon2Installed) return;
  CryptoEngine.setArgon2Impl(async (password, salt, memoryKiB, iterations, length, parallelism, type, version) => {
    if (version !== ARGON2_VERSION_13) throw new KdbxError(Consts.ErrorCodes.Unsupported, 'Argon2 version 1.0 is not supported');
    // A hostile file could ask for gigabytes; the vault's ceiling applies here too.
    if (memoryKiB > KDF_CEILING.memoryKiB || iterations > KDF_CEILING.iterations || parallelism > KDF_CEILING.parallelism) {
      throw new KdbxError(Consts.ErrorCodes.FileCorrupt, 'Argon2 parameters above the ceiling');
    }
    const hash = type === CryptoEngine.Argon2TypeArgon2id ? argon2id : argon2d;
    const out = await hash({ password: new Uint8Array(password), salt: new Uint8Array(salt), memorySize: memoryKiB, iterations, parallelism, hashLength: length, outputType: 'binary' });
    return Uint8Array.from(out).buffer;
  });
  argon2Installed = true;
}

function credentialsFor(passphrase: string): InstanceType<typeof Credentials> {
  return new Credentials(ProtectedValue.fromString(passphrase));
}

function checkPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new ConnectGuardError('INVALID_INPUT', 'Enter the passphrase for the KeePass file.');
}

export interface WriteKeePassOptions {
  /** Argon2id cost; HANDOFF_KDF (the vault's floor) unless a test lowers it. */
  readonly kdf?: KdfCost;
  readonly cipher?: 'aes' | 'chacha20';
}

/** Writes a KDBX 4 file holding `entries`, protected by `passphrase`. Returns the file's bytes. */
export async function writeKeePassFile(entries: readonly HandoffEntry[], passphrase: string, options: WriteKeePassOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  checkPassphrase(passphrase);
  installArgon2();
  const kdf = options.kdf ?? HANDOFF_KDF;
  const db = Kdbx.create(credentialsFor(passphrase), DATABASE_NAME);
  db.setVersion(4);
  db.setKdf(Consts.KdfId.Argon2id);
  const params = db.header.kdfParameters;
  if (params === undefined) throw new ConnectGuardError('INTERNAL', 'kdbxweb created no KDF parameters.');
  // KDBX stores Argon2's memory in bytes.
  params.set('M', VarDictionary.ValueType.UInt64, Int64.from(kdf.memoryKiB * 1024));
  params.set('I', VarDictionary.ValueType.UInt64, Int64.from(kdf.iterations));
  params.set('P', VarDictionary.ValueType.UInt32, kdf.parallelism);
  db.header.dataCipherUuid = new KdbxUuid(options.cipher === 'chacha20' ? Consts.CipherId.ChaCha20 : Consts.CipherId.Aes);
  const group = db.getDefaultGroup();
  for (const entry of entries) {
    const item = db.createEntry(group);
    item.fields.set('Title', entry.title);
    item.fields.set('UserName', entry.username);
    item.fields.set('Password', ProtectedValue.fromString(entry.password));
    item.fields.set('URL', entry.url);
    item.fields.set(HANDOFF_FIELD_NAMES.bucketName, entry.bucketName);
    item.fields.set(HANDOFF_FIELD_NAMES.permissions, entry.permissions);
    item.fields.set(HANDOFF_FIELD_NAMES.allowedIps, entry.allowedIps);
    item.fields.set('Notes', 'S3 access to a WeSendit storage, handed over by Connect Guard. The Secret Key is the password.');
  }
  return new Uint8Array(await db.save());
}

export interface KeePassFileContents {
  readonly entries: HandoffEntry[];
  readonly kdf: HandoffKdfView;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof ProtectedValue) return value.getText();
  return '';
}

function count(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Int64) return value.value;
  return Number.NaN;
}

function kdfOf(db: InstanceType<typeof Kdbx>): HandoffKdfView {
  const params = db.header.kdfParameters;
  const uuid = params?.get('$UUID');
  const algorithm = uuid instanceof ArrayBuffer ? new KdbxUuid(uuid).toString() : '';
  if (params === undefined || algorithm !== Consts.KdfId.Argon2id) throw new ConnectGuardError('VERIFY_FAILED', 'The KeePass file does not use Argon2id.');
  const cipher = db.header.dataCipherUuid?.toString();
  return {
    algorithm: 'Argon2id',
    memoryKiB: count(params.get('M')) / 1024,
    iterations: count(params.get('I')),
    parallelism: count(params.get('P')),
    cipher: cipher === Consts.CipherId.Aes ? HANDOFF_CIPHERS.keepass : cipher === Consts.CipherId.ChaCha20 ? 'ChaCha20 (KDBX 4)' : 'unknown',
  };
}

/**
 * Opens a KDBX file with `passphrase` and returns its entries in the hand-off layout, in file
 * order. A wrong passphrase is WRONG_PASSPHRASE; anything else unreadable is VAULT_CORRUPT.
 */
export async function readKeePassFile(bytes: Uint8Array, passphrase: string): Promise<KeePassFileContents> {
  checkPassphrase(passphrase);
  installArgon2();
  let db: InstanceType<typeof Kdbx>;
  try {
    db = await Kdbx.load(Uint8Array.from(bytes).buffer, credentialsFor(passphrase));
  } catch (error) {
    if (error instanceof KdbxError && error.code === Consts.ErrorCodes.InvalidKey) {
      throw new ConnectGuardError('WRONG_PASSPHRASE', 'This passphrase does not open the KeePass file.', { cause: error });
    }
    throw new ConnectGuardError('VAULT_CORRUPT', `The KeePass file could not be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const entries = db.getDefaultGroup().entries.map((item) => ({
    title: text(item.fields.get('Title')),
    username: text(item.fields.get('UserName')),
    password: text(item.fields.get('Password')),
    url: text(item.fields.get('URL')),
    bucketName: text(item.fields.get(HANDOFF_FIELD_NAMES.bucketName)),
    permissions: text(item.fields.get(HANDOFF_FIELD_NAMES.permissions)),
    allowedIps: text(item.fields.get(HANDOFF_FIELD_NAMES.allowedIps)),
  }));
  return { entries, kdf: kdfOf(db) };
}
