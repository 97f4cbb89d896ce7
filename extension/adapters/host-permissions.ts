/**
 * Asks the browser for an optional host permission. The browser shows its prompt only for a user
 * gesture: call this synchronously inside the click handler, before anything is awaited.
 */
import { browser } from 'wxt/browser';

export function requestHostPermission(matchPattern: string): Promise<boolean> {
  return browser.permissions.request({ origins: [matchPattern] });
}
