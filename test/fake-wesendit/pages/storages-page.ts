/**
 * The storages page: "Create storage" and, after it, the one-time credentials dialog rendered by
 * storages-client.js in the markup variant the query names. `variant=iframe` is a shell whose
 * whole app (button and dialog) lives in a same-origin iframe.
 */
import { CREDENTIALS_DIALOG_STYLE } from './credentials-dialog-style.ts';
import { UI_TEXT, type Lang } from './i18n.ts';

/**
 * plain: label and value spans · table: th/td · dl: dt/dd and a × close button · inputs: readonly
 * inputs, the secret in a password input with a show toggle · shadow: inside an open shadow root ·
 * iframe: the whole app in a same-origin iframe · late: renders 0.7 s after Create, values after
 * the labels · rerender: DOM re-created and attributes stripped every 100 ms · colon: sloppy
 * labels (colons, case, NBSP, asterisks) · masked: the Secret Key shown as dots until "Show".
 */
export const DIALOG_VARIANTS = ['plain', 'table', 'dl', 'inputs', 'shadow', 'iframe', 'late', 'rerender', 'colon', 'masked'] as const;
export type DialogVariant = (typeof DIALOG_VARIANTS)[number];

export function parseVariant(value: string | null): DialogVariant {
  const known: readonly string[] = DIALOG_VARIANTS;
  if (value === null || value === '') return 'plain';
  if (!known.includes(value)) {
    throw new Error(`Unknown variant "${value}". Use one of: ${DIALOG_VARIANTS.join(', ')}.`);
  }
  return DIALOG_VARIANTS.find((variant) => variant === value) ?? 'plain';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  body { font: 15px system-ui, sans-serif; margin: 0; color: #1d2433; background: #f4f6fa; }
  header { background: #22304d; color: #fff; padding: 12px 24px; font-weight: 600; }
  main { padding: 24px; }
  ${CREDENTIALS_DIALOG_STYLE}
`;

export function renderStoragesPage(input: { lang: Lang; variant: DialogVariant; embedded: boolean }): string {
  const text = UI_TEXT[input.lang];
  if (input.variant === 'iframe' && !input.embedded) {
    const src = `/storages?lang=${input.lang}&variant=plain&embedded=1`;
    return `<!doctype html><html lang="${input.lang}"><head><meta charset="utf-8"><title>WeSendit</title><style>${STYLE} iframe { border: 0; width: 100%; height: 760px; }</style></head>
<body><header>WeSendit</header><iframe src="${escapeHtml(src)}" title="WeSendit app"></iframe></body></html>`;
  }
  const config = JSON.stringify({ text, variant: input.variant }).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="${input.lang}"><head><meta charset="utf-8"><title>${escapeHtml(text.storagesHeading)} – WeSendit</title><style>${STYLE}</style></head>
<body>
<header>WeSendit</header>
<main>
  <h1>${escapeHtml(text.storagesHeading)}</h1>
  <button type="button" id="create">${escapeHtml(text.createStorage)}</button>
  <button type="button" id="probe">${escapeHtml(text.probe)}</button>
  <p id="status" role="status"></p>
  <div id="app"></div>
</main>
<script type="application/json" id="fake-config">${config}</script>
<script src="/assets/storages-client.js"></script>
</body></html>`;
}
