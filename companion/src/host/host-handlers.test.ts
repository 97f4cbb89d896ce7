/**
 * Staging a WeSendit listing with `inventory.upload`: packed lines are unpacked and checked line
 * by line, objects are taken as they are, and a bad line refuses the batch, naming the line.
 */
import { describe, expect, it } from 'vitest';
import { packInventoryLines } from '../../../shared/inventory-lines.ts';
import type { RequestContext } from './serve-native-host.ts';
import { createHostHandlers } from './host-handlers.ts';

const context: RequestContext<'inventory.upload'> = {
  signal: new AbortController().signal,
  progress: async () => undefined,
  chunk: async () => undefined,
};

describe('inventory.upload', () => {
  it('stages packed lines and entry objects under one upload id, and refuses a bad line by its number', async () => {
    const upload = createHostHandlers()['inventory.upload'];
    if (!upload) throw new Error('no inventory.upload handler');
    const lines = packInventoryLines([
      { key: 'b/2.txt', size: 2, lastModified: '2026-01-01T00:00:00.000Z', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
      { key: 'a\ttab.txt', size: 1 },
    ]);
    await expect(upload({ uploadId: 'u', lines, done: false }, context)).resolves.toEqual({ staged: 2 });
    await expect(upload({ uploadId: 'u', entries: [{ key: 'c.txt', size: 3 }] }, context)).resolves.toEqual({ staged: 3 });
    await expect(upload({ uploadId: 'u', lines: '4\t\t\td.txt\nfour\t\t\te.txt' }, context)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/line 2: the size/) });
    // Nothing of the refused batch was staged.
    await expect(upload({ uploadId: 'u', lines: '', done: true }, context)).resolves.toEqual({ staged: 3 });
  });
});
