/**
 * Drives the popup's "Preview connect" panel as a user does: open the popup, choose "Type it in"
 * for the bucket connection and "Manifest file" for the WeSendit side, type the values. The
 * click on "Preview connect" itself is left to the caller, which times it from inside the page.
 * Knows the panel's markup (extension/ui/preview/preview-connection.tsx, preview-wesendit.tsx).
 */
import type { Frame, Page } from 'puppeteer-core';
import { openExtensionPopup, type ExtensionBrowser } from '../support/extension-browser.ts';
import type { BucketConnection } from '../../shared/protocol/views.ts';

export class PreviewPanelPageObject {
  private constructor(readonly page: Page) {}

  /** The panel's frame (the popup's own document). */
  get frame(): Frame {
    return this.page.mainFrame();
  }

  /**
   * Opens popup.html as a tab (an action popup cannot be opened headless) at a popup's size, in
   * Chromium or Firefox, and waits until the panel and whatever preview it restores on open are on
   * screen, so that their first requests to the background are over before the measured click.
   */
  static async open(target: ExtensionBrowser, options: { readonly restoresPreview: boolean; readonly timeoutMs?: number }): Promise<PreviewPanelPageObject> {
    const page = await openExtensionPopup(target, 'preview');
    try {
      await page.setViewport({ width: 400, height: 600 });
      // A background tab gets no animation frames; the panel renders in them.
      await page.bringToFront();
      const timeout = options.timeoutMs ?? 30_000;
      await page.waitForSelector('form.preview-setup input[name="preview-connection"][value="direct"]', { timeout });
      // The latest preview of the session comes back with its list (the row list's status has data-matching).
      if (options.restoresPreview) await page.waitForSelector('.preview-result[data-status="done"] [data-matching]', { timeout });
      return new PreviewPanelPageObject(page);
    } catch (error) {
      await page.close();
      throw error;
    }
  }

  /** "Bucket connection" → "Type it in", then the endpoint, region (if any), bucket and keys. */
  async typeConnection(connection: BucketConnection): Promise<void> {
    await this.page.click('input[name="preview-connection"][value="direct"]');
    await this.page.waitForSelector('#preview-secret-key');
    const fields: readonly (readonly [string, string | undefined])[] = [
      ['#preview-endpoint', connection.endpoint],
      ['#preview-region', connection.region],
      ['#preview-bucket', connection.bucket],
      ['#preview-access-key', connection.accessKeyId],
      ['#preview-secret-key', connection.secretAccessKey],
    ];
    for (const [selector, value] of fields) if (value !== undefined && value !== '') await this.typeInto(selector, value);
  }

  /** "WeSendit side" → "Manifest file", then its path. */
  async chooseManifest(path: string): Promise<void> {
    await this.page.click('input[name="preview-wesendit"][value="manifest"]');
    await this.page.waitForSelector('#preview-manifest');
    await this.typeInto('#preview-manifest', path);
  }

  async close(): Promise<void> {
    await this.page.close();
  }

  /** Types as a user does (the panel's controlled inputs see every key), then checks the field holds it. */
  private async typeInto(selector: string, value: string): Promise<void> {
    await this.page.type(selector, value);
    const typed = await this.page.$eval(selector, (element) => (element instanceof HTMLInputElement ? element.value : ''));
    if (typed !== value) throw new Error(`${selector} holds ${JSON.stringify(selector.includes('secret') ? '(hidden)' : typed)} after typing, not the value typed.`);
  }
}
