/**
 * Where the current storage's file browser starts: a link named "Files" / "Dateien" /
 * "Browse files" / "Dateien durchsuchen" on this page (the connect form, the storage page, the
 * file browser's own breadcrumb root), or this page itself when it shows the file list.
 */
import { ConnectGuardError } from '../../../shared/errors.ts';
import { normalizeLabel } from '../gate/label-matching.ts';
import { findFileTable } from './parse-file-browser-page.ts';

const FILES_LINK_TEXTS = new Set([
  'files', 'all files', 'browse files', 'show files', 'view files', 'my files', 'file browser', 'storage files',
  'dateien', 'alle dateien', 'dateien durchsuchen', 'dateien anzeigen', 'meine dateien', 'dateibrowser', 'dateiübersicht',
]);

/** The file browser's first page for this document, or a clear error saying what to open. */
export function getFileBrowserUrl(doc: Document, pageUrl: string): string {
  const origin = new URL(pageUrl).origin;
  const targets = new Set<string>();
  for (const link of doc.querySelectorAll('a[href]')) {
    if (link.closest('[data-connect-guard-ui]')) continue;
    const text = normalizeLabel(link.getAttribute('aria-label') ?? link.textContent ?? '');
    if (!FILES_LINK_TEXTS.has(text)) continue;
    const url = new URL(link.getAttribute('href') ?? '', pageUrl);
    if (url.origin !== origin) continue;
    url.hash = '';
    targets.add(url.href);
  }
  if (targets.size === 1) {
    const [only] = targets;
    if (only) return only;
  }
  if (findFileTable(doc)) return pageUrl;
  if (targets.size > 1) {
    throw new ConnectGuardError(
      'WESENDIT_LISTING_FAILED',
      'This page links to the files of several storages. Open the connect form or the file browser of the storage you are connecting, then try again.',
    );
  }
  throw new ConnectGuardError(
    'WESENDIT_LISTING_FAILED',
    'No file browser found on this page. Open the storage\'s connect form or its file list in WeSendit, then try again.',
  );
}
