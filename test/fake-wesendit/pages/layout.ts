/** The shell shared by the fake WeSendit UI's storage screens: header, settings navigation, styles. */
import type { Lang } from './i18n.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  body { font: 15px system-ui, sans-serif; margin: 0; color: #1d2433; background: #f4f6fa; }
  header { background: #22304d; color: #fff; padding: 12px 24px; font-weight: 600; display: flex; gap: 24px; align-items: center; }
  header a { color: #cfe0ff; font-weight: 400; }
  main { padding: 24px; }
  table { border-collapse: collapse; background: #fff; min-width: 720px; }
  th, td { text-align: left; padding: 6px 12px; border-bottom: 1px solid #e3e7ef; }
  th { color: #5b6478; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  code { background: #eef1f6; padding: 2px 6px; border-radius: 4px; }
  nav.pager { margin: 12px 0; display: flex; gap: 16px; align-items: center; }
  form.connect { background: #fff; border-radius: 10px; padding: 20px 28px; max-width: 560px; }
  .row { display: flex; flex-direction: column; gap: 4px; margin: 10px 0; }
  .row input, .row select { padding: 6px 8px; font: inherit; }
  fieldset { border: 0; padding: 0; margin: 10px 0; }
  .actions { display: flex; gap: 10px; align-items: center; margin-top: 16px; }
  .btn-primary { background: #2f6fed; color: #fff; border: 0; border-radius: 6px; padding: 8px 18px; font: inherit; }
  .btn-primary:disabled { background: #a9bde8; }
`;

/** `style`: the page's own rules after the shell's. */
export function renderShell(input: { lang: Lang; title: string; body: string; scripts?: readonly string[]; config?: unknown; style?: string }): string {
  const config = input.config === undefined ? '' : `<script type="application/json" id="fake-config">${JSON.stringify(input.config).replace(/</g, '\\u003c')}</script>`;
  const scripts = (input.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}"></script>`).join('');
  return `<!doctype html><html lang="${input.lang}"><head><meta charset="utf-8"><title>${escapeHtml(input.title)} – WeSendit</title><style>${STYLE}${input.style ?? ''}</style></head>
<body>
<header><span>WeSendit</span></header>
<main>
${input.body}
</main>
${config}${scripts}
</body></html>`;
}

/** A link to another screen keeping the language. */
export function href(path: string, lang: Lang, params: Record<string, string> = {}): string {
  const search = new URLSearchParams(params);
  if (lang !== 'en') search.set('lang', lang);
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** "12.5 MB" / "12,5 MB": decimal units, one decimal above bytes, as file browsers show sizes. */
export function formatBytes(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : 1;
  const cacheKey = `${locale}:${digits}`;
  let format = numberFormats.get(cacheKey);
  if (!format) {
    format = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(cacheKey, format);
  }
  return `${format.format(value)} ${units[unit] ?? 'B'}`;
}
