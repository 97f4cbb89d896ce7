/**
 * Turns a preview's connection source (vault record, captured connect form, typed in the popup)
 * into the bucket connection the companion needs, in memory only. The result holds the secret:
 * callers pass it to one companion request and drop it.
 */
import type { StorageCredentials } from '../../../shared/credentials.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { BucketConnection } from '../../../shared/protocol/views.ts';
import type { PreviewConnectionSource } from '../../../shared/protocol/extension-protocol.ts';
import type { ConnectFormRegistry } from './connect-form-registry.ts';

/** What the resolver needs from the vault. */
export interface VaultReader {
  isUnlocked(): boolean;
  /** The decrypted credentials of one record (NOT_FOUND when absent). */
  getStorageCredentials(id: string): Promise<StorageCredentials>;
}

export interface ResolvedConnection {
  readonly connection: BucketConnection;
  /** The tab of the connect form it came from (its content feature can list WeSendit's files). */
  readonly formTabId?: number;
  /** WeSendit's "Allowed IP addresses" of a vault record, for the doctor's message. */
  readonly allowedIps?: string;
}

/** An AWS region name as a connect form's region field holds it (`eu-central-1`). */
const AWS_REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/;

/** The fields a connection is built from, as the user or WeSendit wrote them. */
export interface ConnectionFields {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/**
 * A connection from form-like fields. An empty endpoint with an AWS region (AWS forms ask for a
 * region only) means that region's S3 endpoint; an endpoint field holding just a region is read
 * the same way.
 */
export function connectionFromFields(fields: ConnectionFields): BucketConnection {
  let endpoint = fields.endpoint.trim();
  let region = fields.region.trim();
  if (region === '' && AWS_REGION.test(endpoint)) {
    region = endpoint;
    endpoint = '';
  }
  if (endpoint === '' && region !== '') {
    if (!AWS_REGION.test(region)) {
      throw new ConnectGuardError('INVALID_ENDPOINT', `The region "${region}" is not an AWS region name (like eu-central-1), and no S3 endpoint was given. Enter the provider's S3 endpoint.`);
    }
    endpoint = `https://s3.${region}.amazonaws.com`;
  }
  const missing = [
    endpoint === '' ? 'the S3 endpoint (or region)' : undefined,
    fields.bucket.trim() === '' ? 'the bucket name' : undefined,
    fields.accessKey.trim() === '' ? 'the Access Key' : undefined,
    fields.secretKey === '' ? 'the Secret Key' : undefined,
  ].filter((item) => item !== undefined);
  if (missing.length > 0) throw new ConnectGuardError('MISSING_CREDENTIALS', `The connection lacks ${missing.join(', ')}. Fill in every field, then try again.`);
  return {
    endpoint,
    bucket: fields.bucket.trim(),
    accessKeyId: fields.accessKey.trim(),
    secretAccessKey: fields.secretKey,
    ...(region !== '' ? { region } : {}),
  };
}

export interface ResolveDeps {
  readonly vault: VaultReader;
  readonly forms: ConnectFormRegistry;
}

/** Resolves a source; VAULT_LOCKED (the popup asks for the passphrase) when a vault record is needed and the vault is locked. */
export async function resolveConnectionSource(source: PreviewConnectionSource, { vault, forms }: ResolveDeps): Promise<ResolvedConnection> {
  switch (source.kind) {
    case 'vault': {
      if (!vault.isUnlocked()) throw new ConnectGuardError('VAULT_LOCKED', 'The vault is locked. Unlock it with your vault passphrase to use its saved connection.');
      const credentials = await vault.getStorageCredentials(source.storageId);
      const connection = connectionFromFields({ endpoint: credentials.serverAddress, region: '', bucket: credentials.bucketName, accessKey: credentials.accessKey, secretKey: credentials.secretKey });
      return { connection, ...(credentials.allowedIps.trim() !== '' ? { allowedIps: credentials.allowedIps } : {}) };
    }
    case 'form': {
      const form = forms.get(source.formId);
      const { values } = form;
      return { connection: connectionFromFields({ endpoint: values.endpoint, region: values.region, bucket: values.bucket, accessKey: values.accessKey, secretKey: values.secretKey }), formTabId: form.tabId };
    }
    case 'direct': {
      const { connection } = source;
      return {
        connection: connectionFromFields({ endpoint: connection.endpoint, region: connection.region ?? '', bucket: connection.bucket, accessKey: connection.accessKeyId, secretKey: connection.secretAccessKey }),
      };
    }
  }
}

/** The vault record a form's or typed connection becomes (`storage.saveConnection`). */
export function credentialsFromConnection(connection: BucketConnection, storageName: string): StorageCredentials {
  // An AWS endpoint built from a region is saved as the region the user chose.
  const awsFromRegion = connection.region !== undefined && connection.endpoint === `https://s3.${connection.region}.amazonaws.com`;
  return {
    storageName,
    permissions: '',
    allowedIps: '',
    serverAddress: awsFromRegion && connection.region !== undefined ? connection.region : connection.endpoint,
    bucketName: connection.bucket,
    accessKey: connection.accessKeyId,
    secretKey: connection.secretAccessKey,
  };
}
