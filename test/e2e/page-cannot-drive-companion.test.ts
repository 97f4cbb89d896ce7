/**
 * A page cannot make the companion work for it. A page on a gate origin (here the fake WeSendit on
 * loopback, in the loopback build; an XSS on a WeSendit subdomain in real life) fills a connect
 * form with the bucket, address and keys of its choice and "clicks" Connect from a script
 * (`click()`, `requestSubmit()`): before, that started the connect hold, and the companion listed
 * and downloaded the page's chosen bucket to the user's disk with no gesture. Now the hold waits
 * in the dock, showing the bucket and its address, and nothing is contacted until the user
 * approves there. A real click by the user on an address Connect Guard never contacted for them
 * waits the same way; their approval in the extension frame starts the check.
 *
 * The "S3 server" is a plain HTTP server on 127.0.0.1 that counts every request it gets.
 * Runs in Chromium (project e2e) and Firefox (project e2e-firefox).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectFormPageObject } from '../fake-wesendit/connect-form-page-object.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { approveHold, waitForDockFrame } from '../support/dock.ts';
import { E2E_BROWSER, launchExtensionBrowserWithCompanion, type ExtensionBrowser } from '../support/extension-browser.ts';

let ui: FakeWeSendit;
let extension: ExtensionBrowser;
let workDir: string;
let server: Server;
let endpoint: string;
let requests = 0;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-page-drive-'));
  await mkdir(join(workDir, 'profile'));
  server = createServer((_request, response) => {
    requests += 1;
    response.statusCode = 404;
    response.end('not S3');
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
  ui = await startFakeWeSendit();
  extension = await launchExtensionBrowserWithCompanion(join(workDir, 'profile'), { env: { CONNECT_GUARD_BACKUP_ROOT: join(workDir, 'backups') } });
}, 120_000);

afterAll(async () => {
  await extension?.close();
  await ui?.stop();
  await new Promise((resolveClose) => server?.close(resolveClose));
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const PAGE_KEYS = { provider: 'other', endpoint: '', bucket: 'page-chosen-bucket', accessKey: 'PAGECHOSENKEY0000001', secretKey: 'page-chosen-secret-not-real-000000000001' } as const;

/**
 * The page's own script fills the form and "clicks" Connect, with no user gesture. Run through
 * CDP with `userGesture: false`: puppeteer's `page.evaluate` runs as if the user had just clicked,
 * which a page script on its own never does.
 */
async function scriptedConnect(page: Page, how: 'click' | 'requestSubmit'): Promise<void> {
  const values = { ...PAGE_KEYS, endpoint };
  if (E2E_BROWSER === 'firefox') return scriptedConnectInFirefox(page, how, values);
  const session = await page.createCDPSession();
  // The test's own puppeteer calls count as user gestures for a few seconds (transient user
  // activation); a page script acting on its own has none. Wait until it has lapsed.
  for (const deadline = Date.now() + 20_000; ; ) {
    const { result } = await session.send('Runtime.evaluate', { userGesture: false, returnByValue: true, expression: 'navigator.userActivation.isActive' });
    if (result.value === false) break;
    if (Date.now() > deadline) throw new Error('The page kept its user activation.');
    await new Promise((resolveLater) => setTimeout(resolveLater, 250));
  }
  const { exceptionDetails } = await session.send('Runtime.evaluate', {
    userGesture: false,
    expression: `(() => {
      const values = ${JSON.stringify(values)};
      for (const [name, value] of Object.entries(values)) {
        const field = document.querySelector('[name="' + name + '"]');
        if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement)) continue;
        field.value = value;
        // The page's own logic shows the endpoint field for "Other S3" on change.
        field.dispatchEvent(new Event('change', { bubbles: true }));
        field.dispatchEvent(new Event('input', { bubbles: true }));
      }
      const button = document.getElementById('connect');
      if (${JSON.stringify(how)} === 'click') button.click();
      else button.form.requestSubmit(button);
    })()`,
  });
  await session.detach();
  if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
}

/**
 * The same page script in Firefox. puppeteer's WebDriver BiDi calls carry a user activation too
 * and there is no protocol call without one, so the page's own script waits inside the page until
 * the activation has lapsed, then fills and connects: a timer-driven page script, as an attacker's is.
 */
async function scriptedConnectInFirefox(page: Page, how: 'click' | 'requestSubmit', values: Record<string, string>): Promise<void> {
  await page.evaluate(
    (fields: Record<string, string>, way: string) => {
      Reflect.set(window, '__scriptedConnectDone', false);
      const act = (): void => {
        if (navigator.userActivation.isActive) {
          setTimeout(act, 100);
          return;
        }
        for (const [name, value] of Object.entries(fields)) {
          const field = document.querySelector(`[name="${name}"]`);
          if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement)) continue;
          field.value = value;
          field.dispatchEvent(new Event('change', { bubbles: true }));
          field.dispatchEvent(new Event('input', { bubbles: true }));
        }
        const button = document.getElementById('connect');
        if (!(button instanceof HTMLButtonElement)) throw new Error('no Connect button');
        if (way === 'click') button.click();
        else button.form?.requestSubmit(button);
        Reflect.set(window, '__scriptedConnectDone', true);
      };
      setTimeout(act, 0);
    },
    values,
    how,
  );
  await page.waitForFunction(() => Reflect.get(window, '__scriptedConnectDone') === true, { timeout: 20_000 });
}

describe('a page cannot drive the companion', () => {
  for (const how of ['click', 'requestSubmit'] as const) {
    it(`a script's ${how}() on Connect holds the click and contacts nothing until the user approves in the dock`, async () => {
      const page = await extension.browser.newPage();
      await ConnectFormPageObject.open(page, ui.url, { storageId: 'st-nas' });
      const before = requests;
      await scriptedConnect(page, how);
      const hold = await waitForDockFrame(page, '/hold.html');
      await hold.waitForSelector('::-p-text(it did not come from you)', { timeout: 15_000 });
      const shown = await hold.evaluate(() => document.body.innerText);
      expect(shown).toContain(endpoint);
      expect(shown).toContain(PAGE_KEYS.bucket);
      // Waiting for the user: nothing was asked of the page's server.
      await hold.waitForFunction(() => document.body.innerText.includes('Back up and connect'));
      expect(requests - before).toBe(0);
      expect(await page.evaluate(() => Reflect.get(window, '__connectAttempts') ?? 0)).toBe(0);
      // Scripted again and again: still one hold, still nothing contacted.
      for (let i = 0; i < 3; i++) await scriptedConnect(page, how);
      await hold.waitForFunction(() => document.body.innerText.includes('it did not come from you'));
      expect(requests - before).toBe(0);
      await page.close();
    });
  }

  it('the user’s own click on an address never contacted for them waits too; their approval in the frame starts the check', async () => {
    const page = await extension.browser.newPage();
    const form = await ConnectFormPageObject.open(page, ui.url, { storageId: 'st-nas' });
    await form.fill({ ...PAGE_KEYS, endpoint });
    const before = requests;
    await (await form.connectButton()).click();
    const hold = await waitForDockFrame(page, '/hold.html');
    await hold.waitForSelector('::-p-text(until you approve the backup)', { timeout: 15_000 });
    expect(requests - before).toBe(0);
    await approveHold(page);
    // Now, and only now, the companion asks the address (which is not S3: the hold says so).
    await hold.waitForSelector('::-p-text(The backup failed)', { timeout: 60_000 });
    expect(requests - before).toBeGreaterThan(0);
    expect(await form.connectAttempts()).toBe(0);
    await page.close();
  });
});
