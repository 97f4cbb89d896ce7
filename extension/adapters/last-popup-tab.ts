/**
 * The popup's last chosen tab, kept for this browser session in `storage.session` (gone when the
 * browser closes, like the unlocked vault key; content scripts cannot read it, see session-key.ts).
 */
import { browser } from 'wxt/browser';

const LAST_TAB_KEY = 'connectGuard.popupTab';

export async function findLastPopupTab(): Promise<string | undefined> {
  const stored: Record<string, unknown> = await browser.storage.session.get(LAST_TAB_KEY);
  const value = stored[LAST_TAB_KEY];
  return typeof value === 'string' ? value : undefined;
}

export async function saveLastPopupTab(tab: string): Promise<void> {
  await browser.storage.session.set({ [LAST_TAB_KEY]: tab });
}
