import { describe, expect, it } from 'vitest';
import { decryptRcloneConfig, encryptRcloneConfig, rcloneConfigKey, rcloneConfigKind } from './rclone-config-crypt.ts';

// rclone's own test file, fs/config/testdata/encrypted.conf at v1.60.1 (password "asdf", used by
// TestConfigLoadEncrypted in fs/config/crypt_test.go): written by rclone, read here.
const RCLONE_TESTDATA = `# Encrypted rclone configuration File

RCLONE_ENCRYPT_V0:
b5Uk6mE3cUn5Wb8xiWYnVBAxXUirAaEG1PO/GIDiO9274AO+Yj790BwJA4d2y7lNkmHt4nJwIsoueFvUYmm7RDyzER8IA3XOCrjzl3OUcczZqcplk5JfBdhxMZpt1aGYWUdle1IgO/kAFne6sLD6IuxPySEb`;

describe('rclone config encryption (RCLONE_ENCRYPT_V0)', () => {
  it('opens the encrypted config from rclone\'s own test data with its password', () => {
    const plain = decryptRcloneConfig(RCLONE_TESTDATA, 'asdf');
    // The plain config in rclone's test file has CRLF line ends.
    expect(plain).toBe('[nounc]\r\ntype = local\r\nnounc = true\r\n\r\n[unc]\r\ntype = local\r\nnounc = false\r\n\r\n');
  });

  it('refuses the wrong password as rclone does (same test data, "asdf-blurfl")', () => {
    expect(decryptRcloneConfig(RCLONE_TESTDATA, 'asdf-blurfl')).toBeUndefined();
  });

  it('writes rclone\'s layout: header lines, marker, base64 of a 24-byte nonce and the box', () => {
    const text = encryptRcloneConfig('[a]\ntype = local\n', 'p');
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual(['# Encrypted rclone configuration File', '', 'RCLONE_ENCRYPT_V0:']);
    expect(lines[3]).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // nonce (24) + Poly1305 tag (16) + the 17 plaintext bytes
    expect(Buffer.from(lines[3] ?? '', 'base64')).toHaveLength(24 + 16 + 17);
    expect(decryptRcloneConfig(text, 'p')).toBe('[a]\ntype = local\n');
  });

  it('uses a fresh nonce every time', () => {
    expect(encryptRcloneConfig('x', 'p')).not.toBe(encryptRcloneConfig('x', 'p'));
  });

  it('derives the key as rclone does: NFKC first, case kept (fs/config/crypt_internal_test.go TestPassword)', () => {
    expect(rcloneConfigKey('ﬀ\u0041\u030A')).toEqual(rcloneConfigKey('ffÅ'));
    expect(rcloneConfigKey('abcdef')).not.toEqual(rcloneConfigKey('ABCDEF'));
    expect(() => rcloneConfigKey('  \t  ')).toThrow(/cannot be empty/);
  });

  it('reads base64 broken over lines, and names damage', () => {
    const [head, data = ''] = RCLONE_TESTDATA.split('RCLONE_ENCRYPT_V0:\n');
    expect(decryptRcloneConfig(`${head}RCLONE_ENCRYPT_V0:\n${data.slice(0, 40)}\n${data.slice(40)}\n`, 'asdf')).toMatch(/\[nounc\]/);
    expect(() => decryptRcloneConfig(`${head}RCLONE_ENCRYPT_V0:\n*not base64*`, 'asdf')).toThrow(/not base64/);
    expect(() => decryptRcloneConfig(`${head}RCLONE_ENCRYPT_V0:\nAAAA`, 'asdf')).toThrow(/too short/);
    expect(decryptRcloneConfig(RCLONE_TESTDATA.replace('b5Uk', 'b5Ul'), 'asdf')).toBeUndefined();
  });

  it.each([
    ['', 'plain'],
    ['[remote]\ntype = s3\n', 'plain'],
    ['# comment\n\nRCLONE_ENCRYPT_V0:\nAAAA', 'encrypted'],
    ['  ; c\nRCLONE_ENCRYPT_V1:\nAAAA', 'unsupported'],
  ] as const)('kind of %j is %s', (text, kind) => {
    expect(rcloneConfigKind(text)).toBe(kind);
  });
});
