import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/protocol/extension-protocol.ts';
import { mergeSettings, normaliseExtraOrigin } from './settings-store.ts';

describe('mergeSettings', () => {
  it('applies valid changes and keeps the rest', () => {
    expect(mergeSettings(DEFAULT_SETTINGS, { clipboardSeconds: 45 })).toEqual({ ...DEFAULT_SETTINGS, clipboardSeconds: 45 });
  });

  it.each([
    [{ autoLockMinutes: 0 }, /Auto-lock minutes must be a whole number from 1 to 1440/],
    [{ autoLockMinutes: 1.5 }, /whole number/],
    [{ clipboardSeconds: 601 }, /Clipboard seconds must be a whole number from 5 to 600/],
    [{ clipboardSeconds: '30' }, /whole number/],
    [{ extraOrigins: 'https://a.example' }, /list of origins/],
    [{ extraOrigins: ['https://a.example:8443'] }, /no port, no path/],
    [{ extraOrigins: ['ftp://a.example'] }, /not an origin/],
    [{ colour: 'red' }, /Unknown setting "colour"/],
    [null, /must be an object/],
  ])('refuses %j', (change, message) => {
    expect(() => mergeSettings(DEFAULT_SETTINGS, change)).toThrow(message);
  });

  it('normalises and de-duplicates origins', () => {
    expect(mergeSettings(DEFAULT_SETTINGS, { extraOrigins: ['https://Files.Example.com/', 'https://files.example.com'] }).extraOrigins).toEqual(['https://files.example.com']);
    expect(normaliseExtraOrigin(' https://*.Example.com ')).toBe('https://*.example.com');
  });
});
