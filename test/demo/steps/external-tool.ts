/**
 * The demo's last step: the demo storage handed to rclone from the popup, as a user would ("Set
 * up rclone" on the Storages tab, the companion writing an encrypted remote), then the safe
 * commands the popup shows, run once in a shell: the dry run, then the upload-only copy of a
 * small local folder that holds new files and one same-name file with other content. rclone adds
 * the new files and refuses to overwrite the changed one; nothing is deleted.
 *
 * The companion writes where its environment says (Chromium's, inherited by the native host):
 * set {@link externalToolDemoEnv}'s variables in `process.env` before launching Chromium to keep
 * the rclone config and the tool key file inside the demo's output folder.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { shellWord } from '../../../shared/handoff/tool-guides.ts';
import type { ToolsListView } from '../../../shared/protocol/views.ts';
import { requestFromExtensionFrame, type ChromiumWithExtension } from '../../support/chromium.ts';
import { ensureSystem } from '../../support/ensure-system.ts';
import { DEMO_BUCKET } from '../demo-data.ts';

/** The passphrase for external tools the demo chooses (it protects the demo's tool key file). */
export const DEMO_TOOL_PASSPHRASE = 'demo passphrase for external tools 2026';

const DEMO_STORAGE_NAME = 'NAS backup (demo bucket)';

/** What the step needs from the demo (start.ts's context has all of it). */
export interface ExternalToolDemoContext {
  readonly chromium: ChromiumWithExtension;
  /** The Ceph gateway and its (clearly fake, throwaway) key pair, which opens the demo bucket. */
  readonly rgw: { readonly endpoint: string; readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The run's output folder: screenshots, the local folder uploaded, the shell's log. */
  readonly shotsDir: string;
  /** Unlocks the vault if it locked itself meanwhile. */
  readonly vaultPassphrase?: string;
  /** Default: the demo bucket. */
  readonly bucket?: string;
  /** When given (start.ts's context), the screenshot is numbered and listed like the others. */
  shots?: number;
  readonly written?: string[];
}

/** Variables to set before Chromium starts so the companion writes the tool files into `runDir`. */
export function externalToolDemoEnv(runDir: string): Record<string, string> {
  return { RCLONE_CONFIG: join(runDir, 'tools', 'rclone.conf'), CONNECT_GUARD_CONFIG_DIR: join(runDir, 'tools', 'connect-guard') };
}

async function request<T>(page: Page, type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(page.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type}: ${JSON.stringify(reply)}`);
}

interface ShellRun {
  readonly code: number;
  readonly output: string;
}

/** Runs command lines in one POSIX shell, as a user pasting them would; the passphrase only in its environment. */
function shell(lines: readonly string[], cwd: string, env: Record<string, string>): Promise<ShellRun> {
  return new Promise((resolveRun) => {
    execFile('/bin/sh', ['-c', lines.join('\n')], { cwd, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolveRun({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

function failing(page: Page): (error: unknown) => Promise<never> {
  return async (error) => {
    throw new Error(`${String(error)}; the popup shows: ${await page.evaluate(() => document.body.innerText)}`);
  };
}

/** The vault's storage for the demo bucket with the gateway's key pair, saved when missing. */
async function demoStorageId(page: Page, context: ExternalToolDemoContext, bucket: string): Promise<{ id: string; name: string }> {
  const status = await request<{ unlocked: boolean }>(page, 'vault.status', {});
  if (!status.unlocked) {
    if (context.vaultPassphrase === undefined) throw new Error('The vault is locked and no vault passphrase was given.');
    await request(page, 'vault.unlock', { passphrase: context.vaultPassphrase });
  }
  const storages = await request<{ id: string; storageName: string; bucketName: string; accessKey: string }[]>(page, 'storage.list', {});
  const found = storages.find((storage) => storage.bucketName === bucket && storage.accessKey === context.rgw.accessKeyId);
  if (found) return { id: found.id, name: found.storageName || found.bucketName };
  const source = { kind: 'direct', connection: { endpoint: context.rgw.endpoint, bucket, accessKeyId: context.rgw.accessKeyId, secretAccessKey: context.rgw.secretAccessKey } };
  const saved = await request<{ storageId: string }>(page, 'storage.saveConnection', { source, storageName: DEMO_STORAGE_NAME });
  return { id: saved.storageId, name: DEMO_STORAGE_NAME };
}

/** Files rclone lists in the remote, recursively. */
function listed(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.endsWith('/') && !/^\d{4}\/\d{2}\/\d{2} /.test(line));
}

/**
 * Sets up rclone for the demo storage through the popup and the companion, then runs the safe
 * copy once (dry run, then copy). Returns a short summary for the console; throws with what the
 * popup or rclone said when a step fails.
 */
export async function runExternalToolDemo(context: ExternalToolDemoContext): Promise<string> {
  if (!existsSync('/usr/bin/rclone')) ensureSystem(['peers']);
  const bucket = context.bucket ?? DEMO_BUCKET;
  const popup = await context.chromium.browser.newPage();
  try {
    await popup.setViewport({ width: 460, height: 900 });
    await popup.bringToFront();
    await popup.goto(`chrome-extension://${context.chromium.extensionId}/popup.html#tab=storages`);
    const storage = await demoStorageId(popup, context, bucket);
    await popup.reload();
    const item = `li[data-storage-id="${storage.id}"]`;
    await popup.waitForSelector(item, { timeout: 30_000 }).catch(failing(popup));
    await popup.locator(`${item} ::-p-aria([name="Set up rclone"][role="button"])`).click();
    await popup.waitForSelector('::-p-aria(Passphrase for external tools)', { timeout: 30_000 }).catch(failing(popup));
    // The remote name is the demo's own, so a run never meets the last run's remote.
    const remote = `wesendit-demo-${Date.now().toString(36)}`;
    await popup.locator('::-p-aria(Remote name)').fill(remote);
    await popup.locator('::-p-aria(Passphrase for external tools)').fill(DEMO_TOOL_PASSPHRASE);
    // The first tool on this computer creates the tool key file: the passphrase is typed twice.
    if ((await popup.$('::-p-aria(Confirm passphrase for external tools)')) !== null) await popup.locator('::-p-aria(Confirm passphrase for external tools)').fill(DEMO_TOOL_PASSPHRASE);
    await popup.locator('::-p-aria(Write rclone remote)').click();
    await popup.waitForSelector('[data-tool-written]', { timeout: 120_000 }).catch(failing(popup));
    const written = await popup.$eval('[data-tool-written]', (element) => element.textContent ?? '');
    const commands = await popup.$$eval('[data-tool-command]', (codes) => codes.map((code) => code.textContent ?? ''));
    if (context.written !== undefined) {
      context.shots = (context.shots ?? 0) + 1;
      const path = join(context.shotsDir, `${String(context.shots).padStart(2, '0')}-popup-rclone-setup.png`);
      await popup.screenshot({ path, fullPage: true });
      context.written.push(path);
    }
    const tools = await request<ToolsListView>(popup, 'tools.list', {});
    const entry = tools.tools.find((tool) => tool.tool === 'rclone' && tool.name === remote);
    if (!entry) throw new Error(`The companion lists no rclone remote "${remote}".`);

    // A small local folder: two new files, and one same-name file with other content than the bucket's.
    const cwd = join(context.shotsDir, 'rclone-demo');
    const folder = join(cwd, 'folder-to-upload');
    await mkdir(join(folder, 'scans'), { recursive: true });
    await writeFile(join(folder, 'scans', `new-scan-${remote}.txt`), 'A new scan from the NAS, uploaded by rclone copy.\n');
    await writeFile(join(folder, `notes-${remote}.md`), '# Notes\nUploaded with --immutable --checksum: nothing in the bucket is overwritten.\n');
    // The shell gets the config path outright (the printed lines set it only when it is not rclone's default).
    const env = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? cwd, LANG: 'C.UTF-8', RCLONE_CONFIG: entry.configPath, CONNECT_GUARD_TOOL_PASSPHRASE: DEMO_TOOL_PASSPHRASE };
    const setup = commands.filter((command) => command.startsWith('export '));
    const lsf = `rclone lsf -R ${remote}:`;
    const before = await shell([...setup, lsf], cwd, env);
    if (before.code !== 0) throw new Error(`rclone could not list the bucket through "${remote}:": ${before.output}`);
    const existing = listed(before.output);
    const sameName = existing[0];
    if (sameName !== undefined) {
      await mkdir(join(folder, sameName, '..'), { recursive: true });
      await writeFile(join(folder, sameName), `A local file named like the bucket's "${sameName}", with other content: rclone must not overwrite it.\n`);
    }
    const dryRun = commands.find((command) => command.includes('--dry-run'));
    const copy = commands.find((command) => command.includes('--progress'));
    if (dryRun === undefined || copy === undefined) throw new Error(`The popup shows no dry run or copy command: ${commands.join(' | ')}`);
    const dry = await shell([...setup, dryRun], cwd, env);
    const wouldCopy = (dry.output.match(/Skipped copy as --dry-run is set/g) ?? []).length;
    const copied = await shell([...setup, copy], cwd, env);
    // --immutable names a changed same-name file and ends with exit code 6; anything else is a failure.
    if (copied.code !== 0 && copied.code !== 6) throw new Error(`rclone copy failed (exit ${copied.code}): ${copied.output.slice(-2000)}`);
    const refused = (copied.output.match(/immutable file modified/g) ?? []).length > 0 ? 1 : 0;
    const after = listed((await shell([...setup, lsf], cwd, env)).output);
    if (sameName !== undefined) {
      const kept = await shell([...setup, `rclone cat ${shellWord(`${remote}:${sameName}`)}`], cwd, env);
      if (kept.output.includes('with other content: rclone must not overwrite it')) throw new Error(`rclone overwrote "${sameName}" in the bucket.`);
    }
    const arrived = after.filter((key) => !existing.includes(key));
    const gone = existing.filter((key) => !after.includes(key));
    await writeFile(join(cwd, 'rclone-output.log'), `$ ${dryRun}\n${dry.output}\n$ ${copy}\n${copied.output}\n`);
    return [
      written,
      `dry run: ${wouldCopy} file(s) would be copied, nothing written; \`${dryRun}\``,
      `copy: ${arrived.length} new file(s) arrived (${arrived.join(', ')}); ${refused ? `"${sameName ?? ''}" (same name, other content) refused, not overwritten` : 'no same-name file met'}; ${gone.length} deleted; bucket ${existing.length} → ${after.length} files`,
    ].join('\n   ');
  } finally {
    await popup.close();
  }
}
