// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { findConnectForms, readConnectForm } from './find-connect-form.ts';

function setInputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    const control = document.querySelector(`[name="${name}"]`);
    if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement) control.value = value;
  }
}

describe('connect form with labels and a provider select (English)', () => {
  beforeEach(() => {
    document.documentElement.lang = 'en';
    document.body.innerHTML = `
      <form>
        <label for="p">Storage provider</label>
        <select id="p" name="provider"><option value="wesendit">WeSendit</option><option value="aws">AWS</option><option value="other">Other S3</option></select>
        <div data-field="endpoint"><label for="e">S3 endpoint</label><input id="e" name="endpoint"></div>
        <div data-field="region"><label for="r">Region (optional)</label><input id="r" name="region"></div>
        <label for="b">Bucket name</label><input id="b" name="bucket">
        <label for="a">Access key ID</label><input id="a" name="accessKey">
        <label for="s">Secret access key</label><input id="s" name="secretKey" type="password">
        <button type="submit">Connect</button>
      </form>`;
  });

  it('finds the form by its Connect button and reads every visible field', () => {
    setInputs({ provider: 'other', endpoint: ' http://127.0.0.1:7480 ', region: 'us-east-1', bucket: 'nas', accessKey: 'CGTESTACCESS', secretKey: 'cgtest-secret-x ' });
    const forms = findConnectForms(document);
    expect(forms).toHaveLength(1);
    expect(forms[0]?.connectButton.textContent).toBe('Connect');
    expect(readConnectForm(forms[0]!)).toEqual({
      provider: 'Other S3', endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', bucket: 'nas', accessKey: 'CGTESTACCESS', secretKey: 'cgtest-secret-x',
    });
  });

  it('skips a hidden field (AWS asks for the region only)', () => {
    setInputs({ provider: 'aws', endpoint: 'https://stale.example', region: 'eu-west-1', bucket: 'b' });
    document.querySelector('[data-field="endpoint"]')?.setAttribute('hidden', '');
    const values = readConnectForm(findConnectForms(document)[0]!);
    expect(values.provider).toBe('AWS');
    expect(values.endpoint).toBe('');
    expect(values.region).toBe('eu-west-1');
  });

  it('leaves empty fields empty', () => {
    expect(readConnectForm(findConnectForms(document)[0]!)).toMatchObject({ bucket: '', accessKey: '', secretKey: '' });
  });
});

describe('German connect form named by aria-label and placeholder, provider as radios', () => {
  beforeEach(() => {
    document.documentElement.lang = 'de';
    document.body.innerHTML = `
      <div class="card">
        <fieldset><legend>Speicheranbieter</legend>
          <label><input type="radio" name="p" value="wesendit"> WeSendit</label>
          <label><input type="radio" name="p" value="r2" checked> Cloudflare R2</label>
          <label><input type="radio" name="p" value="other"> Anderer S3-Dienst</label>
        </fieldset>
        <input aria-label="S3-Endpunkt" name="x1">
        <input placeholder="Bucket-Name" name="x2">
        <input aria-label="Zugriffsschlüssel-ID" name="x3">
        <input type="password" name="x4">
        <div><span role="button" tabindex="0">Verbinden</span></div>
      </div>`;
  });

  it('reads the checked radio and an unnamed password input as the secret', () => {
    setInputs({ x1: 'https://acc.r2.cloudflarestorage.com', x2: 'archiv', x3: 'CGTESTDE', x4: 'cgtest-secret-de' });
    const forms = findConnectForms(document);
    expect(forms).toHaveLength(1);
    expect(readConnectForm(forms[0]!)).toEqual({
      provider: 'Cloudflare R2', endpoint: 'https://acc.r2.cloudflarestorage.com', region: '', bucket: 'archiv', accessKey: 'CGTESTDE', secretKey: 'cgtest-secret-de',
    });
  });
});

describe('not a connect form', () => {
  it('ignores a Connect button without a secret field nearby', () => {
    document.body.innerHTML = '<div><input name="q" placeholder="Search"><button>Connect</button></div>';
    expect(findConnectForms(document)).toEqual([]);
  });
});
