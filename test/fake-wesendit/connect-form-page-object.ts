/**
 * Drives the fake WeSendit connect-to-bucket form from a test: open it, choose a provider, type
 * the bucket's connection, find Connect Guard's "Preview connect" and its frame in the dock. Knows the
 * fake's markup (tests may; the content feature may not).
 */
import type { ElementHandle, Frame, Page } from 'puppeteer-core';
import type { Lang } from './pages/i18n.ts';
import type { ConnectVariant } from './pages/connect-page.ts';
import { waitForDockFrame } from '../support/dock.ts';

export type ProviderValue = 'wesendit' | 'aws' | 'r2' | 'other';

export interface ConnectFormInput {
  readonly provider?: ProviderValue;
  readonly endpoint?: string;
  readonly region?: string;
  readonly bucket?: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
}

export class ConnectFormPageObject {
  private constructor(
    readonly page: Page,
    readonly variant: ConnectVariant,
  ) {}

  static async open(page: Page, baseUrl: string, options: { storageId?: string; lang?: Lang; variant?: ConnectVariant } = {}): Promise<ConnectFormPageObject> {
    const variant = options.variant ?? 'labels';
    // A background tab gets no animation frames, and the accessibility queries below wait on them.
    await page.bringToFront();
    await page.goto(`${baseUrl}/storage/connect?storage=${options.storageId ?? 'st-nas'}&lang=${options.lang ?? 'en'}&variant=${variant}`);
    await page.waitForSelector('#connect');
    return new ConnectFormPageObject(page, variant);
  }

  async fill(input: ConnectFormInput): Promise<void> {
    if (input.provider) {
      if (this.variant === 'aria') await this.page.click(`input[name="provider"][value="${input.provider}"]`);
      else await this.page.select('select[name="provider"]', input.provider);
    }
    for (const name of ['endpoint', 'region', 'bucket', 'accessKey', 'secretKey'] as const) {
      const value = input[name];
      if (value === undefined) continue;
      const selector = `[name="${name}"]`;
      // Clear, then type as a user does (the page's own input listeners see every key).
      await this.page.$eval(selector, (element) => {
        if (element instanceof HTMLInputElement) element.value = '';
      });
      await this.page.type(selector, value);
    }
  }

  /** Connect Guard's button, found by its accessible name as a user's assistive tech would. */
  async previewButton(timeout = 10_000): Promise<ElementHandle<Element>> {
    const button = await this.page.waitForSelector('::-p-aria(Preview connect)', { timeout });
    if (!button) throw new Error('No "Preview connect" button appeared.');
    return button;
  }

  /** The page's own Connect button. */
  async connectButton(): Promise<ElementHandle<Element>> {
    const button = await this.page.$('#connect');
    if (!button) throw new Error('The connect form has no Connect button.');
    return button;
  }

  /** How many times the page's own submit handler ran. */
  async connectAttempts(): Promise<number> {
    return this.page.evaluate(() => Reflect.get(window, '__connectAttempts'));
  }

  /** The extension-origin preview frame the dock shows beside the form. */
  async waitForPreviewFrame(timeout = 10_000): Promise<Frame> {
    return waitForDockFrame(this.page, '/preview.html', { timeout });
  }
}

/** The form id the preview frame was opened with (`#form=<id>`). */
export function formIdOf(frame: Frame): string {
  return decodeURIComponent(new URL(frame.url()).hash.replace(/^#form=/, ''));
}
