/**
 * hold.html: "Backing up before connect", framed by the connect hold beside WeSendit's connect
 * form (`#hold=<holdId>`). It shows nothing without a live hold id from the background.
 */
import { render } from 'preact';
import { sendToBackground } from '../../adapters/messaging.ts';
import { ErrorMessage } from '../../ui/components/error-message.tsx';
import { HoldFrame, holdIdFromHash } from '../../ui/hold/hold-frame.tsx';
import '../../ui/components/ui.css';

const root = document.getElementById('app');
if (root) {
  const holdId = holdIdFromHash(location.hash);
  render(
    holdId === undefined ? (
      <ErrorMessage message="This frame opens beside WeSendit’s connect form when you click Connect there. Click Connect again to open it." />
    ) : (
      <HoldFrame holdId={holdId} send={sendToBackground} />
    ),
    root,
  );
}
