/**
 * The gate prompt, framed by the content script beside WeSendit's credentials dialog. It is an
 * extension-origin page, so the passphrase typed here is out of the WeSendit page's reach.
 */
import { render } from 'preact';
import { GatePrompt } from '../../ui/gate/gate-prompt.tsx';
import '../../ui/components/ui.css';

const root = document.getElementById('app');
if (root) render(<GatePrompt captureId={decodeURIComponent(location.hash.slice(1))} />, root);
