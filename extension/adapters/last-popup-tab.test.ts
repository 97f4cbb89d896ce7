import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach, describe, expect, it } from 'vitest';
import { findLastPopupTab, saveLastPopupTab } from './last-popup-tab.ts';

beforeEach(() => {
  fakeBrowser.reset();
});

describe('the popup’s last tab', () => {
  it('is kept in storage.session (memory for this browser session), not in the local storage', async () => {
    expect(await findLastPopupTab()).toBeUndefined();
    await saveLastPopupTab('backups');
    expect(await findLastPopupTab()).toBe('backups');
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
  });

  it('reads nothing but text', async () => {
    await fakeBrowser.storage.session.set({ 'connectGuard.popupTab': 42 });
    expect(await findLastPopupTab()).toBeUndefined();
  });
});
