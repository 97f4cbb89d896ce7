import { describe, expect, it } from 'vitest';
import { isConnectText, matchConnectLabel, normalizeProvider } from './connect-form-labels.ts';

describe('matchConnectLabel', () => {
  it.each([
    ['Storage provider', 'provider'],
    ['Speicheranbieter', 'provider'],
    ['S3 endpoint', 'endpoint'],
    ['S3-Endpunkt', 'endpoint'],
    ['S3 Server Address:', 'endpoint'],
    ['Region', 'region'],
    ['Region (optional)', 'region'],
    ['Bucket name *', 'bucket'],
    ['Bucket-Name', 'bucket'],
    ['Access key ID', 'accessKey'],
    ['Zugriffsschlüssel-ID', 'accessKey'],
    ['accessKeyId', 'accessKey'],
    ['Secret access key', 'secretKey'],
    ['Geheimer Zugriffsschlüssel', 'secretKey'],
    ['secret_access_key', 'secretKey'],
    ['Access Key / Zugriffsschlüssel', 'accessKey'],
  ] as const)('%s → %s', (label, field) => {
    expect(matchConnectLabel(label)).toBe(field);
  });

  it.each(['Name', 'Permissions', 'Secret Key / Region', '', 'Enter the access key you received from your provider when creating the bucket'])(
    'names no field: %s',
    (label) => {
      expect(matchConnectLabel(label)).toBeUndefined();
    },
  );
});

describe('normalizeProvider', () => {
  it.each([
    ['WeSendit', 'WeSendit'],
    ['wesendit', 'WeSendit'],
    ['Amazon S3', 'AWS'],
    ['aws', 'AWS'],
    ['Cloudflare R2', 'Cloudflare R2'],
    ['r2', 'Cloudflare R2'],
    ['Other S3', 'Other S3'],
    ['Anderer S3-Dienst', 'Other S3'],
    ['S3-compatible', 'Other S3'],
    ['Wasabi', 'Wasabi'],
    ['', ''],
  ])('%s → %s', (text, provider) => {
    expect(normalizeProvider(text)).toBe(provider);
  });
});

describe('isConnectText', () => {
  it.each(['Connect', 'connect ›', 'Verbinden', 'Mit Bucket verbinden', 'Connect storage'])('connects: %s', (text) => {
    expect(isConnectText(text)).toBe(true);
  });
  it.each(['Disconnect', 'Preview connect', 'Cancel', 'Continue'])('does not: %s', (text) => {
    expect(isConnectText(text)).toBe(false);
  });
});
