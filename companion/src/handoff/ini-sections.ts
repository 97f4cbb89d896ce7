/**
 * INI files as the tools write them: rclone's config (`[remote]`, `key = value`; rclone 1.60
 * reads it with goconfig, which splits a line at its first `=` or `:`) and the AWS CLI's config
 * and credentials files (`[profile name]`, split at `=`, indented lines for nested settings).
 * Sections Connect Guard does not change keep their lines exactly; a section it writes is written
 * the way the tools write one. Pure functions on immutable values.
 */
import { ConnectGuardError } from '../../../shared/errors.ts';

export interface IniSection {
  readonly name: string;
  /** The section's lines as read (header included); empty for a section built here. */
  readonly raw: readonly string[];
  /** Keys as written, in order. */
  readonly values: ReadonlyMap<string, string>;
}

export interface IniFile {
  /** Lines before the first section (comments, blank lines). */
  readonly preamble: readonly string[];
  readonly sections: readonly IniSection[];
}

const SECTION = /^\s*\[(.*)\]\s*$/;

export function parseIniFile(text: string, separators: RegExp = /[=:]/): IniFile {
  const preamble: string[] = [];
  const sections: { name: string; raw: string[]; values: Map<string, string> }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const header = SECTION.exec(line);
    if (header) {
      sections.push({ name: (header[1] ?? '').trim(), raw: [line], values: new Map() });
      continue;
    }
    const current = sections.at(-1);
    if (current === undefined) {
      preamble.push(line);
      continue;
    }
    current.raw.push(line);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    // An indented line belongs to the setting above it (the AWS CLI's nested `s3 =` block).
    if (/^\s/.test(line) && current.values.size > 0) continue;
    const split = trimmed.search(separators);
    if (split <= 0) continue;
    current.values.set(trimmed.slice(0, split).trim(), trimmed.slice(split + 1).trim());
  }
  return { preamble, sections };
}

/** Names Connect Guard writes (rclone remotes, AWS profiles): a safe subset of both tools' rules. */
export const TOOL_ENTRY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;

export function checkToolEntryName(name: string, what: string): void {
  if (!TOOL_ENTRY_NAME.test(name)) {
    throw new ConnectGuardError('INVALID_INPUT', `"${name}" cannot be ${what} name here: use letters, digits, "-", "_" or "." (at most 63), starting with a letter or digit.`);
  }
}

/** A value goconfig reads back unchanged: one line, no surrounding spaces, no leading quote. */
function checkValue(key: string, value: string): void {
  if (/[\r\n]/.test(value) || value !== value.trim() || /^["'`]/.test(value)) {
    throw new ConnectGuardError('INVALID_INPUT', `The value for "${key}" cannot be written to the config file (line break, surrounding spaces or a leading quote).`);
  }
}

export function findSection(config: IniFile, name: string): IniSection | undefined {
  return config.sections.find((section) => section.name === name);
}

/** The config with section `name` set to exactly `values` (replaced in place, or added at the end). */
export function withSection(config: IniFile, name: string, values: readonly (readonly [string, string])[]): IniFile {
  for (const [key, value] of values) checkValue(key, value);
  const section: IniSection = { name, raw: [], values: new Map(values) };
  const index = config.sections.findIndex((existing) => existing.name === name);
  const sections = index === -1 ? [...config.sections, section] : config.sections.map((existing, i) => (i === index ? section : existing));
  return { preamble: config.preamble, sections };
}

/**
 * The config with section `name` written as the given lines (header added here): for settings
 * that are not one `key = value` line, like the AWS CLI's nested `s3 =` block. Values are parsed
 * back from the lines.
 */
export function withRawSection(config: IniFile, name: string, lines: readonly string[]): IniFile {
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new ConnectGuardError('INVALID_INPUT', 'A config line cannot hold a line break.');
  }
  const parsed = parseIniFile([`[${name}]`, ...lines].join('\n'), /=/).sections[0];
  const section: IniSection = { name, raw: [`[${name}]`, ...lines], values: parsed?.values ?? new Map() };
  const index = config.sections.findIndex((existing) => existing.name === name);
  const sections = index === -1 ? [...config.sections, section] : config.sections.map((existing, i) => (i === index ? section : existing));
  return { preamble: config.preamble, sections };
}

/** The config with some keys of an existing section changed, its other lines kept. */
export function withSectionValues(config: IniFile, name: string, changes: ReadonlyMap<string, string>): IniFile {
  const existing = findSection(config, name);
  if (existing === undefined) throw new ConnectGuardError('NOT_FOUND', `The config file has no section [${name}].`);
  const values = new Map(existing.values);
  for (const [key, value] of changes) values.set(key, value);
  return withSection(config, name, [...values]);
}

function sectionText(section: IniSection): string {
  if (section.raw.length > 0) {
    // Keep the section as read, without the blank lines that separated it from the next.
    const lines = [...section.raw];
    while (lines.length > 1 && lines.at(-1)?.trim() === '') lines.pop();
    return `${lines.join('\n')}\n`;
  }
  return `[${section.name}]\n${[...section.values].map(([key, value]) => `${key} = ${value}\n`).join('')}`;
}

export function serializeIniFile(config: IniFile): string {
  const preamble = [...config.preamble];
  while (preamble.length > 0 && preamble.at(-1)?.trim() === '') preamble.pop();
  const head = preamble.length > 0 ? `${preamble.join('\n')}\n\n` : '';
  return head + config.sections.map(sectionText).join('\n');
}
