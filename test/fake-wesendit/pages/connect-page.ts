/**
 * The form that connects a storage to a bucket: provider (WeSendit / AWS / Cloudflare R2 / Other
 * S3), endpoint or region depending on the provider, bucket, access key, secret (a password
 * input), and "Connect" / "Verbinden". connect-client.js shows the fields the provider needs and
 * submits; on success the page shows WeSendit's one-time credentials dialog, a modal over the
 * form as on the storages page.
 *
 * Variants: `labels` (default): `<label for>` and a provider `<select>` · `aria`: no label
 * elements, fields named by `aria-label` and `placeholder` only, the provider as a radio group ·
 * `shadow`: the `labels` form inside the open shadow root of a `<wsi-connect-form>` element, as a
 * web-component front end renders it.
 */
import type { FakeStorage, StorageProvider } from '../fake-storage.ts';
import { CREDENTIALS_DIALOG_STYLE } from './credentials-dialog-style.ts';
import { UI_TEXT, type Lang } from './i18n.ts';
import { escapeHtml, href, renderShell } from './layout.ts';
import { STORAGE_TEXT } from './storage-text.ts';

export const CONNECT_VARIANTS = ['labels', 'aria', 'shadow'] as const;
export type ConnectVariant = (typeof CONNECT_VARIANTS)[number];

export const PROVIDERS: readonly { readonly value: string; readonly provider: StorageProvider }[] = [
  { value: 'wesendit', provider: 'WeSendit' },
  { value: 'aws', provider: 'AWS' },
  { value: 'r2', provider: 'Cloudflare R2' },
  { value: 'other', provider: 'Other S3' },
];

/** Which fields each provider asks for (the others are hidden). */
export const PROVIDER_FIELDS: Record<string, readonly ('endpoint' | 'region')[]> = {
  wesendit: ['region'],
  aws: ['region'],
  r2: ['endpoint'],
  other: ['endpoint', 'region'],
};

export function parseConnectVariant(value: string | null): ConnectVariant {
  if (value === null || value === '') return 'labels';
  const found = CONNECT_VARIANTS.find((variant) => variant === value);
  if (!found) throw new Error(`Unknown connect variant "${value}". Use one of: ${CONNECT_VARIANTS.join(', ')}.`);
  return found;
}

export function renderConnectPage(input: { lang: Lang; storage: FakeStorage; variant: ConnectVariant }): string {
  const t = STORAGE_TEXT[input.lang];
  const f = t.fields;
  const { lang, storage, variant } = input;
  const providerName = (value: string, provider: StorageProvider): string => (value === 'other' ? t.otherS3 : provider);
  const initial = 'wesendit';
  const hiddenUnless = (field: 'endpoint' | 'region'): string => (PROVIDER_FIELDS[initial]?.includes(field) ? '' : ' hidden');

  const field = (name: string, label: string, type: string, placeholder: string, autocomplete: string): string => {
    const id = `cf-${name}`;
    const attributes = `id="${id}" name="${name}" type="${type}" placeholder="${escapeHtml(placeholder)}" autocomplete="${autocomplete}"`;
    return variant === 'aria'
      ? `<input ${attributes} aria-label="${escapeHtml(label)}">`
      : `<label for="${id}">${escapeHtml(label)}</label><input ${attributes}>`;
  };

  const providerControl =
    variant === 'aria'
      ? `<fieldset class="row" role="radiogroup" aria-labelledby="cf-provider-legend"><legend id="cf-provider-legend">${escapeHtml(f.provider)}</legend>
${PROVIDERS.map(({ value, provider }) => `<label><input type="radio" name="provider" value="${value}"${value === initial ? ' checked' : ''}> ${escapeHtml(providerName(value, provider))}</label>`).join('\n')}
</fieldset>`
      : `<div class="row"><label for="cf-provider">${escapeHtml(f.provider)}</label><select id="cf-provider" name="provider">
${PROVIDERS.map(({ value, provider }) => `<option value="${value}"${value === initial ? ' selected' : ''}>${escapeHtml(providerName(value, provider))}</option>`).join('\n')}
</select></div>`;

  const body = `<p><a href="${escapeHtml(href('/settings/api-keys', lang))}">${escapeHtml(t.backToSettings)}</a> ·
  <a href="${escapeHtml(href('/storage/files', lang, { storage: storage.spec.id }))}">${escapeHtml(t.files)}</a></p>
<h1>${escapeHtml(t.connectHeading)}: ${escapeHtml(storage.spec.name)}</h1>
<p>${escapeHtml(t.connectIntro)}</p>
<form class="connect" id="connect-form" novalidate>
${providerControl}
<div class="row" data-field="endpoint"${hiddenUnless('endpoint')}>${field('endpoint', f.endpoint, 'url', t.placeholders.endpoint, 'off')}</div>
<div class="row" data-field="region"${hiddenUnless('region')}>${field('region', f.region, 'text', t.placeholders.region, 'off')}</div>
<div class="row">${field('bucket', f.bucket, 'text', t.placeholders.bucket, 'off')}</div>
<div class="row">${field('accessKey', f.accessKey, 'text', '', 'off')}</div>
<div class="row">${field('secretKey', f.secretKey, 'password', '', 'new-password')}</div>
<div class="actions"><button type="submit" class="btn-primary" id="connect">${escapeHtml(t.connect)}</button></div>
<p id="connect-status" role="status"></p>
</form>
<button type="button" id="probe">${escapeHtml(UI_TEXT[lang].probe)}</button>
<p id="status" role="status"></p>
<div id="app"></div>`;
  return renderShell({
    lang,
    title: t.connectHeading,
    body,
    config: {
      text: UI_TEXT[lang],
      variant: 'plain',
      connect: {
        storageId: storage.spec.id,
        providerFields: PROVIDER_FIELDS,
        regionLabels: { required: f.region, optional: f.regionOptional },
        connecting: t.connecting,
        failed: t.connectFailed,
        ariaVariant: variant === 'aria',
        shadow: variant === 'shadow',
      },
    },
    scripts: ['/assets/storages-client.js', '/assets/connect-client.js'],
    style: CREDENTIALS_DIALOG_STYLE,
  });
}
