// The fake WeSendit storages page: "Create storage", then the one-time credentials dialog in the
// markup variant named by `?variant=`. The page's own logic follows WeSendit's help article:
// Continue is enabled only while "I have stored the keys" is ticked, and Continue closes the
// dialog. `window.__continued`, `window.__ticked` and `window.__log` record what the page's own
// handlers did, so tests can prove they never ran while the gate held the dialog.
(() => {
  const config = JSON.parse(document.getElementById('fake-config').textContent);
  const t = config.text;
  const variant = config.variant;
  const FIELDS = ['storageName', 'permissions', 'allowedIps', 'serverAddress', 'bucketName', 'accessKey', 'secretKey'];
  // Labels as a sloppier UI writes them: colons, odd case, extra and non-breaking spaces, asterisks.
  const COLON_LABELS = {
    storageName: (l) => ` ${l}* `,
    permissions: (l) => `${l.toLowerCase()}:`,
    allowedIps: (l) => `${l} :`,
    serverAddress: (l) => `${l.toUpperCase()}:`,
    bucketName: (l) => `${l}:`,
    accessKey: (l) => `${l.toUpperCase()}:`,
    secretKey: (l) => `  ${l.replace(' ', '\u00a0')}  : `,
  };

  window.__continued = false;
  window.__ticked = false;
  window.__log = [];
  const log = (entry) => window.__log.push(entry);
  const state = { credentials: null, checked: false, renders: 0, timer: undefined };
  const app = document.getElementById('app');
  const status = document.getElementById('status');

  document.getElementById('probe').addEventListener('click', () => log('probe'));
  // The connect page has no "Create storage": it shows the dialog after a successful connect.
  window.__wsiShowCredentials = (credentials) => {
    state.credentials = credentials;
    status.textContent = '';
    mount(renderDialog({ loading: false }));
  };
  document.getElementById('create')?.addEventListener('click', async () => {
    log('create');
    status.textContent = t.creating;
    const response = await fetch('/api/storages', { method: 'POST' });
    state.credentials = await response.json();
    if (variant === 'late') {
      // The dialog appears later than the click, and its values later than its labels.
      setTimeout(() => {
        status.textContent = '';
        mount(renderDialog({ loading: true }));
        setTimeout(() => mount(renderDialog({ loading: false })), 300);
      }, 700);
      return;
    }
    status.textContent = '';
    mount(renderDialog({ loading: false }));
    if (variant === 'rerender') startRerendering();
  });

  function mount(dialog) {
    if (variant === 'shadow') {
      let host = app.querySelector('wsi-credentials-dialog');
      if (!host) {
        host = document.createElement('wsi-credentials-dialog');
        app.append(host);
      }
      host.shadowRoot.replaceChildren(dialog);
      return;
    }
    app.replaceChildren(dialog);
  }

  // Like a React/Vue app: the dialog's DOM is re-created from state now and then, and in between
  // the framework re-applies the attributes it believes in (no `disabled`, no foreign attributes).
  function startRerendering() {
    state.timer = setInterval(() => {
      state.renders += 1;
      if (state.renders % 3 === 0) {
        mount(renderDialog({ loading: false }));
        log('rerendered');
        return;
      }
      for (const control of app.querySelectorAll('input[type=checkbox], button')) {
        control.removeAttribute('disabled');
        control.removeAttribute('aria-disabled');
        control.removeAttribute('data-connect-guard');
      }
      log('reenabled');
    }, 100);
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  function copyButton(field) {
    const button = el('button', { type: 'button', class: 'ic-cp', 'aria-label': t.copy, title: t.copy }, copyIcon());
    button.addEventListener('click', () => log(`copy:${field}`));
    return button;
  }

  function copyIcon() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 16 16');
    svg.setAttribute('width', '14');
    svg.setAttribute('height', '14');
    svg.setAttribute('aria-hidden', 'true');
    for (const [x, y] of [[1, 4], [5, 1]]) {
      const rect = document.createElementNS(ns, 'rect');
      for (const [name, value] of Object.entries({ x, y, width: 10, height: 11, rx: 2, fill: x === 5 ? '#fff' : 'none', stroke: '#5b6478', 'stroke-width': 1.5 })) rect.setAttribute(name, String(value));
      svg.append(rect);
    }
    return svg;
  }

  function labelText(field) {
    const label = t.labels[field];
    return variant === 'colon' ? COLON_LABELS[field](label) : label;
  }

  function valueOf(field, loading) {
    return loading ? '…' : state.credentials[field];
  }

  function renderFields(loading) {
    if (variant === 'table') {
      const body = el('tbody');
      for (const field of FIELDS) {
        body.append(el('tr', {}, el('th', { scope: 'row' }, labelText(field)), el('td', {}, valueOf(field, loading), ' ', copyButton(field))));
      }
      return el('table', { class: 'tb' }, body);
    }
    if (variant === 'dl') {
      const list = el('dl');
      for (const field of FIELDS) {
        list.append(el('div', { class: 'dr' }, el('dt', {}, labelText(field)), el('dd', {}, el('span', {}, valueOf(field, loading)), copyButton(field))));
      }
      return list;
    }
    if (variant === 'inputs') {
      const box = el('div', { class: 'fs' });
      FIELDS.forEach((field, index) => {
        const id = `f${index}-${state.renders}`;
        const input = el('input', { id, readonly: '', type: field === 'secretKey' ? 'password' : 'text' });
        // Set as a property: the value never appears as an attribute in the markup.
        input.value = valueOf(field, loading);
        const row = el('div', { class: 'fr' }, el('label', { for: id }, labelText(field)), input, copyButton(field));
        if (field === 'secretKey') {
          const toggle = el('button', { type: 'button', class: 'ic-eye' }, t.show);
          toggle.addEventListener('click', () => {
            input.type = input.type === 'password' ? 'text' : 'password';
          });
          row.append(toggle);
        }
        box.append(row);
      });
      return box;
    }
    // plain, colon, shadow, late, rerender, masked: label and value side by side in generic elements.
    const box = el('div', { class: 'fs' });
    for (const field of FIELDS) {
      const label = variant === 'colon' ? el('b', {}, labelText(field)) : el('span', { class: 'k' }, labelText(field));
      if (variant === 'masked' && field === 'secretKey') {
        const dots = '••••••••••••••••';
        const code = el('code', {}, dots);
        const toggle = el('button', { type: 'button', class: 'ic-eye' }, t.show);
        toggle.addEventListener('click', () => {
          code.textContent = code.textContent === dots ? valueOf(field, loading) : dots;
        });
        box.append(el('div', { class: 'r' }, label, ' ', el('span', { class: 'v' }, code), toggle, copyButton(field)));
        continue;
      }
      box.append(el('div', { class: 'r' }, label, ' ', el('span', { class: 'v' }, el('code', {}, valueOf(field, loading))), copyButton(field)));
    }
    return box;
  }

  function renderDialog({ loading }) {
    const uid = `u${state.renders}`;
    const checkbox = el('input', { type: 'checkbox', id: `ack-${uid}` });
    checkbox.checked = state.checked;
    const continueButton = el('button', { type: variant === 'table' || variant === 'dl' ? 'button' : 'submit', class: 'btn-primary' }, t.continue);
    continueButton.disabled = !state.checked;

    let ack;
    if (variant === 'inputs' || variant === 'table') {
      ack = el('div', { class: 'ack' }, checkbox, el('label', { for: checkbox.id }, t.stored));
    } else if (variant === 'colon') {
      checkbox.setAttribute('aria-labelledby', `ackl-${uid}`);
      ack = el('div', { class: 'ack' }, checkbox, el('span', { id: `ackl-${uid}` }, ` ${t.stored} `));
    } else {
      ack = el('label', { class: 'ack' }, checkbox, ` ${t.stored}`);
    }

    checkbox.addEventListener('change', () => {
      state.checked = checkbox.checked;
      if (checkbox.checked) window.__ticked = true;
      log(`ticked:${checkbox.checked}`);
      continueButton.disabled = !checkbox.checked;
    });
    for (const type of ['pointerdown', 'mousedown', 'keydown']) {
      const entry = (name, event) => `${name}:${type}${event.key ? `:${event.key}` : ''}`;
      checkbox.addEventListener(type, (event) => log(entry('checkbox', event)));
      continueButton.addEventListener(type, (event) => log(entry('continue', event)));
    }

    const heading = el('h2', { id: `dh-${uid}` }, t.dialogHeading);
    if (variant === 'dl') {
      const close = el('button', { type: 'button', class: 'x-close', 'aria-label': t.close }, '×');
      close.addEventListener('click', () => closeDialog());
      heading.append(' ', close);
    }
    const parts = [heading, el('p', { class: 'warn' }, t.onceWarning), renderFields(loading), ack, continueButton];
    let body;
    if (continueButton.type === 'submit') {
      body = el('form', { class: 'mb' }, ...parts);
      body.addEventListener('submit', (event) => {
        event.preventDefault();
        onContinue(body);
      });
    } else {
      body = el('div', { class: 'mb' }, ...parts);
      continueButton.addEventListener('click', () => onContinue(body));
    }
    return el('div', { class: 'ov' }, el('div', { class: 'md', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': heading.id }, body));
  }

  // Like most modals: Escape closes the dialog, and the Secret Key is gone with it.
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && app.querySelector('.ov, wsi-credentials-dialog')) closeDialog();
  });

  function closeDialog() {
    log('closed');
    clearInterval(state.timer);
    app.replaceChildren();
  }

  function onContinue(body) {
    window.__continued = true;
    log('continued');
    clearInterval(state.timer);
    body.closest('.ov').remove();
    status.textContent = t.ready;
  }

  if (variant === 'shadow') {
    customElements.define(
      'wsi-credentials-dialog',
      class extends HTMLElement {
        constructor() {
          super();
          this.attachShadow({ mode: 'open' });
        }
      },
    );
  }
})();
