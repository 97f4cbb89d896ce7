/**
 * Settings → "API Keys and Connection": the user's storage connections with name, provider,
 * region, space used, files and folders, share status and S3 connection, each with links to its
 * files and to its connect-to-bucket form.
 */
import type { FakeStorage } from '../fake-storage.ts';
import type { Lang } from './i18n.ts';
import { escapeHtml, formatBytes, href, renderShell } from './layout.ts';
import { STORAGE_TEXT } from './storage-text.ts';

export function renderApiKeysPage(input: { lang: Lang; storages: readonly FakeStorage[] }): string {
  const t = STORAGE_TEXT[input.lang];
  const c = t.columns;
  const rows = input.storages
    .map((storage) => {
      const { spec } = storage;
      const number = (n: number): string => n.toLocaleString(t.numberLocale);
      const connection = storage.connectedBucket ? `${t.connectedTo} <code>${escapeHtml(storage.connectedBucket)}</code>` : t.notConnected;
      return `<tr data-storage-id="${escapeHtml(spec.id)}">
  <td>${escapeHtml(spec.name)}</td>
  <td>${escapeHtml(spec.provider)}</td>
  <td>${escapeHtml(spec.region)}</td>
  <td class="num">${escapeHtml(formatBytes(storage.totalBytes, t.numberLocale))}</td>
  <td>${escapeHtml(t.filesFolders(number(storage.fileCount), number(storage.folderCount)))}</td>
  <td>${escapeHtml(spec.shareStatus ?? 'Private')}</td>
  <td>${connection}</td>
  <td><a href="${escapeHtml(href('/storage/files', input.lang, { storage: spec.id }))}">${escapeHtml(t.browseFiles)}</a>
      · <a href="${escapeHtml(href('/storage/connect', input.lang, { storage: spec.id }))}">${escapeHtml(t.connectBucket)}</a></td>
</tr>`;
    })
    .join('\n');
  const body = `<p>${escapeHtml(t.settings)}</p>
<h1>${escapeHtml(t.apiKeysHeading)}</h1>
<table>
  <thead><tr><th>${c.name}</th><th>${c.provider}</th><th>${c.region}</th><th>${c.spaceUsed}</th><th>${c.filesAndFolders}</th><th>${c.shareStatus}</th><th>${c.s3Connection}</th><th></th></tr></thead>
  <tbody>
${rows}
  </tbody>
</table>`;
  return renderShell({ lang: input.lang, title: t.apiKeysHeading, body });
}
