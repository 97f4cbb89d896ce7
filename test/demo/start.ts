/**
 * `npm start`: the whole product on its embedded demo, all on 127.0.0.1 — a throwaway Ceph S3
 * gateway holding a bucket with a NAS's files, the fake WeSendit UI with a storage that overlaps
 * it, the companion registered as native-messaging host for a fresh browser profile, and Chromium
 * with the built extension.
 *
 * With a display: a browser window on the connect form, to try it by hand. Without one: a headless
 * walk — fill in the connect form → "Preview connect" shows what the sync would do → "Connect" is
 * held while the bucket is backed up and verified → the sync runs → the one-time credentials are
 * held until saved to the vault → the popup's Backups tab lists the backup and its "Restore…" dry
 * run shows what the sync overwrote → "Review sync result" finds the one deliberate corruption, in
 * the popup and in the dock on WeSendit's storage page (reading its file browser) → the Secret Key goes to a KeePass file and the bucket to an rclone remote, with one upload-only
 * copy — printing each step and writing screenshots to a folder.
 * Each screenshot of a Connect Guard step is taken once the step's frame has loaded in the page's
 * one dock (checked: exactly one dock, one frame).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { installHost } from '../../companion/src/host/install-host.ts';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { DIFF_CLASSES } from '../../shared/diff/diff-inventories.ts';
import { formatBytes } from '../../shared/diff/format-bytes.ts';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import type { PreviewState } from '../../shared/protocol/extension-protocol.ts';
import { ConnectFormPageObject } from '../fake-wesendit/connect-form-page-object.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithExtension, waitForGateFrame } from '../support/chromium.ts';
import { fillByLabel, openExtensionPopup, type BrowserKind, type ExtensionBrowser } from '../support/extension-browser.ts';
import { launchFirefoxWithExtension } from '../support/firefox.ts';
import { waitForDockFrame } from '../support/dock.ts';
import { chromiumOf, extensionRequest, need, screenshot, type DemoContext, type DemoStep } from './demo-context.ts';
import { DEMO_BUCKET, DEMO_STORAGE, demoData, seedDemoBucket } from './demo-data.ts';
import { externalToolDemoEnv, runExternalToolDemo } from './steps/external-tool.ts';
import { keepassExportStep } from './steps/keepass-export.ts';
import { DEMO_UNEXPECTED_CHANGE, DOCK_REVIEW_STEP_TITLE, REVIEW_STEP_TITLE, runDockReviewStep, runReviewStep } from './steps/review.ts';

const DEMO_PASSPHRASE = 'demo passphrase for connect guard 2026';

const CONNECT_FLOW: readonly DemoStep[] = [
  {
    title: 'Open WeSendit\'s "connect to bucket" form for the storage "NAS backup" and fill in the bucket',
    async run(context) {
      const page = await context.extension.browser.newPage();
      context.page = page;
      const form = await ConnectFormPageObject.open(page, context.ui.url, { storageId: DEMO_STORAGE });
      context.form = form;
      await form.fill({ provider: 'other', endpoint: context.rgw.endpoint, bucket: DEMO_BUCKET, accessKey: context.rgw.accessKeyId, secretKey: context.rgw.secretAccessKey });
      await form.previewButton();
      await screenshot(context, 'connect-form');
    },
  },
  {
    title: 'Click "Preview connect" beside the form: the companion lists the bucket, the extension reads WeSendit\'s file browser',
    async run(context) {
      const form = need(context.form, 'connect form');
      await (await form.previewButton()).click();
      const frame = await form.waitForPreviewFrame();
      await frame.locator('::-p-aria([name="Preview connect"][role="button"])').click();
      await frame.waitForSelector('::-p-aria(Objects per class)', { timeout: 120_000 }).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; the frame shows: ${await frame.evaluate(() => document.body.innerText)}`);
      });
      context.prompt = frame;
      const state = await extensionRequest<PreviewState | null>(context, 'preview.latest', {});
      const totals = state?.summary?.totals;
      await screenshot(context, 'preview', '/preview.html');
      if (!totals) return 'no totals';
      const lines = DIFF_CLASSES.map((name) => {
        const row = totals.classes[name];
        return `${name.padEnd(17)} ${String(row.objects).padStart(4)} objects  bucket ${formatBytes(row.bucketBytes)}, WeSendit ${formatBytes(row.wesenditBytes)}`;
      });
      return [`advice: ${state?.advice === 'fresh-start' ? 'Fresh Start' : 'Integrating Existing Data — back up first'}`, ...lines].join('\n   ');
    },
  },
  {
    title: 'Click WeSendit\'s "Connect": Connect Guard holds the click and backs the bucket up',
    async run(context) {
      const form = need(context.form, 'connect form');
      const page = need(context.page, 'page');
      // WeSendit's sync waits until the screenshot is taken: its credentials dialog would be the next step.
      const sync = context.ui.holdConnects();
      try {
        await (await form.connectButton()).click();
        await page.waitForSelector('[data-connect-guard="gated"]', { timeout: 10_000 });
        const hold = await waitForDockFrame(page, '/hold.html', { timeout: 30_000 });
        await hold.waitForSelector('::-p-text(Backing up before connect)');
        context.prompt = hold;
        await hold.waitForSelector('::-p-text(Backup verified)', { timeout: 180_000 });
        // The released click has gone through to WeSendit: "Backup verified" is still what the dock shows.
        await page.waitForFunction(() => Reflect.get(window, '__connectAttempts') === 1, { timeout: 60_000 });
        await screenshot(context, 'backup-verified', '/hold.html');
      } finally {
        sync.release();
      }
    },
  },
  {
    title: 'The held click goes through: WeSendit merges the storage into the bucket',
    async run(context) {
      const page = need(context.page, 'page');
      const deadline = Date.now() + 120_000;
      while (context.ui.syncReports().length === 0) {
        if (Date.now() > deadline) throw new Error('WeSendit never synced after the release.');
        await page.waitForNetworkIdle({ idleTime: 200, timeout: 5_000 }).catch(() => undefined);
      }
      const report = need(context.ui.syncReports()[0], 'sync report');
      return `written to the bucket: ${report.written.length}, bucket files overwritten by WeSendit's version: ${report.overwrittenInBucket.length} (${report.overwrittenInBucket.join(', ')}), shown in WeSendit: ${report.addedToStorage.length}`;
    },
  },
  {
    title: 'WeSendit shows the one-time credentials: the gate holds "Continue" until the Secret Key is in the vault',
    async run(context) {
      const page = need(context.page, 'page');
      const prompt = await waitForGateFrame(page, { timeout: 60_000 });
      context.prompt = prompt;
      await prompt.waitForSelector('::-p-aria(Save to vault)');
      await screenshot(context, 'credentials-held', '/gate.html');
      await fillByLabel(prompt, 'Vault passphrase', DEMO_PASSPHRASE);
      await fillByLabel(prompt, 'Confirm passphrase', DEMO_PASSPHRASE);
      await prompt.locator('::-p-aria(Save to vault)').click();
      await prompt.waitForSelector('::-p-text(Saved and verified)', { timeout: 30_000 });
      await page.waitForSelector('[data-connect-guard="released"]', { timeout: 10_000 });
      await screenshot(context, 'saved-and-verified', '/gate.html');
    },
  },
  {
    title: 'The popup\'s Backups tab: the backup taken before the connect, verified; "Restore…" dry-runs it: what the sync changed since, ready to put back',
    async run(context) {
      const popup = await openExtensionPopup(context.extension, 'backups');
      await popup.setViewport({ width: 1280, height: 800 });
      // A background tab gets no animation frames: the popup, opened as a tab, is in front.
      await popup.bringToFront();
      context.page = popup;
      context.prompt = popup.mainFrame();
      const backup = await popup.waitForSelector('li.backup-item[data-status="verified"]', { timeout: 30_000 }).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; the popup shows: ${await popup.evaluate(() => document.body.innerText)}`);
      });
      if (!backup) throw new Error('The Backups tab lists no verified backup.');
      const listed = await backup.evaluate((item) => (item instanceof HTMLElement ? item.innerText : ''));
      await (await backup.waitForSelector('::-p-aria(Restore…)'))?.click();
      const shows = (): Promise<string> => popup.evaluate(() => document.body.innerText);
      const failing = async (error: unknown): Promise<never> => {
        throw new Error(`${String(error)}; the popup shows: ${await shows()}`);
      };
      // With the bucket's keys in the vault (the gate saved them) the dry run starts at once; otherwise they are typed in.
      await popup.waitForFunction(() => document.querySelector('.listed-restore .restore-status p[role="status"], #restore-access-key') !== null, { timeout: 30_000 }).catch(failing);
      if ((await popup.$('.listed-restore .restore-status p[role="status"]')) === null) {
        await fillByLabel(popup, 'Access key of the bucket', context.rgw.accessKeyId);
        await fillByLabel(popup, 'Secret key of the bucket', context.rgw.secretAccessKey);
        await popup.locator('::-p-aria([name="Dry run"][role="button"])').click();
      }
      await popup.waitForFunction(() => /Dry run, nothing written yet|Nothing to restore/.test(document.body.innerText), { timeout: 120_000 }).catch(failing);
      // The sync overwrote files (changed since the backup): restoring them too is the user's choice.
      if ((await popup.$('.listed-restore tr[data-change="changed"]')) !== null) {
        await popup.locator('::-p-aria(Also overwrite changed objects)').click();
        await popup.waitForFunction(() => document.body.innerText.includes('will be overwritten with the backup’s version'), { timeout: 120_000 }).catch(failing);
        await popup
          .waitForFunction(() => [...document.querySelectorAll('.listed-restore button')].some((button) => button.textContent === 'Apply restore' && !(button instanceof HTMLButtonElement && button.disabled)), { timeout: 10_000 })
          .catch(failing);
      }
      const rows = await popup.$$eval('.listed-restore tr[data-change]', (found) => found.map((row) => `${row.getAttribute('data-change') ?? ''} ${row.querySelector('th')?.textContent ?? ''}`));
      await screenshot(context, 'popup-backups-restore');
      return `listed: ${listed.split('\n').slice(0, 2).join(' · ')}\n   dry run: ${rows.length === 0 ? 'nothing to restore' : rows.join(', ')}; "Apply restore" (or "connect-guard restore --from <folder> --apply --force") puts them back`;
    },
  },
  { title: REVIEW_STEP_TITLE, run: (context) => runReviewStep(context) },
  {
    title: DOCK_REVIEW_STEP_TITLE,
    async run(context) {
      const step = { ...context, storageFilesUrl: `${context.ui.url}/storage/files?storage=${DEMO_STORAGE}` };
      const summary = await runDockReviewStep(step);
      context.shots = step.shots;
      context.page = step.page;
      return summary;
    },
  },
  keepassExportStep,
  {
    title: 'Hand the bucket to rclone, upload only: "Set up rclone" in the popup writes an encrypted remote; the safe copy it shows runs once (dry run, then copy)',
    chromiumOnly: true,
    async run(context) {
      const step = { chromium: chromiumOf(context), rgw: context.rgw, shotsDir: context.shotsDir, shots: context.shots, written: context.written, ...(context.vaultPassphrase === undefined ? {} : { vaultPassphrase: context.vaultPassphrase }) };
      const summary = await runExternalToolDemo(step);
      context.shots = step.shots;
      return summary;
    },
  },
];

async function runHeadless(context: DemoContext): Promise<void> {
  for (const [index, step] of CONNECT_FLOW.entries()) {
    if (step.chromiumOnly && context.extension.kind !== 'chromium') {
      console.log(`${index + 1}. ${step.title} … left out in Firefox: the demo drives this step in Chromium only`);
      continue;
    }
    process.stdout.write(`${index + 1}. ${step.title} … `);
    const started = Date.now();
    const shotsBefore = context.written.length;
    try {
      const detail = await step.run(context);
      console.log(`ok (${Date.now() - started} ms)${detail ? `\n   ${detail}` : ''}`);
      for (const path of context.written.slice(shotsBefore)) console.log(`   screenshot: ${relative(process.cwd(), path)}`);
    } catch (error) {
      console.log('FAILED');
      throw new Error(`Step ${index + 1} ("${step.title}") failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

async function runWindowed(browser: Browser, ui: FakeWeSendit, rgw: CephRgw): Promise<void> {
  const page = await browser.newPage();
  await page.goto(`${ui.url}/storage/connect?storage=${DEMO_STORAGE}`);
  console.log(`A Chromium window shows WeSendit's connect form (fake UI at ${ui.url}).`);
  console.log('Fill it in with the demo bucket (clearly fake keys of the throwaway local gateway):');
  console.log(`  provider Other S3 · endpoint ${rgw.endpoint} · bucket ${DEMO_BUCKET}`);
  console.log(`  access key ${rgw.accessKeyId} · secret key ${rgw.secretAccessKey} (fake test key, valid only for this gateway)`);
  console.log('Then "Preview connect" shows what the sync would do; "Connect" is held until the bucket is backed up.');
  console.log(`Other pages: ${ui.url}/settings/api-keys, ${ui.url}/storage/files?storage=${DEMO_STORAGE}, ${ui.url}/storages (add ?lang=de).`);
  console.log('Close the browser window or press Ctrl+C to stop.');
  await new Promise<void>((resolveClosed) => {
    browser.once('disconnected', () => resolveClosed());
    process.once('SIGINT', () => resolveClosed());
  });
}

const ROOT = resolve(import.meta.dirname, '../..');

/** Builds the loopback build of the extension (the demo's WeSendit runs on 127.0.0.1), its output into the log. */
function buildExtension(log: string, browser: BrowserKind): void {
  const output = openSync(log, 'a');
  try {
    execFileSync('npx', ['wxt', 'build', ...(browser === 'firefox' ? ['-b', 'firefox', '--mv3'] : []), '--mode', 'loopback'], { cwd: ROOT, stdio: ['ignore', output, output] });
  } catch (error) {
    throw new Error(`Building the extension failed; see ${log}.`, { cause: error });
  } finally {
    closeSync(output);
  }
}

/** `npm start -- --browser firefox`: the demo in Firefox ESR instead of Chromium. */
function chosenBrowser(args: readonly string[]): BrowserKind {
  const index = args.findIndex((arg) => arg === '--browser' || arg.startsWith('--browser='));
  const value = index < 0 ? 'chromium' : (args[index]?.split('=')[1] ?? args[index + 1]);
  if (value === 'chromium' || value === 'firefox') return value;
  throw new Error(`--browser must be chromium or firefox (got "${value ?? ''}").`);
}

async function main(): Promise<void> {
  const browserKind = chosenBrowser(process.argv.slice(2));
  const windowed = Boolean(process.env.DISPLAY);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  // A folder a user finds: in the clone, not hidden, one per run.
  const runDir = join(ROOT, 'demo-output', stamp);
  await mkdir(runDir, { recursive: true });
  const log = join(runDir, 'demo.log');
  // Details go to the log; the console keeps to progress and results.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => appendFileSync(log, `${warning.name}: ${warning.message}\n`));
  console.log(`Connect Guard demo. Screenshots, the demo backup and the log: ${relative(process.cwd(), runDir) || runDir}/`);
  ensureSystem([browserKind, 'ceph', 'keepassxc', 'tools'], { log });
  buildExtension(log, browserKind);
  console.log('Built the extension (loopback build: the demo\'s WeSendit runs on 127.0.0.1).');
  // The companion, started by Chromium as native-messaging host, inherits this: demo backups stay in the run's folder.
  process.env.CONNECT_GUARD_BACKUP_ROOT = join(runDir, 'backups');
  // … and so do the rclone config and the key file the demo writes for external tools.
  Object.assign(process.env, externalToolDemoEnv(runDir));
  console.log('Starting a throwaway Ceph S3 gateway on 127.0.0.1 …');
  const rgw = await startCephRgw({ buckets: [DEMO_BUCKET] });
  const profileDir = await mkdtemp(join(tmpdir(), 'connect-guard-demo-profile-'));
  let ui: FakeWeSendit | undefined;
  let extension: ExtensionBrowser | undefined;
  try {
    const data = demoData();
    const client = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
    await seedDemoBucket(client, data.bucket);
    client.destroy();
    console.log(`S3 gateway ${rgw.endpoint}: bucket ${DEMO_BUCKET} with ${data.bucket.length} objects`);
    ui = await startFakeWeSendit({ s3ServerAddress: rgw.endpoint });
    ui.setStorageFiles(DEMO_STORAGE, data.storage);
    // One deliberately unexpected change: the sync corrupts an invoice the preview calls "same",
    // so the review at the end shows what a finding looks like.
    ui.setSyncMisbehaviour(DEMO_UNEXPECTED_CHANGE);
    console.log(`Fake WeSendit UI on ${ui.url}: storage "NAS backup" with ${data.storage.length} files`);
    // Firefox reads host manifests under $HOME/.mozilla only: the demo's Firefox gets a HOME of its own.
    const firefoxHome = `${profileDir}-home`;
    const host =
      browserKind === 'firefox'
        ? await installHost({ env: { HOME: firefoxHome }, platform: process.platform, extensionIds: [], browsers: ['firefox'] })
        : await installHost({ env: process.env, platform: process.platform, extensionIds: [DEV_EXTENSION_ID], userDataDir: profileDir });
    appendFileSync(log, `Native-messaging host manifest: ${host.manifestPaths.map((entry) => entry.path).join(', ')}\n`);
    console.log('Companion registered as native-messaging host for the demo browser profile.');
    extension =
      browserKind === 'firefox'
        ? await launchFirefoxWithExtension({ headless: !windowed, userDataDir: profileDir, home: firefoxHome })
        : await launchChromiumWithExtension({ headless: !windowed, userDataDir: profileDir });
    console.log(`${browserKind === 'firefox' ? 'Firefox' : 'Chromium'} ${windowed ? 'window' : '(headless)'} with Connect Guard ${extension.extensionId}`);
    if (windowed) {
      await runWindowed(extension.browser, ui, rgw);
      return;
    }
    console.log('No display: walking the connect flow headless.\n');
    await runHeadless({ ui, rgw, extension, shotsDir: runDir, vaultPassphrase: DEMO_PASSPHRASE, shots: 0, written: [] });
    console.log(`\nDone: previewed, backed up and verified before WeSendit's sync; the Secret Key saved and verified before "Continue", the sync reviewed against the preview in the popup and in the dock on WeSendit's storage page (one deliberate corruption found, its restore selected)${browserKind === 'chromium' ? ', then the key handed to KeePass and the bucket to rclone (upload only)' : ''}.\nScreenshots and the demo backup: ${runDir}\nDetails: ${log}`);
  } finally {
    await extension?.close().catch(() => undefined);
    await rm(`${profileDir}-home`, { recursive: true, force: true });
    await ui?.stop();
    await rgw.stop();
    await rm(profileDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
