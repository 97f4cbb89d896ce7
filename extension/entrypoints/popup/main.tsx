/** The toolbar popup: unlock or lock the vault, saved storages, export/import, settings. */
import { render } from 'preact';
import { PopupApp } from './popup-app.tsx';
import '../../components/ui.css';

const root = document.getElementById('app');
if (root) render(<PopupApp />, root);
