/**
 * The popup page as a browser tab: is this page one (`tabs.getCurrent` answers a tab there, and
 * nothing in the toolbar popup), and opening it as one, on a given tab of the app.
 */
import { browser } from 'wxt/browser';

export async function isOpenAsTab(): Promise<boolean> {
  return (await browser.tabs.getCurrent()) !== undefined;
}

/** Opens popup.html in a new tab with `hash` (e.g. `#tab=backups`), then closes the toolbar popup. */
export async function openPopupAsTab(hash: string): Promise<void> {
  await browser.tabs.create({ url: `${browser.runtime.getURL('/popup.html')}${hash}` });
  window.close();
}
