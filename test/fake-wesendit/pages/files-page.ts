/**
 * A storage's file browser: one folder's direct children (folders first, as links), paged with
 * `?page=&perPage=` (perPage at most 1000, default 50) and a "Next" / "Weiter" link.
 *
 * Variants: `md5` (default) has an MD5 column and exact bytes in `data-bytes`; `plain` has no
 * checksum column, the exact bytes only in the size cell's `title` ("1,234,567 bytes") and the
 * date in a `title` instead of a `<time datetime>`.
 */
import type { FakeStorage } from '../fake-storage.ts';
import type { Lang } from './i18n.ts';
import { escapeHtml, formatBytes, href, renderShell } from './layout.ts';
import { STORAGE_TEXT } from './storage-text.ts';

export const FILES_VARIANTS = ['md5', 'plain'] as const;
export type FilesVariant = (typeof FILES_VARIANTS)[number];

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 1000;

export function parseFilesVariant(value: string | null): FilesVariant {
  if (value === null || value === '') return 'md5';
  const found = FILES_VARIANTS.find((variant) => variant === value);
  if (!found) throw new Error(`Unknown files variant "${value}". Use one of: ${FILES_VARIANTS.join(', ')}.`);
  return found;
}

function positiveInt(value: string | null, fallback: number, name: string): number {
  if (value === null || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a whole number from 1 (got "${value}").`);
  return number;
}

export interface FilesPageInput {
  readonly lang: Lang;
  readonly storage: FakeStorage;
  readonly variant: FilesVariant;
  readonly path: string;
  readonly page: string | null;
  readonly perPage: string | null;
}

export function renderFilesPage(input: FilesPageInput): { status: number; html: string } {
  const t = STORAGE_TEXT[input.lang];
  const { storage, lang, variant } = input;
  const path = input.path;
  const perPage = Math.min(positiveInt(input.perPage, DEFAULT_PER_PAGE, 'perPage'), MAX_PER_PAGE);
  const page = positiveInt(input.page, 1, 'page');
  const listing = storage.listFolder(path);
  if (!listing) return { status: 404, html: renderShell({ lang, title: t.filesHeading, body: `<p>No folder "${escapeHtml(path)}".</p>` }) };

  const total = listing.folders.length + listing.fileCount;
  const start = (page - 1) * perPage;
  const end = Math.min(start + perPage, total);
  const link = (params: Record<string, string>): string =>
    href('/storage/files', lang, { storage: storage.spec.id, ...(variant === 'md5' ? {} : { variant }), ...params });
  const dateFormat = new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'medium' });
  const numberFormat = new Intl.NumberFormat(t.numberLocale);
  const number = (n: number): string => numberFormat.format(n);
  // Most files share a few dates: format each once per page (Intl formatting dominates render time).
  const dateTexts = new Map<string, string>();
  const dateText = (iso: string): string => {
    let text = dateTexts.get(iso);
    if (text === undefined) {
      text = escapeHtml(`${dateFormat.format(new Date(iso))} UTC`);
      dateTexts.set(iso, text);
    }
    return text;
  };
  const fileStart = Math.max(start - listing.folders.length, 0);
  const pageFiles = listing.files(fileStart, Math.max(end - listing.folders.length, 0));

  const rows: string[] = [];
  for (let i = start; i < end; i += 1) {
    if (i < listing.folders.length) {
      const name = listing.folders[i] ?? '';
      rows.push(`<tr class="folder"><td><span aria-label="${escapeHtml(t.folder)}" role="img">📁</span> <a href="${escapeHtml(link({ path: `${path}${name}/` }))}">${escapeHtml(name)}</a></td><td>—</td><td></td>${variant === 'md5' ? '<td></td>' : ''}</tr>`);
      continue;
    }
    const file = pageFiles[i - listing.folders.length - fileStart];
    if (!file) continue;
    const name = file.key.slice(path.length);
    const size = formatBytes(file.size, t.numberLocale);
    const sizeCell =
      variant === 'md5'
        ? `<td class="num" data-bytes="${file.size}">${escapeHtml(size)}</td>`
        : `<td class="num" title="${escapeHtml(number(file.size))} bytes">${escapeHtml(size)}</td>`;
    const dateCell =
      variant === 'md5'
        ? `<td><time datetime="${file.lastModified}">${dateText(file.lastModified)}</time></td>`
        : `<td title="${file.lastModified}">${dateText(file.lastModified)}</td>`;
    rows.push(`<tr class="file"><td>${escapeHtml(name)}</td>${sizeCell}${dateCell}${variant === 'md5' ? `<td><code>${file.md5}</code></td>` : ''}</tr>`);
  }

  const c = t.fileColumns;
  const crumbs = [`<a href="${escapeHtml(link({}))}">${escapeHtml(t.files)}</a>`];
  let walked = '';
  for (const part of path.split('/').filter((segment) => segment.length > 0)) {
    walked += `${part}/`;
    crumbs.push(`<a href="${escapeHtml(link({ path: walked }))}">${escapeHtml(part)}</a>`);
  }
  const pageParams = (n: number): Record<string, string> => ({ ...(path ? { path } : {}), page: String(n), perPage: String(perPage) });
  const previous = page > 1 ? `<a rel="prev" href="${escapeHtml(link(pageParams(page - 1)))}">${t.previous}</a>` : '';
  const next = end < total ? `<a rel="next" href="${escapeHtml(link(pageParams(page + 1)))}">${t.next}</a>` : '';
  const range = total === 0 ? '' : `<span>${escapeHtml(t.range(number(start + 1), number(end), number(total)))}</span>`;
  const body = `<p><a href="${escapeHtml(href('/settings/api-keys', lang))}">${escapeHtml(t.backToSettings)}</a> ·
  <a href="${escapeHtml(href('/storage/connect', lang, { storage: storage.spec.id }))}">${escapeHtml(t.connectBucket)}</a></p>
<h1>${escapeHtml(t.filesHeading)}: ${escapeHtml(storage.spec.name)}</h1>
<nav aria-label="Breadcrumb">${crumbs.join(' / ')}</nav>
<table>
  <thead><tr><th>${c.name}</th><th>${c.size}</th><th>${c.modified}</th>${variant === 'md5' ? `<th>${c.md5}</th>` : ''}</tr></thead>
  <tbody>
${rows.join('\n')}
  </tbody>
</table>
${total === 0 ? `<p>${escapeHtml(t.emptyFolder)}</p>` : ''}
<nav class="pager" aria-label="Pages">${previous}${range}${next}</nav>`;
  return { status: 200, html: renderShell({ lang, title: `${t.filesHeading}: ${storage.spec.name}`, body }) };
}
