/**
 * What every step of the headless demo walk shares: the running parts, the page in front, and the
 * screenshots written so far.
 */
import { join } from 'node:path';
import type { Frame, Page } from 'puppeteer-core';
import type { ConnectFormPageObject } from '../fake-wesendit/connect-form-page-object.ts';
import type { FakeWeSendit } from '../fake-wesendit/server.ts';
import type { StoragesPageObject } from '../fake-wesendit/storages-page-object.ts';
import type { CephRgw } from '../support/ceph-rgw.ts';
import { requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import type { ExtensionBrowser } from '../support/extension-browser.ts';
import { dockCount, frameHref, isExtensionUrl } from '../support/dock.ts';

export interface DemoContext {
  readonly ui: FakeWeSendit;
  readonly rgw: CephRgw;
  readonly extension: ExtensionBrowser;
  /** The run's folder: screenshots, the demo backup, downloads and the log. */
  readonly shotsDir: string;
  /** The vault's passphrase, for a step that finds the vault locked. */
  readonly vaultPassphrase?: string;
  page?: Page;
  form?: ConnectFormPageObject;
  storages?: StoragesPageObject;
  prompt?: Frame;
  shots: number;
  /** Every screenshot written so far, in order (the console names each after its step). */
  readonly written: string[];
}

export interface DemoStep {
  readonly title: string;
  /** The step drives Chromium's downloads or DevTools; `npm start -- --browser firefox` leaves it out. */
  readonly chromiumOnly?: boolean;
  run(context: DemoContext): Promise<string | void>;
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Demo step order broken: no ${what} yet.`);
  return value;
}

export async function screenshot(context: DemoContext, name: string, dockStep?: string): Promise<string> {
  const page = need(context.page, 'page');
  if (dockStep !== undefined) {
    // The screenshot is of this step: one dock, holding only this step's frame.
    const docks = await dockCount(page.mainFrame());
    const frames = (await Promise.all(page.frames().map(frameHref))).filter(isExtensionUrl).map((url) => new URL(url).pathname);
    if (docks !== 1 || frames.length !== 1 || frames[0] !== dockStep) throw new Error(`Expected one dock showing ${dockStep}, found ${docks} dock(s) with ${frames.join(', ') || 'no frame'}.`);
  }
  context.shots += 1;
  const path = join(context.shotsDir, `${String(context.shots).padStart(2, '0')}-${name}.png`);
  await need(context.page, 'page').screenshot({ path });
  context.written.push(path);
  return path;
}

export async function extensionRequest<T>(context: DemoContext, type: string, data: unknown): Promise<T> {
  const frame = need(context.prompt ?? context.page?.mainFrame(), 'extension page');
  const reply = await requestFromExtensionFrame(frame, { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type}: ${JSON.stringify(reply)}`);
}

/** The demo's Chromium, for the steps that drive Chromium's own download and DevTools features. */
export function chromiumOf(context: DemoContext): ChromiumWithExtension {
  if (context.extension.kind !== 'chromium') throw new Error('This step runs in Chromium: run `npm start` without --browser firefox for it.');
  return context.extension;
}
