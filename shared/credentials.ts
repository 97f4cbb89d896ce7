/**
 * The seven fields of WeSendit's one-time credentials view (seed §1). Every value is the text
 * the page showed; nothing is normalised away so the vault keeps exactly what WeSendit issued.
 */
export interface StorageCredentials {
  readonly storageName: string;
  readonly permissions: string;
  readonly allowedIps: string;
  readonly serverAddress: string;
  readonly bucketName: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

export type CredentialField = keyof StorageCredentials;

export const CREDENTIAL_FIELDS: readonly CredentialField[] = [
  'storageName',
  'permissions',
  'allowedIps',
  'serverAddress',
  'bucketName',
  'accessKey',
  'secretKey',
];

/** What may be shown about a saved storage without revealing its secret. */
export interface StorageSummary {
  /** Stable record id: an HMAC of server address + bucket (see shared/vault-format/FORMAT.md), so a new key pair for the same storage updates its record. */
  readonly id: string;
  readonly storageName: string;
  readonly permissions: string;
  readonly allowedIps: string;
  readonly serverAddress: string;
  readonly bucketName: string;
  readonly accessKey: string;
  /** ISO 8601 time of the first and the latest save. */
  readonly createdAt: string;
  readonly updatedAt: string;
}
