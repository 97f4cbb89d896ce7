/**
 * The dialog finder on markup the fake UI does not produce, in real Chromium: the finder module
 * is bundled as is and run against a table of WeSendit-like dialogs (and non-dialogs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchChromiumWithExtension, type ChromiumWithExtension } from '../support/chromium.ts';

interface Found {
  readonly credentials: Record<string, string>;
  readonly checkbox: string | null;
  readonly continueButton: string | null;
}

let chromium: ChromiumWithExtension;
let page: Page;
let finderSource: string;

beforeAll(async () => {
  const result = await build({
    entryPoints: [resolve(import.meta.dirname, '../../extension/content/gate/find-credentials-dialog.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'ConnectGuardFinder',
    write: false,
    target: 'chrome120',
  });
  finderSource = result.outputFiles[0]?.text ?? '';
  chromium = await launchChromiumWithExtension();
  page = await chromium.browser.newPage();
});

afterAll(async () => {
  await chromium?.close();
});

const AK = 'CGTESTFINDER0000001';
const SK = 'cgtest-secret-finder/abc+def0123456789';
const BUCKET = 'usr-48291-itm-00384-nas-to-wsi-backup';
const ENDPOINT = 'https://s3.wesendit.example';

async function find(html: string): Promise<{ dialogs: Found[]; unreadable: number }> {
  // A data: page keeps the extension's own content script out of this test.
  await page.goto(`data:text/html;charset=utf-8,${encodeURIComponent(`<!doctype html><body>${html}</body>`)}`);
  await page.addScriptTag({ content: finderSource });
  return page.evaluate(() => {
    const finder: {
      scanDialogs(root: Document): {
        dialogs: Array<{ credentials: Record<string, string>; checkbox?: HTMLElement; continueButton?: HTMLElement }>;
        unreadable: unknown[];
      };
    } = Reflect.get(window, 'ConnectGuardFinder');
    const { dialogs, unreadable } = finder.scanDialogs(document);
    return {
      dialogs: dialogs.map((dialog) => ({
        credentials: { ...dialog.credentials },
        checkbox: dialog.checkbox?.id ?? null,
        continueButton: dialog.continueButton?.id ?? null,
      })),
      unreadable: unreadable.length,
    };
  });
}

const controls = (stored = 'I have stored the keys', next = 'Continue'): string =>
  `<label><input type="checkbox" id="cb"> ${stored}</label><button id="go" disabled>${next}</button>`;

describe('findCredentialsDialogs on unseen markup', () => {
  it('Material-style fields: a label element without `for`, the value in a readonly input below it', async () => {
    const field = (label: string, value: string, type = 'text'): string =>
      `<div class="MuiFormControl-root"><label class="MuiInputLabel-root">${label}</label><div class="MuiInputBase-root"><input type="${type}" readonly value="${value}"><button aria-label="copy"><svg></svg></button></div></div>`;
    const { dialogs } = await find(
      `<div role="presentation"><div class="MuiPaper-root">${field('Storage name', 'NAS')}${field('S3 Server Address', ENDPOINT)}${field('S3 API Bucket Name', BUCKET)}${field('Access Key', AK)}${field('Secret Key', SK, 'password')}${controls()}</div></div>`,
    );
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toMatchObject({ credentials: { storageName: 'NAS', serverAddress: ENDPOINT, bucketName: BUCKET, accessKey: AK, secretKey: SK }, checkbox: 'cb', continueButton: 'go' });
  });

  it('"Label: value" in one paragraph, German, and an ARIA checkbox and button', async () => {
    const { dialogs } = await find(
      `<section><p>Speichername: Büro</p><p>Berechtigungen: Lesen &amp; Schreiben</p><p>S3-Serveradresse: ${ENDPOINT}</p><p>S3-API-Bucket-Name: ${BUCKET}</p><p>Zugriffsschlüssel: ${AK}</p><p>Geheimer Schlüssel: ${SK}</p>` +
        `<div role="checkbox" id="cb" aria-checked="false" tabindex="0" aria-label="Ich habe die Schlüssel gespeichert"></div><div role="button" id="go" tabindex="0">Weiter</div></section>`,
    );
    expect(dialogs[0]).toMatchObject({
      credentials: { storageName: 'Büro', permissions: 'Lesen & Schreiben', serverAddress: ENDPOINT, bucketName: BUCKET, accessKey: AK, secretKey: SK },
      checkbox: 'cb',
      continueButton: 'go',
    });
  });

  it('values tied by aria-labelledby, bilingual labels, a readonly textarea, and a secret split over elements', async () => {
    const { dialogs } = await find(
      `<div class="grid"><span id="l1">Zugriffsschlüssel / Access Key</span><output aria-labelledby="l1">${AK}</output>` +
        `<span id="l2">Geheimer Schlüssel / Secret Key</span><textarea aria-labelledby="l2" readonly>${SK}</textarea>` +
        `<span><b>S3 API</b> Bucket Name</span><span>${BUCKET}</span>` +
        `<input type="checkbox" id="cb" aria-labelledby="ack"><span id="ack">Ich habe die Schlüssel gespeichert</span><footer><button id="go"><span>Weiter</span> <svg></svg></button></footer></div>`,
    );
    expect(dialogs[0]).toMatchObject({ credentials: { accessKey: AK, secretKey: SK, bucketName: BUCKET }, checkbox: 'cb', continueButton: 'go' });
  });

  it('inputs named only by aria-label', async () => {
    const { dialogs } = await find(
      `<form><input aria-label="Access Key" readonly value="${AK}"><input aria-label="Secret Key" type="password" readonly value="${SK}"><input type="checkbox" id="cb"><input type="submit" id="go" value="Continue"></form>`,
    );
    expect(dialogs[0]).toMatchObject({ credentials: { accessKey: AK, secretKey: SK }, checkbox: 'cb', continueButton: 'go' });
  });

  it('controls in a footer outside the fields’ box are found by climbing', async () => {
    const { dialogs } = await find(
      `<div class="modal"><div class="body"><table><tr><td>Access Key</td><td><code>${AK}</code></td></tr><tr><td>Secret Key</td><td><code>${SK}</code> <button>Copy</button></td></tr></table></div><div class="footer">${controls()}</div></div>`,
    );
    expect(dialogs[0]).toMatchObject({ credentials: { accessKey: AK, secretKey: SK }, checkbox: 'cb', continueButton: 'go' });
  });

  it('finds nothing in the help article’s prose and comparison table', async () => {
    const { dialogs, unreadable } = await find(
      `<article><h2>Access Key vs. Secret Key</h2><table><tr><th></th><th>Access Key</th><th>Secret Key</th></tr><tr><td>Function</td><td>Identifies your account / storage</td><td>Authenticates and authorizes access</td></tr></table>` +
        `<p>Check the box "I have stored the keys". Then click "Continue".</p><p>Secret Key: Your private security key – only visible right now!</p></article>`,
    );
    expect(dialogs).toEqual([]);
    expect(unreadable).toBe(0);
  });

  it('a masked Secret Key is an unreadable dialog (held, not captured)', async () => {
    const { dialogs, unreadable } = await find(
      `<div><div><span>Access Key</span><code>${AK}</code></div><div><span>Secret Key</span><code>••••••••••••</code><button>Show</button></div>${controls()}</div>`,
    );
    expect(dialogs).toEqual([]);
    expect(unreadable).toBe(1);
  });
});
