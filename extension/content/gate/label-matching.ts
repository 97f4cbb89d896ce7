/**
 * Recognises the texts of WeSendit's credentials dialog by meaning: the seven field labels and
 * the two controls ("I have stored the keys", "Continue"), in English and German, however the
 * markup spells them (case, extra or non-breaking spaces, colons, hyphens, trailing asterisks,
 * both languages in one label). Pure string functions, no DOM.
 */
import { CREDENTIAL_FIELDS, type CredentialField } from '../../../shared/credentials.ts';

/** Labels longer than this are prose, not a field label. */
const MAX_LABEL_LENGTH = 60;

const FIELD_LABELS: Record<CredentialField, readonly string[]> = {
  storageName: ['storage name', 'name of the storage', 'speichername', 'speicher name', 'name des speichers'],
  permissions: ['permissions', 'permission', 'access rights', 'berechtigungen', 'berechtigung', 'zugriffsrechte'],
  allowedIps: [
    'allowed ip addresses', 'allowed ip address', 'allowed ips', 'allowed ip', 'ip addresses', 'ip allowlist', 'ip whitelist',
    'erlaubte ip adressen', 'erlaubte ip adresse', 'erlaubte ips', 'zulässige ip adressen', 'zugelassene ip adressen', 'ip adressen',
  ],
  serverAddress: [
    's3 server address', 'server address', 's3 endpoint', 's3 endpoint url', 'endpoint url', 's3 server url', 's3 url',
    's3 serveradresse', 's3 server adresse', 'serveradresse', 'server adresse', 's3 endpunkt', 'endpunkt',
  ],
  bucketName: [
    's3 api bucket name', 's3 bucket name', 'bucket name', 's3 api bucket', 's3 bucket',
    's3 api bucketname', 'bucketname', 's3 bucketname', 'name des buckets',
  ],
  accessKey: [
    'access key', 'access key id', 's3 access key', 'accesskey', 'access id',
    'zugriffsschlüssel', 'zugangsschlüssel', 's3 zugriffsschlüssel', 'zugriffsschluessel', 'zugangsschluessel', 'zugriffs schlüssel',
  ],
  secretKey: [
    'secret key', 'secret access key', 's3 secret key', 'secretkey',
    'geheimer schlüssel', 'geheimschlüssel', 'geheimer schluessel', 'geheimschluessel', 'geheimer zugriffsschlüssel', 's3 geheimer schlüssel',
  ],
};

const LABEL_TO_FIELD: ReadonlyMap<string, CredentialField> = new Map(
  CREDENTIAL_FIELDS.flatMap((field) => FIELD_LABELS[field].map((label): [string, CredentialField] => [label, field])),
);

/**
 * Lower case, one plain space for any run of whitespace (NBSP included), hyphens and underscores
 * as spaces, no leading/trailing colons, asterisks or punctuation.
 */
export function normalizeLabel(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u00ad\u200b-\u200d\ufeff]/g, '')
    .replace(/[-_‐‑–]/g, ' ')
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/^[\s*:：•·]+|[\s*:：.•·]+$/g, '')
    .trim();
}

/** The credential field a label text names, or `undefined` for anything else. */
export function matchCredentialLabel(text: string): CredentialField | undefined {
  if (text.length > MAX_LABEL_LENGTH * 2) return undefined;
  const normalized = normalizeLabel(text);
  if (normalized.length === 0 || normalized.length > MAX_LABEL_LENGTH) return undefined;
  const direct = LABEL_TO_FIELD.get(normalized);
  if (direct) return direct;
  // "Zugriffsschlüssel / Access Key", "Secret Key (Geheimer Schlüssel)": every part names one field.
  const parts = normalized.split(/[/|()]/).map((part) => normalizeLabel(part)).filter((part) => part.length > 0);
  if (parts.length < 2) return undefined;
  const fields = new Set(parts.map((part) => LABEL_TO_FIELD.get(part)));
  if (fields.size !== 1) return undefined;
  const [field] = fields;
  return field;
}

/**
 * "Secret Key: abc…" in one text: the field and the value after the colon, or `undefined` when
 * the text before the first colon is not a label.
 */
export function splitInlineLabel(text: string): { field: CredentialField; value: string } | undefined {
  const colon = text.search(/[:：]/);
  if (colon <= 0) return undefined;
  const field = matchCredentialLabel(text.slice(0, colon));
  const value = text.slice(colon + 1).trim();
  return field && value.length > 0 ? { field, value } : undefined;
}

/** "I have stored the keys" / "Ich habe die Schlüssel gespeichert" and close relatives. */
export function isStoredKeysText(text: string): boolean {
  const normalized = normalizeLabel(text);
  if (normalized.length === 0 || normalized.length > 120) return false;
  return /\b(stored|saved|copied|noted|backed up)\b|gespeichert|gesichert|notiert|kopiert|abgelegt/.test(normalized);
}

/** "Continue" / "Weiter" and close relatives, as a button's whole text. */
export function isContinueText(text: string): boolean {
  const normalized = normalizeLabel(text).replace(/[→›»>]+$/, '').trim();
  return ['continue', 'weiter', 'fortfahren', 'next', 'done', 'finish', 'fertig', 'abschließen', 'ok'].includes(normalized);
}

/** Cheap pre-filter for mutation batches: could this text belong to a credentials dialog? */
export function mayContainCredentialLabels(text: string): boolean {
  return /secret|geheim/i.test(text);
}
