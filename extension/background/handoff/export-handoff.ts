/**
 * "Export to KeePass" / "Export to Bitwarden": the background reads the chosen storages from the
 * unlocked vault, writes the password manager's encrypted file under the passphrase the user
 * typed for it, opens the file again with the same library and compares every field and the KDF
 * parameters, and only then hands the bytes to the page that asked. Nothing is written anywhere
 * on the way: the file exists in memory until the page offers it as a download.
 */
import type { StorageCredentials, StorageSummary } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { readBitwardenFile, writeBitwardenFile } from '../../../shared/handoff-formats/bitwarden-file.ts';
import { handoffEntryOf, handoffFileName, plannedHandoffKdf, sameHandoffEntries, type HandoffEntry, type HandoffFormat, type HandoffKdfView } from '../../../shared/handoff-formats/handoff-entry.ts';
import { readKeePassFile, writeKeePassFile } from '../../../shared/handoff-formats/keepass-file.ts';
import type { HandoffFile, HandoffScope } from '../../../shared/protocol/extension-protocol.ts';
import { bytesToBase64 } from '../../../shared/vault-format/base64.ts';
import { assertPassphraseAcceptable } from '../../../shared/vault-format/passphrase-strength.ts';

/** What the export needs from the vault (VaultPort provides it). */
export interface HandoffVault {
  isUnlocked(): boolean;
  listStorages(): Promise<StorageSummary[]>;
  getStorageCredentials(id: string): Promise<StorageCredentials>;
}

export interface HandoffRequest {
  readonly format: HandoffFormat;
  readonly scope: HandoffScope;
  readonly passphrase: string;
  readonly confirmation: string;
}

const MIME_TYPES: Readonly<Record<HandoffFormat, string>> = { keepass: 'application/x-keepass2', bitwarden: 'application/json' };

/** The passphrase checks, before the vault is read: typed twice alike, and not weak. */
export function assertHandoffPassphrase(passphrase: string, confirmation: string): void {
  if (passphrase !== confirmation) {
    throw new ConnectGuardError('INVALID_INPUT', 'The file passphrases do not match. Type the same passphrase in both fields.');
  }
  assertPassphraseAcceptable(passphrase);
}

async function readEntries(vault: HandoffVault, scope: HandoffScope): Promise<HandoffEntry[]> {
  const ids = scope.kind === 'storage' ? [scope.storageId] : (await vault.listStorages()).map((storage) => storage.id);
  if (ids.length === 0) throw new ConnectGuardError('NOT_FOUND', 'The vault holds no storages yet: there is nothing to export.');
  const entries: HandoffEntry[] = [];
  for (const id of ids) entries.push(handoffEntryOf(await vault.getStorageCredentials(id)));
  return entries;
}

function sameKdf(a: HandoffKdfView, b: HandoffKdfView): boolean {
  return a.algorithm === b.algorithm && a.memoryKiB === b.memoryKiB && a.iterations === b.iterations && a.parallelism === b.parallelism && a.cipher === b.cipher;
}

/** Writes the file, then opens it again with the same library; returns the bytes and what was read back. */
async function writeAndReadBack(format: HandoffFormat, entries: readonly HandoffEntry[], passphrase: string): Promise<{ bytes: Uint8Array; back: HandoffEntry[]; kdf: HandoffKdfView }> {
  if (format === 'keepass') {
    const bytes = await writeKeePassFile(entries, passphrase);
    const { entries: back, kdf } = await readKeePassFile(bytes, passphrase);
    return { bytes, back, kdf };
  }
  const text = await writeBitwardenFile(entries, passphrase);
  const { entries: back, kdf } = await readBitwardenFile(text, passphrase);
  return { bytes: new TextEncoder().encode(text), back, kdf };
}

/** Builds and verifies one hand-off file. Throws VAULT_LOCKED, INVALID_INPUT, WEAK_PASSPHRASE, NOT_FOUND or VERIFY_FAILED. */
export async function exportHandoff(request: HandoffRequest, vault: HandoffVault, now: Date = new Date()): Promise<HandoffFile> {
  if (!vault.isUnlocked()) throw new ConnectGuardError('VAULT_LOCKED', 'The vault is locked. Unlock it with your vault passphrase first.');
  assertHandoffPassphrase(request.passphrase, request.confirmation);
  const entries = await readEntries(vault, request.scope);
  const { bytes, back, kdf } = await writeAndReadBack(request.format, entries, request.passphrase);
  if (!sameHandoffEntries(entries, back) || !sameKdf(kdf, plannedHandoffKdf(request.format))) {
    throw new ConnectGuardError('VERIFY_FAILED', 'The file did not read back exactly as written, so it was not offered for download. Try the export again.');
  }
  return {
    fileName: handoffFileName(request.format, entries, now),
    mimeType: MIME_TYPES[request.format],
    base64: bytesToBase64(bytes),
    entries: entries.length,
    kdf,
    verified: true,
  };
}
