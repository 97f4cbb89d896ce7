import { describe, expect, it } from 'vitest';
import { findSection, parseIniFile, serializeIniFile, withRawSection, withSection, withSectionValues } from './ini-sections.ts';

const RCLONE = `# kept comment

[photos]
type = s3
; a comment inside
endpoint = https://s3.example.com:9000

[local]
type = local
`;

describe('INI sections of tool configs', () => {
  it('reads sections and values, splitting at the first = or : as goconfig does', () => {
    const config = parseIniFile(RCLONE);
    expect(config.sections.map((s) => s.name)).toEqual(['photos', 'local']);
    expect(findSection(config, 'photos')?.values.get('endpoint')).toBe('https://s3.example.com:9000');
  });

  it('keeps untouched sections and comments byte for byte', () => {
    const config = withSection(parseIniFile(RCLONE), 'new', [['type', 'alias'], ['remote', 'photos:bucket']]);
    const text = serializeIniFile(config);
    expect(text).toBe(`# kept comment\n\n[photos]\ntype = s3\n; a comment inside\nendpoint = https://s3.example.com:9000\n\n[local]\ntype = local\n\n[new]\ntype = alias\nremote = photos:bucket\n`);
    expect(serializeIniFile(parseIniFile(text))).toBe(text);
  });

  it('replaces a section in place and changes single values', () => {
    const replaced = withSection(parseIniFile(RCLONE), 'photos', [['type', 'alias']]);
    expect(replaced.sections.map((s) => s.name)).toEqual(['photos', 'local']);
    const changed = withSectionValues(parseIniFile(RCLONE), 'photos', new Map([['endpoint', 'https://other']]));
    expect(findSection(changed, 'photos')?.values).toEqual(new Map([['type', 's3'], ['endpoint', 'https://other']]));
    expect(() => withSectionValues(parseIniFile(RCLONE), 'absent', new Map())).toThrow(/no section \[absent\]/);
  });

  it('refuses values goconfig would not read back', () => {
    for (const value of ['a\nb', ' lead', 'trail ', '"quoted']) {
      expect(() => withSection(parseIniFile(''), 'x', [['k', value]])).toThrow(/cannot be written/);
    }
  });

  it('writes the AWS CLI\'s nested s3 block and reads past it', () => {
    const aws = withRawSection(parseIniFile('[default]\nregion = eu-west-1\n', /=/), 'profile p', ['region = us-east-1', 'credential_process = cg x', 's3 =', '    addressing_style = path']);
    const text = serializeIniFile(aws);
    expect(text).toBe('[default]\nregion = eu-west-1\n\n[profile p]\nregion = us-east-1\ncredential_process = cg x\ns3 =\n    addressing_style = path\n');
    expect(findSection(parseIniFile(text, /=/), 'profile p')?.values).toEqual(new Map([['region', 'us-east-1'], ['credential_process', 'cg x'], ['s3', '']]));
  });
});
