/**
 * The demo's last step: "Review sync result" in the popup's Backups tab, after the demo's sync —
 * the plan the preview made at the connect against the bucket now. With
 * {@link DEMO_UNEXPECTED_CHANGE} set on the fake WeSendit before the connect
 * (`ui.setSyncMisbehaviour(DEMO_UNEXPECTED_CHANGE)`), the sync corrupts one invoice the preview
 * called "same", so the user sees what a finding looks like and that "Restore from the backup"
 * selects exactly it.
 *
 * test/demo/start.ts runs it after the Backups step, with the demo's context.
 */
import { join } from 'node:path';
import type { Frame, Page } from 'puppeteer-core';
import type { SyncMisbehaviour } from '../../fake-wesendit/fake-connect-sync.ts';
import type { CephRgw } from '../../support/ceph-rgw.ts';
import { chooseBackupToReview, waitForDockFrame } from '../../support/dock.ts';
import { fillByLabel, openExtensionPopup, type ExtensionBrowser } from '../../support/extension-browser.ts';
import { DEMO_BUCKET } from '../demo-data.ts';

/** One invoice is the same on both sides in the demo data: the sync corrupts it. */
export const DEMO_CORRUPTED_KEY = 'Documents/Invoices/invoice-2025-03.pdf';

/** The fake sync switch for the demo's one deliberately unexpected change. */
export const DEMO_UNEXPECTED_CHANGE: SyncMisbehaviour = { corrupt: DEMO_CORRUPTED_KEY };

/** The parts of the demo's context this step uses (test/demo/start.ts's DemoContext has them). */
export interface ReviewStepContext {
  readonly rgw: CephRgw;
  readonly extension: ExtensionBrowser;
  readonly shotsDir: string;
  page?: Page;
  prompt?: Frame;
  shots: number;
  readonly written: string[];
}

export const REVIEW_STEP_TITLE = 'The popup\'s Backups tab: "Review sync result" compares the bucket now with what the preview predicted at the connect';

/**
 * Opens the popup's Backups tab, starts "Review sync result" on the demo bucket's backup, waits
 * for the findings, and screenshots them (and, when something was lost or overwritten, the
 * restore dry run of exactly those keys). Returns a one-line summary for the demo's log.
 */
export async function runReviewStep(context: ReviewStepContext): Promise<string> {
  const popup = await openExtensionPopup(context.extension, 'backups');
  await popup.setViewport({ width: 1280, height: 900 });
  await popup.bringToFront();
  context.page = popup;
  context.prompt = popup.mainFrame();
  const shows = (): Promise<string> => popup.evaluate(() => document.body.innerText);
  const failing = async (error: unknown): Promise<never> => {
    throw new Error(`${String(error)}; the popup shows: ${await shows()}`);
  };
  const items = await popup.waitForSelector('li.backup-item[data-status="verified"]', { timeout: 30_000 }).then(() => popup.$$('li.backup-item'), failing);
  let clicked = false;
  for (const item of items) {
    const text = await item.evaluate((element) => element.textContent ?? '');
    const button = text.includes(DEMO_BUCKET) ? await item.$('::-p-aria([name="Review sync result"][role="button"])') : null;
    if (button) {
      await button.click();
      clicked = true;
      break;
    }
  }
  if (!clicked) await failing(new Error(`No backup of ${DEMO_BUCKET} offers "Review sync result" (no plan was kept at the connect).`));
  // Keys saved in the vault start the review at once; otherwise they are typed in, as for a restore.
  await popup.waitForFunction(() => document.querySelector('.sync-review [aria-label="Sync review result"], #review-access-key') !== null, { timeout: 30_000 }).catch(failing);
  if ((await popup.$('.sync-review [aria-label="Sync review result"]')) === null) {
    await fillByLabel(popup, 'Access key of the bucket', context.rgw.accessKeyId);
    await fillByLabel(popup, 'Secret key of the bucket', context.rgw.secretAccessKey);
    await popup.locator('::-p-aria([name="Start review"][role="button"])').click();
  }
  await popup.waitForSelector('.sync-review [aria-label="Sync review result"]', { timeout: 120_000 }).catch(failing);
  const findings = await popup.$$eval('ul.review-findings li', (rows) => rows.map((row) => `${row.getAttribute('data-kind') ?? ''} ${row.querySelector('code:not(.mark)')?.textContent ?? ''}`));
  const verdict = await popup.$eval('.sync-review [aria-label="Sync review result"] [role="status"]', (element) => element.textContent ?? '');
  context.shots += 1;
  const shot = join(context.shotsDir, `${String(context.shots).padStart(2, '0')}-review-sync-result.png`);
  await popup.screenshot({ path: shot, fullPage: true });
  context.written.push(shot);
  if ((await popup.$('::-p-aria([name="Restore from the backup"][role="button"])')) !== null) {
    await popup.locator('::-p-aria([name="Restore from the backup"][role="button"])').click();
    await popup.waitForFunction(() => /Dry run, nothing written yet|Nothing to restore/.test(document.body.innerText), { timeout: 120_000 }).catch(failing);
    context.shots += 1;
    const restoreShot = join(context.shotsDir, `${String(context.shots).padStart(2, '0')}-review-restore-selection.png`);
    await popup.screenshot({ path: restoreShot, fullPage: true });
    context.written.push(restoreShot);
  }
  return `${verdict.trim()} Findings: ${findings.length === 0 ? 'none' : findings.join('; ')}`;
}

export const DOCK_REVIEW_STEP_TITLE = 'WeSendit\'s storage page: the dock offers "Review sync result" and reads WeSendit\'s side from the file browser in that tab';

/** What the dock's review step needs besides the popup step's context: WeSendit's address and storage. */
export interface DockReviewStepContext extends ReviewStepContext {
  readonly storageFilesUrl: string;
}

/**
 * Opens WeSendit's storage page in a tab, where the dock offers the review after the connect;
 * reviews the demo bucket's backup there (WeSendit's side read from the file browser in the tab)
 * and screenshots the page with the dock's findings. Returns a one-line summary.
 */
export async function runDockReviewStep(context: DockReviewStepContext): Promise<string> {
  const page = await context.extension.browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(context.storageFilesUrl);
  await page.bringToFront();
  context.page = page;
  const frame = await waitForDockFrame(page, '/review.html', { timeout: 30_000 });
  context.prompt = frame;
  const shows = (): Promise<string> => frame.evaluate(() => document.body.innerText);
  const failing = async (error: unknown): Promise<never> => {
    throw new Error(`${String(error)}; the dock's review shows: ${await shows().catch(() => '(nothing)')}`);
  };
  if (!(await chooseBackupToReview(frame, DEMO_BUCKET).catch(failing))) await failing(new Error(`The dock's review lists no backup of ${DEMO_BUCKET}.`));
  await frame.waitForFunction(() => document.querySelector('.sync-review [aria-label="Sync review result"], #review-access-key') !== null, { timeout: 30_000 }).catch(failing);
  if ((await frame.$('.sync-review [aria-label="Sync review result"]')) === null) {
    await frame.locator('::-p-aria([name="Type the keys in"][role="radio"])').click();
    await fillByLabel(frame, 'Access key of the bucket', context.rgw.accessKeyId);
    await fillByLabel(frame, 'Secret key of the bucket', context.rgw.secretAccessKey);
    await frame.locator('::-p-aria([name="Start review"][role="button"])').click();
  }
  await frame.waitForSelector('.sync-review [aria-label="Sync review result"]', { timeout: 120_000 }).catch(failing);
  const side = (await shows()).split('\n').find((line) => line.startsWith('WeSendit’s side')) ?? '';
  const findings = await frame.$$eval('ul.review-findings li', (rows) => rows.map((row) => `${row.getAttribute('data-kind') ?? ''} ${row.querySelector('code:not(.mark)')?.textContent ?? ''}`));
  // The findings in view inside the dock's frame.
  await frame.evaluate(() => document.querySelector('.sync-review [aria-label="Sync review result"]')?.scrollIntoView({ block: 'start' }));
  context.shots += 1;
  const shot = join(context.shotsDir, `${String(context.shots).padStart(2, '0')}-dock-review.png`);
  await page.screenshot({ path: shot });
  context.written.push(shot);
  return `${side} Findings: ${findings.length === 0 ? 'none' : findings.join('; ')}`;
}
