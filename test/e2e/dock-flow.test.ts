/**
 * The Connect Guard dock end to end: the built extension in Chromium, the real companion host,
 * the real Ceph gateway and the fake WeSendit connect form, through "Preview connect" → Connect
 * (held, backed up, "Backup verified", let through) → WeSendit's one-time credentials dialog
 * ("Save your Secret Key").
 *
 * At every step the page holds exactly one dock (`data-connect-guard-ui="dock"`) with exactly one
 * extension frame, the one of the step. At 1280×800 the dock sits beside what it gates: never
 * over the connect form, its Connect button or the credentials dialog, and nothing of the page
 * over it; "Backup verified" is on screen while the held click goes through (the page's request
 * is held here to look), and the header's "Backup" tab brings hold.html back. Escape inside the
 * dock collapses it and never reaches the page, even after the gate released the dialog (when
 * the page's own Escape would close it). At 640×400 (a 1280×800 window at 200 % zoom) the dock
 * is a small handle clear of the held controls, reached with Tab, expanded with Enter and
 * collapsed with Escape.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ElementHandle, Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { captureIdOf, requestFromExtensionFrame, waitForGateFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { dockCount, dockOnTop, dockRect, extensionFrames, intersects, rectsOf, waitForDockFrame, type Rect } from '../support/dock.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';
import { ConnectFormPageObject } from '../fake-wesendit/connect-form-page-object.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';

const PASSPHRASE = 'dock flow passphrase for the test vault';
/** What the dock must never cover while it sits beside its anchor. */
const FORM_AND_CONTROLS = ['#connect-form', '#connect', '[data-connect-guard-ui="preview-connect"]'];
const DIALOG_AND_CONTROLS = ['[role="dialog"]', '.ov input[type="checkbox"]', '.ov .btn-primary'];
/** The held controls the collapsed handle must not cover. */
const HELD_FORM_CONTROLS = ['#connect', '[data-connect-guard-ui="preview-connect"]'];
const HELD_DIALOG_CONTROLS = ['.ov input[type="checkbox"]', '.ov .btn-primary'];

let rgw: CephRgw;
let s3: S3Client;
let ui: FakeWeSendit;
let chromium: ChromiumWithExtension | undefined;
let workDir: string;

async function fillBucket(bucket: string, count: number): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < count; i += 1) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `docs/file-${i}.txt`, Body: `bucket version ${i}` }));
}

async function openForm(viewport: { width: number; height: number }, storageId: string, bucket: string): Promise<{ page: Page; form: ConnectFormPageObject }> {
  if (!chromium) throw new Error('Chromium is not running.');
  const page = await chromium.browser.newPage();
  await page.setViewport(viewport);
  const form = await ConnectFormPageObject.open(page, ui.url, { storageId });
  await form.fill({ provider: 'other', endpoint: rgw.endpoint, region: rgw.region, bucket, accessKey: rgw.accessKeyId, secretKey: rgw.secretAccessKey });
  return { page, form };
}

const pathOf = (frame: Frame): string => new URL(frame.url()).pathname;

/** The user previewed this bucket from the popup earlier: its address is one Connect Guard has contacted for them. */
async function previewedInThePopup(bucket: string): Promise<void> {
  if (!chromium) throw new Error('Chromium is not running.');
  const popup = await chromium.browser.newPage();
  await popup.goto(`chrome-extension://${chromium.extensionId}/popup.html`);
  const connection = { kind: 'direct', connection: { endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } };
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type: 'preview.start', data: { connection, wesendit: { kind: 'empty' } } });
  if (typeof reply !== 'object' || reply === null || !('ok' in reply)) throw new Error(`preview.start: ${JSON.stringify(reply)}`);
  await popup.close();
}

/** One dock in the page, holding exactly the frame of `path`, which is loaded. */
async function expectOneDockShowing(page: Page, path: string): Promise<void> {
  expect(await dockCount(page.mainFrame())).toBe(1);
  expect(extensionFrames(page).map(pathOf)).toEqual([path]);
}

async function rectsOfAll(page: Page, selectors: readonly string[]): Promise<Array<{ selector: string; rect: Rect }>> {
  const found: Array<{ selector: string; rect: Rect }> = [];
  for (const selector of selectors) {
    const rects = await rectsOf(page.mainFrame(), selector);
    expect(rects.length, `${selector} is on the page`).toBeGreaterThan(0);
    for (const rect of rects) found.push({ selector, rect });
  }
  return found;
}

/** Expanded beside its anchor: inside the viewport, over none of `avoid`, nothing of the page over it. */
async function expectBeside(page: Page, avoid: readonly string[]): Promise<Rect> {
  const dock = await dockRect(page.mainFrame());
  const viewport = page.viewport();
  expect(dock.width).toBeGreaterThanOrEqual(264);
  expect(dock.height).toBeGreaterThan(300);
  expect(dock.left).toBeGreaterThanOrEqual(0);
  expect(dock.top).toBeGreaterThanOrEqual(0);
  expect(dock.left + dock.width).toBeLessThanOrEqual(viewport?.width ?? 0);
  expect(dock.top + dock.height).toBeLessThanOrEqual(viewport?.height ?? 0);
  for (const { selector, rect } of await rectsOfAll(page, avoid)) expect(intersects(dock, rect), `the dock ${JSON.stringify(dock)} covers ${selector} ${JSON.stringify(rect)}`).toBe(false);
  expect(await dockOnTop(page.mainFrame())).toBe(true);
  return dock;
}

/** Collapsed to its handle "Connect Guard — <step>", clear of the held controls. */
async function expectHandle(page: Page, stepTitle: string, held: readonly string[]): Promise<ElementHandle<Element>> {
  const handle = await page.waitForSelector(`::-p-aria([name="Connect Guard — ${stepTitle}"][role="button"])`, { timeout: 15_000 });
  if (!handle) throw new Error(`No handle for ${stepTitle}.`);
  expect(await handle.evaluate((element) => element.getAttribute('aria-expanded'))).toBe('false');
  await expectCollapsed(page, held);
  return handle;
}

/** The dock is a small handle, over none of the held controls. */
async function expectCollapsed(page: Page, held: readonly string[]): Promise<void> {
  const dock = await dockRect(page.mainFrame());
  expect(dock.height).toBeLessThan(60);
  expect(dock.width).toBeLessThan(page.viewport()?.width ?? 0);
  for (const { selector, rect } of await rectsOfAll(page, held)) expect(intersects(dock, rect), `the handle ${JSON.stringify(dock)} covers ${selector} ${JSON.stringify(rect)}`).toBe(false);
  expect(await dockOnTop(page.mainFrame())).toBe(true);
}

/** Polls until `check()` holds (a condition, not a fixed wait). */
async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} never happened.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function isFocused(element: ElementHandle<Element>): Promise<boolean> {
  return element.evaluate((node) => node.matches(':focus'));
}

async function ariaButton(page: Page, name: string): Promise<ElementHandle<Element>> {
  const button = await page.waitForSelector(`::-p-aria([name="${name}"][role="button"])`, { timeout: 10_000 });
  if (!button) throw new Error(`No button "${name}".`);
  return button;
}

/** The size of the frame element on screen (0×0 when the dock is collapsed). */
async function frameBox(frame: Frame): Promise<{ width: number; height: number }> {
  const element = await frame.frameElement();
  const box = await element?.boundingBox();
  await element?.dispose();
  return { width: box?.width ?? 0, height: box?.height ?? 0 };
}

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-dock-e2e-'));
  const profileDir = join(workDir, 'profile');
  await mkdir(profileDir);
  rgw = await startCephRgw({ buckets: [] });
  s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  ui = await startFakeWeSendit({
    storages: [
      { id: 'st-wide', name: 'Wide window', provider: 'WeSendit', region: 'eu-central-1' },
      { id: 'st-zoom', name: 'Zoomed window', provider: 'WeSendit', region: 'eu-central-1' },
    ],
  });
  chromium = await launchChromiumWithCompanion(profileDir, { env: { CONNECT_GUARD_BACKUP_ROOT: join(workDir, 'backups') } });
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
  s3?.destroy();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the Connect Guard dock through preview, backup and credentials', () => {
  it('1280×800: one dock, one frame, beside what it gates at every step; "Backup verified" on screen as the click goes through; the header brings the backup back; Escape stays in the dock', async () => {
    const bucket = 'dock-wide';
    await fillBucket(bucket, 5);
    ui.setStorageFiles('st-wide', [{ key: 'docs/file-0.txt', content: 'WeSendit version' }, { key: 'new.txt', content: 'new' }]);
    const { page, form } = await openForm({ width: 1280, height: 800 }, 'st-wide', bucket);
    expect(await dockCount(page.mainFrame())).toBe(0);

    // Preview connect: the user runs it in the dock's frame, so Connect Guard knows the bucket's address.
    await (await form.previewButton()).click();
    const preview = await form.waitForPreviewFrame();
    await preview.locator('::-p-aria([name="Preview connect"][role="button"])').click();
    await preview.waitForSelector('::-p-aria(Objects per class)', { timeout: 120_000 });
    await expectOneDockShowing(page, '/preview.html');
    await expectBeside(page, FORM_AND_CONTROLS);

    // Connect: held and backed up. WeSendit's sync waits here, to look at the dock while the released click is on its way.
    const sync = ui.holdConnects();
    const attempts = ui.connectAttempts().length;
    await (await form.connectButton()).click();
    await page.waitForSelector('#connect[data-connect-guard="gated"]', { timeout: 15_000 });
    const hold = await waitForDockFrame(page, '/hold.html');
    await hold.waitForSelector('::-p-text(Backing up before connect)');
    await expectOneDockShowing(page, '/hold.html');
    await expectBeside(page, FORM_AND_CONTROLS);
    await hold.waitForSelector('::-p-text(Backup verified)', { timeout: 120_000 });

    // The held click went through: the page's handler ran and WeSendit has the request.
    await page.waitForFunction(() => Reflect.get(window, '__connectAttempts') === 1, { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('#connect')?.getAttribute('data-connect-guard') === 'released');
    await until(() => ui.connectAttempts().length > attempts, 'the connect request');
    // "Backup verified" is still what the dock shows, in the same frame, uncovered and not collapsed.
    expect(hold.detached).toBe(false);
    await expectOneDockShowing(page, '/hold.html');
    expect(await hold.evaluate(() => document.body.innerText)).toContain('Backup verified');
    const holdBox = await frameBox(hold);
    expect(holdBox.width).toBeGreaterThan(200);
    expect(holdBox.height).toBeGreaterThan(200);
    await expectBeside(page, FORM_AND_CONTROLS);
    sync.release();

    // WeSendit's one-time credentials: the gate's step replaces the backup's.
    const gate = await waitForGateFrame(page, { timeout: 60_000 });
    await gate.waitForSelector('::-p-aria(Save to vault)').catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the frame shows: ${await gate.evaluate(() => document.body.innerText)}`);
    });
    await page.waitForSelector('.ov .btn-primary[data-connect-guard="gated"]', { timeout: 15_000 });
    await expectOneDockShowing(page, '/gate.html');
    await expectBeside(page, DIALOG_AND_CONTROLS);
    // The prompt holds WeSendit's one-time credentials, not the bucket's keys still typed in the form above.
    const capture = await requestFromExtensionFrame(gate, { type: 'gate.getCapture', data: { captureId: captureIdOf(gate) } });
    expect(capture).toMatchObject({ ok: { credentials: ui.lastCredentials() } });

    // The earlier step from the header: hold.html again, in the one frame.
    const backupTab = await ariaButton(page, 'Backup');
    const keyTab = await ariaButton(page, 'Secret Key');
    expect(await ariaButton(page, 'Preview')).toBeDefined();
    expect(await keyTab.evaluate((element) => element.getAttribute('aria-current'))).toBe('step');
    await backupTab.click();
    const holdAgain = await waitForDockFrame(page, '/hold.html');
    await holdAgain.waitForSelector('::-p-text(Backup verified)');
    expect(await backupTab.evaluate((element) => element.getAttribute('aria-current'))).toBe('step');
    expect(await keyTab.evaluate((element) => element.getAttribute('aria-current'))).toBeNull();
    await expectOneDockShowing(page, '/hold.html');
    await expectBeside(page, DIALOG_AND_CONTROLS);
    await keyTab.click();
    const gateAgain = await waitForGateFrame(page);
    await gateAgain.waitForSelector('::-p-aria(Save to vault)');
    await expectOneDockShowing(page, '/gate.html');
    // Before the verified save the gate's step cannot be closed: it is the way out.
    expect(await page.$('::-p-aria([name="Close the Secret Key step"][role="button"])')).toBeNull();
    // Escape in the dock while the gate holds the dialog: the dock collapses, the dialog stays; Enter opens it again.
    await (await ariaButton(page, 'Collapse Connect Guard')).focus();
    await page.keyboard.press('Escape');
    const heldHandle = await expectHandle(page, 'Save your Secret Key', HELD_DIALOG_CONTROLS);
    expect(await isFocused(heldHandle)).toBe(true);
    await page.keyboard.press('Enter');
    await expectBeside(page, DIALOG_AND_CONTROLS);
    expect(await page.$('.ov')).not.toBeNull();

    await gateAgain.locator('::-p-aria(Vault passphrase)').fill(PASSPHRASE);
    await gateAgain.locator('::-p-aria(Confirm passphrase)').fill(PASSPHRASE);
    await gateAgain.locator('::-p-aria(Save to vault)').click();
    await gateAgain.waitForSelector('::-p-text(Saved and verified)', { timeout: 60_000 });
    await page.waitForSelector('.ov .btn-primary[data-connect-guard="released"]', { timeout: 15_000 });

    // Released: the page's own Escape would now close the dialog. Escape inside the dock collapses the dock, and that is all.
    const collapse = await ariaButton(page, 'Collapse Connect Guard');
    await collapse.focus();
    await page.keyboard.press('Escape');
    const handle = await expectHandle(page, 'Saved and verified', HELD_DIALOG_CONTROLS);
    expect(await isFocused(handle)).toBe(true);
    expect(await page.evaluate(() => Reflect.get(window, '__log'))).not.toContain('closed');
    expect(await page.$('.ov')).not.toBeNull();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (document.querySelector('[data-connect-guard-ui="dock"]')?.getBoundingClientRect().height ?? 0) > 300);
    expect(await collapse.evaluate((element) => element.getAttribute('aria-expanded'))).toBe('true');
    expect(await dockCount(page.mainFrame())).toBe(1);
    // Now it may be closed: the dock shows the latest remaining step.
    await (await ariaButton(page, 'Close the Secret Key step')).click();
    await waitForDockFrame(page, '/hold.html');
    await expectOneDockShowing(page, '/hold.html');
    await page.close();
  }, 300_000);

  it('640×400 (200 % zoom): a handle clear of the held controls, reached with Tab, expanded with Enter, collapsed with Escape', async () => {
    const bucket = 'dock-zoom';
    await fillBucket(bucket, 3);
    ui.setStorageFiles('st-zoom', [{ key: 'docs/file-1.txt', content: 'WeSendit version' }]);
    const { page, form } = await openForm({ width: 640, height: 400 }, 'st-zoom', bucket);
    await previewedInThePopup(bucket);
    // The credentials dialog (the next step) waits until the keyboard checks are done.
    const sync = ui.holdConnects();
    await (await form.connectButton()).click();
    await page.waitForSelector('#connect[data-connect-guard="gated"]', { timeout: 15_000 });
    const hold = await waitForDockFrame(page, '/hold.html');
    await expectOneDockShowing(page, '/hold.html');
    await expectCollapsed(page, HELD_FORM_CONTROLS);
    expect(await frameBox(hold)).toEqual({ width: 0, height: 0 });
    await page.waitForFunction(() => Reflect.get(window, '__connectAttempts') === 1, { timeout: 120_000 });
    const handle = await expectHandle(page, 'Connect let through', HELD_FORM_CONTROLS);

    // Keyboard: from the page's last control, Tab reaches the handle; Enter expands it (over the page: the user's choice).
    await page.focus('#probe');
    await page.keyboard.press('Tab');
    expect(await isFocused(handle)).toBe(true);
    await page.keyboard.press('Enter');
    const collapse = await ariaButton(page, 'Collapse Connect Guard');
    expect(await collapse.evaluate((element) => element.getAttribute('aria-expanded'))).toBe('true');
    expect(await isFocused(collapse)).toBe(true);
    const expanded = await dockRect(page.mainFrame());
    expect(expanded.height).toBeGreaterThan(300);
    expect((await frameBox(hold)).height).toBeGreaterThan(250);
    // While collapsed the hidden frame's polling may be throttled by the browser: it catches up once shown.
    await hold.waitForSelector('::-p-text(Backup verified)', { timeout: 15_000 });
    // The header's controls, then the frame, in the tab order.
    await page.keyboard.press('Tab');
    expect(await isFocused(await ariaButton(page, 'Close the backup step'))).toBe(true);
    const holdElement = await hold.frameElement();
    if (!holdElement) throw new Error('The hold frame has no element.');
    await page.keyboard.press('Tab');
    // The frame: "Backup verified" has nothing left to press, its text is the tab stop.
    expect(await hold.evaluate(() => document.hasFocus() && document.activeElement?.id === 'app')).toBe(true);
    // Escape on the header collapses it again, to the handle, with the focus.
    await collapse.focus();
    await page.keyboard.press('Escape');
    const again = await expectHandle(page, 'Connect let through', HELD_FORM_CONTROLS);
    expect(await isFocused(again)).toBe(true);
    sync.release();

    // The credentials dialog's step is a handle too, clear of its held controls.
    await page.waitForFunction(() => Reflect.get(window, '__connectResult') !== null, { timeout: 60_000 });
    expect(await page.evaluate(() => Reflect.get(window, '__connectResult'))).toEqual({ ok: true });
    await waitForGateFrame(page, { timeout: 60_000 });
    await page.waitForSelector('.ov .btn-primary[data-connect-guard="gated"]', { timeout: 15_000 });
    await expectOneDockShowing(page, '/gate.html');
    await expectHandle(page, 'Save your Secret Key', HELD_DIALOG_CONTROLS);
    await page.close();
  }, 300_000);
});
