import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordHandoff, type HandoffRecord } from './tool-index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cg-tool-index-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (overrides: Partial<HandoffRecord> = {}): HandoffRecord => ({
  tool: 'aws',
  name: 'nas',
  configPath: '/home/u/.aws/config',
  toolKeysPath: '/home/u/.config/connect-guard/tool-keys.json',
  storageName: 'NAS',
  endpoint: 'https://s3.example.test',
  bucket: 'usr-1-itm-2-nas',
  accessKey: 'AKIAFAKEFAKEFAKE',
  ...overrides,
});

describe('recordHandoff', () => {
  it('adds a new hand-off beside the others, and one set up again keeps when it was first set up', async () => {
    const path = join(dir, 'tools.json');
    const first = await recordHandoff(path, record());
    await writeFile(path, first.text);
    const firstSetUp = (JSON.parse(first.text) as { tools: { setUpAt: string }[] }).tools[0]?.setUpAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await recordHandoff(path, record({ accessKey: 'AKIANEWFAKEFAKE' }));
    await writeFile(path, again.text);
    const other = await recordHandoff(path, record({ tool: 'rclone', name: 'nas', s3Remote: 'nas-s3' }));
    const tools = (JSON.parse(other.text) as { tools: { tool: string; accessKey: string; setUpAt: string; updatedAt: string }[] }).tools;
    expect(tools.map((tool) => `${tool.tool} ${tool.accessKey}`)).toEqual(['aws AKIANEWFAKEFAKE', 'rclone AKIAFAKEFAKEFAKE']);
    expect(tools[0]?.setUpAt).toBe(firstSetUp);
    expect(tools[0]?.updatedAt).not.toBe(firstSetUp);
  });

  it('refuses to overwrite a damaged index, naming it', async () => {
    const path = join(dir, 'tools.json');
    await writeFile(path, 'not json');
    await expect(recordHandoff(path, record())).rejects.toThrow(/tools\.json is not JSON/);
  });
});
