/**
 * A storage from an encrypted vault export (the file "Export vault" writes; FORMAT.md), for the
 * CLI, which has no access to the browser's vault. The export is checked and decrypted whole with
 * the shared vault-format code; only the chosen storage's fields are returned.
 */
import { readFile } from 'node:fs/promises';
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { isStorageRecordValue, type StorageRecordValue } from '../../../shared/vault-format/storage-record.ts';
import type { KdfCost } from '../../../shared/vault-format/vault-format.ts';
import { openVaultExport } from '../../../shared/vault-format/vault-records.ts';

export async function readExportText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    throw new ConnectGuardError('INVALID_INPUT', code === 'ENOENT' ? `There is no vault export at ${path}. In the popup, Settings → "Export vault" writes one.` : `Cannot read the vault export ${path}: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

/** Every storage in the export (throws WRONG_PASSPHRASE, VAULT_CORRUPT … as the import does). */
export async function readExportStorages(text: string, passphrase: string, floor?: KdfCost): Promise<StorageRecordValue[]> {
  const opened = await openVaultExport(text, passphrase, floor ? { floor } : {});
  return opened.records.map((record) => record.value).filter(isStorageRecordValue);
}

/**
 * The storage whose Storage name is `name` (or, failing that, whose S3 API Bucket Name is), and
 * whose bucket is `bucket` when given. NOT_FOUND names the storages the export holds.
 */
export function findExportStorage(storages: readonly StorageRecordValue[], name: string, bucket?: string, file = 'the vault export'): StorageCredentials {
  return { ...findExportRecord(storages, name, bucket, file).credentials };
}

/** Like {@link findExportStorage}, with the record's history (its replaced key pairs). */
export function findExportRecord(storages: readonly StorageRecordValue[], name: string, bucket?: string, file = 'the vault export'): StorageRecordValue {
  const wanted = name.trim();
  const fits = (record: StorageRecordValue): boolean => bucket === undefined || record.credentials.bucketName.trim() === bucket.trim();
  let matches = storages.filter((record) => record.credentials.storageName.trim() === wanted && fits(record));
  if (matches.length === 0) matches = storages.filter((record) => record.credentials.bucketName.trim() === wanted && fits(record));
  if (matches.length === 0) {
    const names = storages.map((record) => `"${record.credentials.storageName || record.credentials.bucketName}"`);
    throw new ConnectGuardError(
      'NOT_FOUND',
      `No storage named "${wanted}"${bucket === undefined ? '' : ` with bucket ${bucket}`} in ${file}. ${names.length === 0 ? 'The export holds no storage.' : `It holds: ${names.join(', ')}.`} Give one of these names to --storage (or its bucket name).`,
    );
  }
  if (matches.length > 1) {
    throw new ConnectGuardError('INVALID_INPUT', `${matches.length} storages in ${file} are named "${wanted}". Add --bucket NAME to choose one (${matches.map((record) => record.credentials.bucketName).join(', ')}).`);
  }
  const [match] = matches;
  if (match === undefined) throw new ConnectGuardError('NOT_FOUND', `No storage named "${wanted}".`);
  return match;
}
