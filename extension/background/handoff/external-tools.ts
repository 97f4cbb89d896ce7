/**
 * "Set up rclone" / "Set up AWS CLI" and the gate's "Update external tools": the background reads
 * the storage from the unlocked vault and hands it to the companion in memory over native
 * messaging (as a preview does); the companion writes the encrypted rclone config or the tool key
 * file. Only Connect Guard's own pages reach these (routes.ts, `from: 'page'`), and only after the
 * user typed the passphrase for external tools there.
 */
import type { StorageCredentials, StorageSummary } from '../../../shared/credentials.ts';
import { ConnectGuardError, toErrorData } from '../../../shared/errors.ts';
import type { ToolsUpdateResult } from '../../../shared/protocol/companion-protocol.ts';
import type { GateRotation, ToolSetupRequest } from '../../../shared/protocol/extension-protocol.ts';
import type { ToolSetupView } from '../../../shared/protocol/views.ts';
import type { CompanionClient } from '../companion/companion-client.ts';
import type { CaptureRecord } from '../gate/capture-registry.ts';

/** What the hand-off needs from the vault (VaultPort provides it). */
export interface ToolsVault {
  isUnlocked(): boolean;
  listStorages(): Promise<StorageSummary[]>;
  getStorageCredentials(id: string): Promise<StorageCredentials>;
  previousKeys(id: string): Promise<readonly PreviousAccessKey[]>;
}

/** A key pair a later save replaced (its secret stays in the vault). */
export interface PreviousAccessKey {
  readonly accessKey: string;
  /** ISO 8601. */
  readonly replacedAt: string;
}

/** Argon2id on the tool key file (64 MiB) and writing several files: generous, but bounded. */
const SETUP_TIMEOUT_MS = 120_000;
/** Updating also runs every tool once against the server. */
const UPDATE_TIMEOUT_MS = 300_000;

function assertUnlocked(vault: ToolsVault): void {
  if (!vault.isUnlocked()) throw new ConnectGuardError('VAULT_LOCKED', 'The vault is locked. Unlock it with your vault passphrase first.');
}

export async function setupExternalTool(request: ToolSetupRequest, vault: ToolsVault, companion: CompanionClient): Promise<ToolSetupView> {
  assertUnlocked(vault);
  const storage = await vault.getStorageCredentials(request.storageId);
  return companion.request(
    'tools.setup',
    { tool: request.tool, storage, toolPassphrase: request.toolPassphrase, ...(request.name !== undefined ? { name: request.name } : {}), ...(request.replace === true ? { replace: true } : {}) },
    { timeoutMs: SETUP_TIMEOUT_MS },
  );
}

/** The saved storage a released capture became, with its new key pair. */
async function savedCredentials(capture: CaptureRecord, vault: ToolsVault): Promise<{ id: string; credentials: StorageCredentials }> {
  if (!capture.released || capture.storageId === undefined) {
    throw new ConnectGuardError('INVALID_INPUT', 'Save the Secret Key to the vault first; then Connect Guard can look for tools that used the old key.');
  }
  assertUnlocked(vault);
  return { id: capture.storageId, credentials: await vault.getStorageCredentials(capture.storageId) };
}

/**
 * The storage's old Access Keys: the pairs the save just replaced in its record (the vault keeps
 * them), and the keys of other saved records of the same storage (same name or bucket on another
 * address), never the new key itself.
 */
export function oldAccessKeysOf(saved: { id: string; credentials: StorageCredentials }, replaced: readonly string[], storages: readonly StorageSummary[]): string[] {
  const { storageName, bucketName, accessKey } = saved.credentials;
  const name = storageName.trim();
  const bucket = bucketName.trim();
  const others = storages
    .filter((storage) => storage.id !== saved.id)
    .filter((storage) => (name !== '' && storage.storageName.trim() === name) || (bucket !== '' && storage.bucketName.trim() === bucket))
    .map((storage) => storage.accessKey);
  return [...new Set([...replaced, ...others].map((key) => key.trim()))].filter((key) => key !== '' && key !== accessKey.trim());
}

/**
 * The old keys, when this capture brought a new key: its save replaced a pair in the record (at
 * or after the capture), or another saved record of the same storage has another key. A second
 * save of the same key reports nothing, even though the record remembers older pairs.
 */
async function oldAccessKeys(capture: CaptureRecord, saved: { id: string; credentials: StorageCredentials }, vault: ToolsVault): Promise<string[]> {
  const previous = await vault.previousKeys(saved.id);
  const storages = await vault.listStorages();
  const keys = oldAccessKeysOf(saved, previous.map((pair) => pair.accessKey), storages);
  const replacedNow = previous.some((pair) => Date.parse(pair.replacedAt) >= capture.createdAt);
  const otherRecords = oldAccessKeysOf(saved, [], storages).length > 0;
  return replacedNow || otherRecords ? keys : [];
}

export async function gateRotation(capture: CaptureRecord, vault: ToolsVault, companion: CompanionClient): Promise<GateRotation | null> {
  const saved = await savedCredentials(capture, vault);
  const oldKeys = await oldAccessKeys(capture, saved, vault);
  if (oldKeys.length === 0) return null;
  const { credentials } = saved;
  const base = { storageName: credentials.storageName, bucketName: credentials.bucketName, newAccessKey: credentials.accessKey, oldAccessKeys: oldKeys };
  try {
    const listed = await companion.request(
      'tools.list',
      { storage: { serverAddress: credentials.serverAddress, bucketName: credentials.bucketName, accessKey: credentials.accessKey }, oldAccessKeys: oldKeys },
      { timeoutMs: 30_000 },
    );
    return { ...base, tools: listed.tools, toolKeysExist: listed.toolKeysExist };
  } catch (error) {
    return { ...base, tools: [], toolKeysExist: false, companionError: toErrorData(error) };
  }
}

export async function gateUpdateTools(capture: CaptureRecord, toolPassphrase: string, vault: ToolsVault, companion: CompanionClient): Promise<ToolsUpdateResult> {
  const saved = await savedCredentials(capture, vault);
  const oldKeys = await oldAccessKeys(capture, saved, vault);
  if (oldKeys.length === 0) throw new ConnectGuardError('NOT_FOUND', 'This storage replaces no older key in the vault: there is nothing to update.');
  return companion.request('tools.update', { storage: saved.credentials, oldAccessKeys: oldKeys, toolPassphrase }, { timeoutMs: UPDATE_TIMEOUT_MS });
}
