import { describe, expect, it } from 'vitest';
import type { CredentialField } from '../../../shared/credentials.ts';
import { isContinueText, isStoredKeysText, matchCredentialLabel, mayContainCredentialLabels, splitInlineLabel } from './label-matching.ts';

describe('matchCredentialLabel', () => {
  const table: Array<[string, CredentialField | undefined]> = [
    // English, as the seed writes them
    ['Storage name', 'storageName'],
    ['Permissions', 'permissions'],
    ['Allowed IP addresses', 'allowedIps'],
    ['S3 Server Address', 'serverAddress'],
    ['S3 API Bucket Name', 'bucketName'],
    ['Access Key', 'accessKey'],
    ['Secret Key', 'secretKey'],
    // German
    ['Speichername', 'storageName'],
    ['Berechtigungen', 'permissions'],
    ['Erlaubte IP-Adressen', 'allowedIps'],
    ['S3-Serveradresse', 'serverAddress'],
    ['S3-API-Bucket-Name', 'bucketName'],
    ['Zugriffsschlüssel', 'accessKey'],
    ['Geheimer Schlüssel', 'secretKey'],
    ['Zugriffsschlüssel / Access Key', 'accessKey'],
    ['Geheimer Schlüssel / Secret Key', 'secretKey'],
    ['Secret Key (Geheimer Schlüssel)', 'secretKey'],
    // colons, spaces, case, NBSP, asterisks
    ['Secret Key:', 'secretKey'],
    ['  secret   key :  ', 'secretKey'],
    ['SECRET KEY', 'secretKey'],
    ['Secret\u00a0Key', 'secretKey'],
    ['\u00a0 Geheimer\u00a0Schlüssel\u00a0: ', 'secretKey'],
    ['Access key*', 'accessKey'],
    ['ACCESS KEY:', 'accessKey'],
    ['Storage Name *', 'storageName'],
    ['s3 server address:', 'serverAddress'],
    ['S3 API bucket name：', 'bucketName'],
    ['Allowed IP Addresses :', 'allowedIps'],
    ['Geheimer Schlu\u0308ssel', 'secretKey'],
    ['Access Key ID', 'accessKey'],
    ['Secret Access Key', 'secretKey'],
    // not labels
    ['Your private security key – only visible right now!', undefined],
    ['Important: The Secret Key is shown to you only once.', undefined],
    ['Access Key vs. Secret Key', undefined],
    ['Continue', undefined],
    ['', undefined],
    ['Key', undefined],
  ];
  it.each(table)('%j → %s', (text, field) => {
    expect(matchCredentialLabel(text)).toBe(field);
  });
});

describe('splitInlineLabel', () => {
  it('splits "label: value" in one text', () => {
    expect(splitInlineLabel('Secret Key: cgtest-secret-abc')).toEqual({ field: 'secretKey', value: 'cgtest-secret-abc' });
    expect(splitInlineLabel('S3-Serveradresse: https://s3.example')).toEqual({ field: 'serverAddress', value: 'https://s3.example' });
  });
  it('ignores prose and bare labels', () => {
    expect(splitInlineLabel('Important: The Secret Key is shown once')).toBeUndefined();
    expect(splitInlineLabel('Secret Key:')).toBeUndefined();
  });
});

describe('control texts', () => {
  it.each(['I have stored the keys', 'Ich habe die Schlüssel gespeichert', ' I have saved the keys ', 'I stored my keys safely'])('stored: %j', (text) => {
    expect(isStoredKeysText(text)).toBe(true);
  });
  it.each(['Remember me', 'Read & Write', ''])('not stored: %j', (text) => {
    expect(isStoredKeysText(text)).toBe(false);
  });
  it.each(['Continue', 'Weiter', ' CONTINUE ', 'Weiter →', 'Fortfahren'])('continue: %j', (text) => {
    expect(isContinueText(text)).toBe(true);
  });
  it.each(['Cancel', 'Continue reading the help article', 'Copy'])('not continue: %j', (text) => {
    expect(isContinueText(text)).toBe(false);
  });
  it('pre-filters mutation text cheaply', () => {
    expect(mayContainCredentialLabels('…Geheimer Schlüssel…')).toBe(true);
    expect(mayContainCredentialLabels('SECRET KEY')).toBe(true);
    expect(mayContainCredentialLabels('Storages')).toBe(false);
  });
});
