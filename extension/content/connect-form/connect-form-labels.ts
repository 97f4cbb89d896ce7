/**
 * Recognises the texts of WeSendit's connect-to-bucket form by meaning: the field labels
 * (provider, endpoint, region, bucket, access key, secret), the provider names and the connect
 * button, in English and German, however the markup spells them. Pure string functions, no DOM.
 */
import { normalizeLabel } from '../gate/label-matching.ts';

export type ConnectField = 'provider' | 'endpoint' | 'region' | 'bucket' | 'accessKey' | 'secretKey';

export const CONNECT_FIELDS: readonly ConnectField[] = ['provider', 'endpoint', 'region', 'bucket', 'accessKey', 'secretKey'];

const FIELD_LABELS: Record<ConnectField, readonly string[]> = {
  provider: [
    'provider', 'storage provider', 's3 provider', 'cloud provider', 'service provider', 'storage service', 'storage type', 'provider type',
    'anbieter', 'speicheranbieter', 'speicher anbieter', 'cloud anbieter', 's3 anbieter', 'dienst', 'speicherdienst', 'dienstanbieter',
  ],
  endpoint: [
    'endpoint', 's3 endpoint', 'endpoint url', 's3 endpoint url', 'account endpoint', 'custom endpoint', 'server address', 's3 server address',
    'server url', 's3 server url', 's3 url', 'service url', 'host', 'endpunkt', 's3 endpunkt', 'endpunkt url', 'serveradresse',
    's3 serveradresse', 'server adresse', 'server url',
  ],
  region: ['region', 'aws region', 's3 region', 'bucket region', 'location', 'standort', 'rechenzentrum'],
  bucket: ['bucket', 'bucket name', 's3 bucket', 's3 bucket name', 'bucketname', 'name des buckets', 'bucket id', 'container'],
  accessKey: [
    'access key', 'access key id', 's3 access key', 's3 access key id', 'accesskey', 'access id', 'key id', 'aws access key id',
    'zugriffsschlüssel', 'zugriffsschlüssel id', 'zugangsschlüssel', 'zugangsschlüssel id', 'zugriffs id', 'schlüssel id', 's3 zugriffsschlüssel',
  ],
  secretKey: [
    'secret key', 'secret access key', 's3 secret key', 's3 secret access key', 'secretkey', 'secret', 'aws secret access key',
    'geheimer schlüssel', 'geheimschlüssel', 'geheimer zugriffsschlüssel', 'geheimer zugangsschlüssel', 'geheimer s3 schlüssel', 'secret schlüssel',
  ],
};

const LABEL_TO_FIELD: ReadonlyMap<string, ConnectField> = new Map(
  CONNECT_FIELDS.flatMap((field) => FIELD_LABELS[field].map((label): [string, ConnectField] => [label, field])),
);

/** Label text without "(optional)", "*", "required" hints. */
function stripHints(normalized: string): string {
  return normalizeLabel(normalized.replace(/\((optional|required|erforderlich|pflicht(feld)?)\)|\b(optional|required)\b/g, ''));
}

/** The connect-form field a label, `aria-label`, placeholder or `name` names, or `undefined`. */
export function matchConnectLabel(text: string): ConnectField | undefined {
  if (text.length > 120) return undefined;
  // camelCase and snake_case names (accessKeyId, secret_access_key) read as words.
  const spaced = text.replace(/([a-z])([A-Z])/g, '$1 $2');
  const normalized = stripHints(normalizeLabel(spaced));
  if (normalized.length === 0 || normalized.length > 60) return undefined;
  const direct = LABEL_TO_FIELD.get(normalized);
  if (direct) return direct;
  // "Access Key / Zugriffsschlüssel": every part names the same field.
  const parts = normalized.split(/[/|()]/).map((part) => stripHints(part)).filter((part) => part.length > 0);
  if (parts.length < 2) return undefined;
  const fields = new Set(parts.map((part) => LABEL_TO_FIELD.get(part)));
  if (fields.size !== 1) return undefined;
  const [field] = fields;
  return field;
}

/**
 * A provider as the protocol names it ("WeSendit", "AWS", "Cloudflare R2", "Other S3") when the
 * option's text or value says which; otherwise the text as the form wrote it.
 */
export function normalizeProvider(text: string): string {
  const normalized = normalizeLabel(text);
  if (normalized.length === 0) return '';
  if (/\bwesendit\b|\bwsi\b/.test(normalized)) return 'WeSendit';
  if (/\baws\b|amazon/.test(normalized)) return 'AWS';
  if (/cloudflare|\br2\b/.test(normalized)) return 'Cloudflare R2';
  if (/\bother\b|\bcustom\b|\bgeneric\b|s3 compatible|\banderer?\b|\bsonstige[rs]?\b|\bbenutzerdefiniert\b/.test(normalized)) return 'Other S3';
  return text.trim();
}

/** "Connect" / "Verbinden" and close relatives, as a button's whole text. */
export function isConnectText(text: string): boolean {
  const normalized = normalizeLabel(text).replace(/[→›»>]+$/, '').trim();
  return [
    'connect', 'connect storage', 'connect bucket', 'connect to bucket', 'connect now', 'save and connect', 'establish connection',
    'verbinden', 'speicher verbinden', 'bucket verbinden', 'mit bucket verbinden', 'jetzt verbinden', 'speichern und verbinden', 'verbindung herstellen',
  ].includes(normalized);
}
