/**
 * preview.html: "Preview connect" framed beside WeSendit's connect form (`#form=<formId>`, the
 * form the content feature captured) or opened as a full tab. The WeSendit side defaults to the
 * form's own tab; the vault is unlocked here when a saved storage needs it.
 */
import { render } from 'preact';
import { sendToBackground } from '../../adapters/messaging.ts';
import { previewHashParams } from '../../ui/preview/preview-hash.ts';
import { PreviewPanel } from '../../ui/preview/preview-panel.tsx';
import type { WesenditTab } from '../../ui/preview/preview-wesendit.tsx';
import { findWesenditTabId } from '../../adapters/find-wesendit-tab.ts';
import '../../ui/components/ui.css';

const root = document.getElementById('app');
if (root) {
  const mount = root;
  const params = previewHashParams(location.hash);
  // Framed beside the form the page is about 420×600; as a tab the list gets the window's height.
  const listHeight = Math.max(220, Math.min(window.innerHeight - 320, 900));
  const show = (tab: WesenditTab): void => render(<PreviewPanel send={sendToBackground} wesenditTab={tab} {...params} vaultUnlock="panel" listHeight={listHeight} />, mount);
  if (params.formId !== undefined) {
    show({ kind: 'form-tab' });
  } else {
    findWesenditTabId().then(
      (tabId) => show({ kind: 'tab-id', tabId }),
      () => show({ kind: 'tab-id', tabId: undefined }),
    );
  }
}
