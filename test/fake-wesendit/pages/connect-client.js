// The fake connect-to-bucket form: shows the fields the chosen provider needs, and on "Connect"
// posts the form to the fake server, which syncs the storage with the bucket as WeSendit does;
// then the one-time credentials dialog appears (storages-client.js renders it).
// `window.__connectAttempts` and `window.__connectResult` record what the page's own handler did.
(() => {
  const config = JSON.parse(document.getElementById('fake-config').textContent).connect;
  const form = document.getElementById('connect-form');
  const statusLine = document.getElementById('connect-status');
  // The `shadow` variant: the form lives in an open shadow root, as in a web-component front end.
  if (config.shadow) {
    const host = document.createElement('wsi-connect-form');
    form.before(host);
    host.attachShadow({ mode: 'open' }).append(form);
  }
  window.__connectAttempts = 0;
  window.__connectResult = null;

  function provider() {
    const select = form.querySelector('select[name=provider]');
    if (select) return select.value;
    const checked = form.querySelector('input[name=provider]:checked');
    return checked ? checked.value : '';
  }

  function showFields() {
    const wanted = config.providerFields[provider()] || [];
    for (const row of form.querySelectorAll('[data-field]')) row.hidden = !wanted.includes(row.dataset.field);
    const region = form.querySelector('[name=region]');
    const label = provider() === 'other' ? config.regionLabels.optional : config.regionLabels.required;
    if (region.hasAttribute('aria-label')) region.setAttribute('aria-label', label);
    else form.querySelector('label[for=cf-region]').textContent = label;
  }

  form.addEventListener('change', (event) => {
    if (event.target.name === 'provider') showFields();
  });
  showFields();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    window.__connectAttempts += 1;
    const value = (name) => {
      const input = form.querySelector(`[name=${name}]`);
      return input && !input.closest('[hidden]') ? input.value : '';
    };
    const body = {
      provider: provider(),
      endpoint: value('endpoint'),
      region: value('region'),
      bucket: value('bucket'),
      accessKey: value('accessKey'),
      secretKey: value('secretKey'),
    };
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    statusLine.textContent = config.connecting;
    try {
      const response = await fetch(`/api/storages/connect?storage=${encodeURIComponent(config.storageId)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const result = await response.json();
      if (!response.ok) throw new Error(result.error || `HTTP ${response.status}`);
      window.__connectResult = { ok: true };
      statusLine.textContent = '';
      window.__wsiShowCredentials(result.credentials);
    } catch (error) {
      window.__connectResult = { ok: false, error: String(error && error.message ? error.message : error) };
      statusLine.textContent = config.failed + window.__connectResult.error;
    } finally {
      button.disabled = false;
    }
  });
})();
