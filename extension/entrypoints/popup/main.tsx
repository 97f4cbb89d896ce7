/** The toolbar popup (also opened as a tab): the Connect Guard app of ui/popup/popup-app.tsx. */
import { render } from 'preact';
import { PopupApp } from '../../ui/popup/popup-app.tsx';
import { isOpenAsTab, openPopupAsTab } from '../../adapters/app-tab.ts';
import { findLastPopupTab, saveLastPopupTab } from '../../adapters/last-popup-tab.ts';
import { findWesenditTabId } from '../../adapters/find-wesendit-tab.ts';
import { sendToBackground } from '../../adapters/messaging.ts';
import '../../ui/components/ui.css';

/** A lookup that may fail (a browser without the API) answers `fallback` instead. */
function orElse<T>(lookup: Promise<T>, fallback: T): Promise<T> {
  return lookup.catch(() => fallback);
}

const root = document.getElementById('app');
if (root) {
  const mount = root;
  // The lookups are quick; without them the preview still works from a connect form's own tab,
  // the popup opens on Storages, and "Open in a tab" is offered.
  void Promise.all([orElse(findWesenditTabId(), undefined), orElse(isOpenAsTab(), false), orElse(findLastPopupTab(), undefined)]).then(([wesenditTabId, asTab, lastTab]) => {
    document.documentElement.dataset.view = asTab ? 'tab' : 'popup';
    render(
      <PopupApp
        send={sendToBackground}
        hash={location.hash}
        lastTab={lastTab}
        onTabChosen={(tab) => void saveLastPopupTab(tab).catch(() => undefined)}
        onOpenInTab={asTab ? undefined : (tab) => void openPopupAsTab(`#tab=${tab}`)}
        wesenditTabId={wesenditTabId}
      />,
      mount,
    );
  });
}
