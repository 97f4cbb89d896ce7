/**
 * "Preview connect" beside WeSendit's connect form, in real Chromium with the built extension and
 * the fake WeSendit UI: the button appears right after the form's own Connect button (English and
 * German, labels or aria-label/placeholder markup), its accessible name is "Preview connect";
 * a click opens the extension's preview page in the Connect Guard dock with only `#form=<id>` in its URL, the
 * page's own submit handler never runs, the background holds exactly the typed values (read back
 * with `connectForm.get` from an extension page), a field the chosen provider hides is not read,
 * an empty form still opens the preview, and the secret never appears anywhere in the page's DOM
 * (including closed shadow roots and frames, read through the DevTools protocol).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { ConnectFormSummary } from '../../shared/protocol/extension-protocol.ts';
import { ConnectFormPageObject, formIdOf } from '../fake-wesendit/connect-form-page-object.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { launchChromiumWithExtension, openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';

let ui: FakeWeSendit;
let chromium: ChromiumWithExtension;
let page: Page;
let popup: Page;

beforeAll(async () => {
  ui = await startFakeWeSendit();
  chromium = await launchChromiumWithExtension();
  page = await chromium.browser.newPage();
  popup = await openPopup(chromium.browser, chromium.extensionId);
});

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
});

async function getForm(formId: string): Promise<ConnectFormSummary> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type: 'connectForm.get', data: { formId } });
  if (typeof reply !== 'object' || reply === null || !('ok' in reply)) throw new Error(`connectForm.get failed: ${JSON.stringify(reply)}`);
  return reply.ok as ConnectFormSummary;
}

interface DomNode {
  nodeName?: string;
  nodeValue?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
  contentDocument?: DomNode;
  templateContent?: DomNode;
  shadowRootType?: 'user-agent' | 'open' | 'closed';
}

/**
 * Every text and attribute of the page's DOM, piercing closed shadow roots and frames. Chromium's
 * own user-agent shadow roots are skipped: an input's inner editor holds what the user typed,
 * which is the form's value, not something written into the page.
 */
async function wholeDomText(target: Page): Promise<string> {
  const session = await target.createCDPSession();
  try {
    const { root } = (await session.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const parts: string[] = [];
    const walk = (node: DomNode | undefined): void => {
      if (!node || node.shadowRootType === 'user-agent') return;
      if (node.nodeValue) parts.push(node.nodeValue);
      if (node.attributes) parts.push(...node.attributes);
      for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) walk(child);
      walk(node.contentDocument);
      walk(node.templateContent);
    };
    walk(root);
    return parts.join('\n');
  } finally {
    await session.detach();
  }
}

/** What page scripts can serialize: outerHTML plus every open shadow root's innerHTML. */
async function pageSerialized(target: Page): Promise<string> {
  return target.evaluate(() => {
    const parts = [document.documentElement.outerHTML];
    for (const element of document.querySelectorAll('*')) if (element.shadowRoot) parts.push(element.shadowRoot.innerHTML);
    return parts.join('\n');
  });
}

const CASES = [
  { lang: 'en', variant: 'labels', provider: 'other', name: 'English, labelled inputs, provider select' },
  { lang: 'de', variant: 'labels', provider: 'other', name: 'German, labelled inputs, provider select' },
  { lang: 'en', variant: 'aria', provider: 'other', name: 'English, aria-label and placeholder only, provider radios' },
  { lang: 'de', variant: 'aria', provider: 'r2', name: 'German, aria-label only, Cloudflare R2 (endpoint, no region)' },
] as const;

describe('Preview connect beside the connect form', () => {
  it.each(CASES)('$name: button beside Connect, panel with #form=, values in the background, secret not in the DOM', async ({ lang, variant, provider }) => {
    const form = await ConnectFormPageObject.open(page, ui.url, { lang, variant });
    const button = await form.previewButton();
    // Beside the page's own Connect button, and named "Preview connect" in every language.
    expect(await button.evaluate((element) => element.previousElementSibling?.id)).toBe('connect');
    expect(await button.evaluate((element) => element.textContent)).toBe('Preview connect');
    const title = await button.evaluate((element) => element.getAttribute('title') ?? '');
    if (lang === 'de') expect(title).toMatch(/Verbindung/);

    const suffix = `${lang}${variant}${provider}`.toUpperCase();
    const values = {
      provider,
      endpoint: `http://127.0.0.1:7480/${lang}`,
      region: 'us-east-1',
      bucket: `usr-48291-itm-00384-${lang}-${variant}`,
      accessKey: `CGTESTACCESS${suffix}`,
      secretKey: `cgtest-secret-form-${suffix}-0123456789`,
    } as const;
    await form.fill(values);
    await button.click();
    const frame = await form.waitForPreviewFrame();
    expect(frame.url().startsWith(`chrome-extension://${chromium.extensionId}/preview.html#form=`)).toBe(true);
    const formId = formIdOf(frame);
    expect(formId.length).toBeGreaterThan(0);
    // The click was ours alone: the page's own submit never ran; and the bucket's key pair on the
    // form is not mistaken for WeSendit's one-time credentials dialog: no gate prompt; the only
    // control held is Connect itself (the connect hold, until a backup is verified).
    expect(await form.connectAttempts()).toBe(0);
    expect(page.frames().some((candidate) => candidate.url().includes('/gate.html'))).toBe(false);
    expect(await page.$$eval('[data-connect-guard="gated"]', (elements) => elements.map((element) => element.id))).toEqual(['connect']);

    const summary = await getForm(formId);
    expect(summary).toMatchObject({
      formId,
      provider: provider === 'r2' ? 'Cloudflare R2' : 'Other S3',
      endpoint: values.endpoint,
      // Cloudflare R2 asks for no region: the region field is hidden and not read.
      region: provider === 'r2' ? '' : values.region,
      bucket: values.bucket,
      accessKey: values.accessKey,
      hasSecret: true,
      origin: ui.url,
    });
    expect(typeof summary.tabId).toBe('number');
    expect(JSON.stringify(summary)).not.toContain(values.secretKey);

    // Nothing secret written into the page: not in what page scripts can serialize, not anywhere in the DOM tree.
    expect(await pageSerialized(page)).not.toContain(values.secretKey);
    const dom = await wholeDomText(page);
    expect(dom).toContain(formId);
    expect(dom).not.toContain(values.secretKey);
  });

  it('a provider that hides the endpoint (AWS: region only) does not report a stale endpoint', async () => {
    const form = await ConnectFormPageObject.open(page, ui.url, { lang: 'en' });
    await form.fill({ provider: 'other', endpoint: 'https://stale.example.com' });
    await form.fill({ provider: 'aws', region: 'eu-west-1', bucket: 'aws-bucket', accessKey: 'CGTESTAWSKEY', secretKey: 'cgtest-secret-aws-0000' });
    await (await form.previewButton()).click();
    const summary = await getForm(formIdOf(await form.waitForPreviewFrame()));
    expect(summary).toMatchObject({ provider: 'AWS', endpoint: '', region: 'eu-west-1', bucket: 'aws-bucket', hasSecret: true });
  });

  it('an empty form still opens the panel; the background knows nothing was filled in; the panel closes', async () => {
    const form = await ConnectFormPageObject.open(page, ui.url, { lang: 'en' });
    await (await form.previewButton()).click();
    const frame = await form.waitForPreviewFrame();
    expect(await getForm(formIdOf(frame))).toMatchObject({ provider: 'WeSendit', endpoint: '', region: '', bucket: '', accessKey: '', hasSecret: false });
    const close = await page.waitForSelector('::-p-aria(Close preview)');
    await close?.click();
    // The preview was the dock's only step: the dock leaves with it.
    await page.waitForFunction(() => !document.querySelector('[data-connect-guard-ui="dock"]'));
    expect(page.frames().some((candidate) => candidate.url().includes('/preview.html'))).toBe(false);
  });
});
