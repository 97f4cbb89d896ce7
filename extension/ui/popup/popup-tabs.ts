/**
 * The popup's tabs and which one it opens on: the address's `#tab=<name>` first (a link or the
 * "Open in a tab" button), a preview's `#form=…` / `#preview=…` on the Preview tab, else the tab
 * the user chose last in this browser session, else Storages.
 */
export const POPUP_TABS = ['storages', 'preview', 'backups', 'settings'] as const;

export type PopupTab = (typeof POPUP_TABS)[number];

export const POPUP_TAB_LABELS: Readonly<Record<PopupTab, string>> = {
  storages: 'Storages',
  preview: 'Preview',
  backups: 'Backups',
  settings: 'Settings',
};

export function isPopupTab(value: unknown): value is PopupTab {
  return typeof value === 'string' && POPUP_TABS.some((tab) => tab === value);
}

/** The tab an address names: `#tab=backups`, or Preview for a preview's `#form=…` / `#preview=…`. */
export function popupTabFromHash(hash: string): PopupTab | undefined {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const named = params.get('tab');
  if (isPopupTab(named)) return named;
  if ((params.get('form') ?? '') !== '' || (params.get('preview') ?? '') !== '') return 'preview';
  return undefined;
}

export function initialPopupTab(hash: string, remembered: string | undefined): PopupTab {
  return popupTabFromHash(hash) ?? (isPopupTab(remembered) ? remembered : 'storages');
}
