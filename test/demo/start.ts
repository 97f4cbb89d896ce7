/**
 * `npm start`: the fake WeSendit UI on 127.0.0.1 and Chromium with the built extension on it.
 * With a display: a browser window to try the gate by hand. Without one: a headless walk through
 * the gate flow (create storage → dialog held → vault created in the prompt frame → saved and
 * verified → released → Continue), printing each step and writing screenshots to a folder.
 * Steps are a list so later parts (an S3 gateway, the connect preview) can be added.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Frame, Page } from 'puppeteer-core';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { StoragesPageObject } from '../fake-wesendit/storages-page-object.ts';
import { launchChromiumWithExtension, waitForGateFrame, type ChromiumWithExtension } from '../support/chromium.ts';

const DEMO_PASSPHRASE = 'demo passphrase for connect guard 2026';

interface DemoContext {
  readonly ui: FakeWeSendit;
  readonly chromium: ChromiumWithExtension;
  readonly shotsDir: string;
  page?: Page;
  storages?: StoragesPageObject;
  prompt?: Frame;
  shots: number;
}

interface DemoStep {
  readonly title: string;
  run(context: DemoContext): Promise<string | void>;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Demo step order broken: no ${what} yet.`);
  return value;
}

async function screenshot(context: DemoContext, name: string): Promise<string> {
  context.shots += 1;
  const path = join(context.shotsDir, `${String(context.shots).padStart(2, '0')}-${name}.png`);
  await need(context.page, 'page').screenshot({ path });
  return path;
}

const GATE_FLOW: readonly DemoStep[] = [
  {
    title: 'Open the fake WeSendit storages page',
    async run(context) {
      const page = await context.chromium.browser.newPage();
      context.page = page;
      context.storages = await StoragesPageObject.open(page, context.ui.url, { variant: 'plain', lang: 'en' });
      return screenshot(context, 'storages');
    },
  },
  {
    title: 'Click "Create storage": WeSendit shows the one-time credentials dialog',
    async run(context) {
      const storages = need(context.storages, 'storages page');
      await storages.createStorage();
      await storages.waitForGated();
      return 'Connect Guard holds "I have stored the keys" and "Continue" (data-connect-guard="gated")';
    },
  },
  {
    title: 'The vault prompt opens in an extension frame beside the dialog',
    async run(context) {
      const prompt = await waitForGateFrame(need(context.page, 'page'));
      context.prompt = prompt;
      await prompt.waitForSelector('::-p-aria(Save to vault)');
      return screenshot(context, 'dialog-held');
    },
  },
  {
    title: 'Create the vault with a demo passphrase and click "Save to vault"',
    async run(context) {
      const prompt = need(context.prompt, 'prompt frame');
      await prompt.locator('::-p-aria(Vault passphrase)').fill(DEMO_PASSPHRASE);
      await prompt.locator('::-p-aria(Confirm passphrase)').fill(DEMO_PASSPHRASE);
      await prompt.locator('::-p-aria(Save to vault)').click();
      await prompt.waitForSelector('::-p-text(Saved and verified)', { timeout: 30_000 });
      return screenshot(context, 'saved-and-verified');
    },
  },
  {
    title: 'The controls are released',
    async run(context) {
      await need(context.storages, 'storages page').waitForGateState('released');
      return 'data-connect-guard="released"; the page\'s own logic applies again';
    },
  },
  {
    title: 'Tick "I have stored the keys" and click "Continue"',
    async run(context) {
      const storages = need(context.storages, 'storages page');
      await (await storages.dialogElement('input[type="checkbox"]')).click();
      await (await storages.dialogElement('.btn-primary')).click();
      await storages.app.waitForFunction(() => window.__continued);
      return screenshot(context, 'storage-ready');
    },
  },
  {
    title: 'The popup lists the saved storage',
    async run(context) {
      const popup = await context.chromium.browser.newPage();
      await popup.goto(`chrome-extension://${context.chromium.extensionId}/popup.html`);
      const bucket = context.ui.lastCredentials()?.bucketName ?? '';
      await popup.waitForSelector(`::-p-text(${bucket})`, { timeout: 15_000 });
      context.page = popup;
      return screenshot(context, 'popup');
    },
  },
];

async function runHeadless(context: DemoContext): Promise<void> {
  for (const [index, step] of GATE_FLOW.entries()) {
    process.stdout.write(`${index + 1}. ${step.title} … `);
    const started = Date.now();
    try {
      const detail = await step.run(context);
      console.log(`ok (${Date.now() - started} ms)${detail ? `\n   ${detail}` : ''}`);
    } catch (error) {
      console.log('FAILED');
      throw new Error(`Step ${index + 1} ("${step.title}") failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

async function runWindowed(browser: Browser, ui: FakeWeSendit): Promise<void> {
  const page = await browser.newPage();
  await page.goto(`${ui.url}/storages`);
  console.log(`A Chromium window shows the fake WeSendit UI at ${ui.url}/storages`);
  console.log('Click "Create storage": Connect Guard holds the dialog until the Secret Key is in the vault.');
  console.log('Variants: add ?lang=de and/or &variant=table|dl|inputs|shadow|iframe|late|rerender|colon to the URL.');
  console.log('Close the browser window or press Ctrl+C to stop.');
  await new Promise<void>((resolveClosed) => {
    browser.once('disconnected', () => resolveClosed());
    process.once('SIGINT', () => resolveClosed());
  });
}

async function main(): Promise<void> {
  const windowed = Boolean(process.env.DISPLAY);
  const ui = await startFakeWeSendit();
  console.log(`Fake WeSendit UI on ${ui.url}`);
  let chromium: ChromiumWithExtension | undefined;
  try {
    chromium = await launchChromiumWithExtension({ headless: !windowed });
    console.log(`Chromium ${windowed ? 'window' : '(headless)'} with Connect Guard ${chromium.extensionId}`);
    if (windowed) {
      await runWindowed(chromium.browser, ui);
      return;
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const shotsDir = resolve(import.meta.dirname, '../../.tmp', `demo-${stamp}`);
    await mkdir(shotsDir, { recursive: true });
    console.log(`No display: walking the gate flow headless. Screenshots: ${shotsDir}\n`);
    await runHeadless({ ui, chromium, shotsDir, shots: 0 });
    console.log(`\nDone: the Secret Key was saved to the vault and verified before WeSendit let the user continue.\nScreenshots in ${shotsDir}`);
  } finally {
    await chromium?.close().catch(() => undefined);
    await ui.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
