/**
 * The tab whose WeSendit file browser the preview reads: the active tab when it shows a web
 * page, otherwise the most recently used web page tab whose address the extension may see
 * (WeSendit and loopback are in its host permissions). The popup opened as a tab is itself the
 * active tab, hence the fallback.
 */
import { browser } from 'wxt/browser';

function isWebPage(url: string | undefined): boolean {
  return url !== undefined && (url.startsWith('https://') || url.startsWith('http://'));
}

export async function findWesenditTabId(): Promise<number | undefined> {
  const [active] = await browser.tabs.query({ active: true, currentWindow: true });
  if (active?.id !== undefined && isWebPage(active.url)) return active.id;
  const tabs = await browser.tabs.query({});
  const candidates = tabs.filter((tab) => tab.id !== undefined && isWebPage(tab.url)).sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
  return candidates[0]?.id;
}
