/** review.html: "Review sync result", framed by the dock on WeSendit's storage page after a connect. */
import { render } from 'preact';
import { sendToBackground } from '../../adapters/messaging.ts';
import { ReviewFrame } from '../../ui/review/review-frame.tsx';
import '../../ui/components/ui.css';

const root = document.getElementById('app');
if (root) render(<ReviewFrame send={sendToBackground} />, root);
