/** The toolbar popup: unlock or lock the vault, saved storages, export/import, settings, "Preview connect". */
import { render } from 'preact';
import { PopupApp } from '../../ui/popup/popup-app.tsx';
import { findWesenditTabId } from '../../adapters/find-wesendit-tab.ts';
import '../../ui/components/ui.css';

const root = document.getElementById('app');
if (root) {
  const mount = root;
  // The tab lookup is quick; without it the preview still works from a connect form's own tab.
  findWesenditTabId().then(
    (tabId) => render(<PopupApp {...(tabId === undefined ? {} : { wesenditTabId: tabId })} />, mount),
    () => render(<PopupApp />, mount),
  );
}
