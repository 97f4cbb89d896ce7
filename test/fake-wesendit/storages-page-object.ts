/**
 * Drives the fake WeSendit storages page from a test: open a variant, create a storage, read
 * what the page's own handlers did. Knows the fake's markup (tests may; the gate may not).
 */
import type { ElementHandle, Frame, Page } from 'puppeteer-core';
import type { Lang } from './pages/i18n.ts';
import type { DialogVariant } from './pages/storages-page.ts';

export interface PageOutcome {
  readonly continued: boolean;
  readonly ticked: boolean;
  readonly checked: boolean;
  readonly log: string[];
  readonly gates: string[];
  readonly closeGate: string | null;
}

export class StoragesPageObject {
  private probes = 0;

  private constructor(
    readonly page: Page,
    /** The frame running the app: the page itself, or its iframe for `variant=iframe`. */
    readonly app: Frame,
    readonly variant: DialogVariant,
  ) {}

  static async open(page: Page, baseUrl: string, options: { variant?: DialogVariant; lang?: Lang } = {}): Promise<StoragesPageObject> {
    const variant = options.variant ?? 'plain';
    await page.goto(`${baseUrl}/storages?variant=${variant}&lang=${options.lang ?? 'en'}`);
    let app = page.mainFrame();
    if (variant === 'iframe') {
      const element = await page.waitForSelector('iframe');
      const frame = await element?.contentFrame();
      if (!frame) throw new Error('The iframe variant has no app frame.');
      app = frame;
    }
    await app.waitForSelector('#create');
    return new StoragesPageObject(page, app, variant);
  }

  async createStorage(): Promise<void> {
    await this.app.click('#create');
  }

  /** Runs `fn(dialogRoot)` in the app frame, where dialogRoot is the shadow root for `variant=shadow`. */
  private rootExpression(): string {
    return `(document.querySelector('wsi-credentials-dialog')?.shadowRoot ?? document)`;
  }

  /** An element of the dialog (inside the shadow root for `variant=shadow`). */
  async dialogElement(selector: string): Promise<ElementHandle<Element>> {
    return this.handle(selector);
  }

  private async handle(selector: string): Promise<ElementHandle<Element>> {
    const handle = await this.app.evaluateHandle(
      (sel) => (document.querySelector('wsi-credentials-dialog')?.shadowRoot ?? document).querySelector(sel),
      selector,
    );
    const element = handle.asElement();
    // Puppeteer types the handle of a querySelector result as a Node; check it is an Element.
    const isElement = element ? await element.evaluate((node) => node instanceof Element) : false;
    if (!element || !isElement) throw new Error(`No ${selector} in the dialog.`);
    return element as ElementHandle<Element>;
  }

  /** Waits until the dialog's checkbox and Continue both carry data-connect-guard="gated". */
  async waitForGated(timeout = 10_000): Promise<void> {
    await this.waitForGateState('gated', timeout);
  }

  async waitForGateState(state: 'gated' | 'released', timeout = 10_000): Promise<void> {
    await this.app.waitForFunction(
      (wanted) => {
        const scope = document.querySelector('wsi-credentials-dialog')?.shadowRoot ?? document;
        const box = scope.querySelector('input[type="checkbox"]');
        const button = scope.querySelector('.btn-primary');
        return box?.getAttribute('data-connect-guard') === wanted && button?.getAttribute('data-connect-guard') === wanted;
      },
      { timeout },
      state,
    );
  }

  /**
   * A positive signal that every input event sent before now was processed: a click on the
   * page's own Help button, which the page logs.
   */
  async settle(): Promise<void> {
    this.probes += 1;
    await this.app.click('#probe');
    await this.app.waitForFunction((count) => window.__log.filter((entry) => entry === 'probe').length >= count, {}, this.probes);
  }

  async outcome(): Promise<PageOutcome> {
    return this.app.evaluate(() => {
      const scope = document.querySelector('wsi-credentials-dialog')?.shadowRoot ?? document;
      const box = scope.querySelector('input[type="checkbox"]');
      return {
        continued: window.__continued,
        ticked: window.__ticked,
        checked: box instanceof HTMLInputElement && box.checked,
        log: [...window.__log],
        // The checkbox's and Continue's gate states (a close button is reported apart).
        gates: [...scope.querySelectorAll('input[type="checkbox"][data-connect-guard], .btn-primary[data-connect-guard]')].map(
          (element) => `${element.tagName.toLowerCase()}=${element.getAttribute('data-connect-guard')}`,
        ),
        closeGate: scope.querySelector('.x-close')?.getAttribute('data-connect-guard') ?? null,
      };
    });
  }

  /** Runs a script in the app frame with the dialog's root, checkbox, Continue and form. */
  async inDialog(script: string): Promise<void> {
    await this.app.evaluate(`(() => {
      const root = ${this.rootExpression()};
      const box = root.querySelector('input[type="checkbox"]');
      const button = root.querySelector('.btn-primary');
      const form = button.closest('form');
      ${script}
    })()`);
  }
}

declare global {
  interface Window {
    __continued: boolean;
    __ticked: boolean;
    __log: string[];
  }
}
