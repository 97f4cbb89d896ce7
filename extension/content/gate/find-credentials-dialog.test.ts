// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { scanDialogs } from './find-credentials-dialog.ts';

const ISSUED = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '192.0.2.10',
  serverAddress: 'http://127.0.0.1:7480',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'CGTESTISSUEDACCESS01',
  secretKey: 'cgtest-secret-IssuedByWeSenditOnce000001',
};

/** WeSendit's connect form, still filled in, with the credentials dialog the successful connect opened below it. */
function connectPageWithDialog(): string {
  const rows = [
    ['Storage name', ISSUED.storageName],
    ['Permissions', ISSUED.permissions],
    ['Allowed IP addresses', ISSUED.allowedIps],
    ['S3 Server Address', ISSUED.serverAddress],
    ['S3 API Bucket Name', ISSUED.bucketName],
    ['Access Key', ISSUED.accessKey],
    ['Secret Key', ISSUED.secretKey],
  ];
  return `
    <main>
      <form id="connect-form">
        <label for="b">Bucket name</label><input id="b" name="bucket">
        <label for="a">Access key ID</label><input id="a" name="accessKey">
        <label for="s">Secret access key</label><input id="s" name="secretKey" type="password">
        <button type="submit" id="connect">Connect</button>
      </form>
      <div id="app"><div class="ov"><div class="md" role="dialog" aria-modal="true"><form class="mb">
        <h2>Your S3 credentials</h2>
        ${rows.map(([label, value]) => `<div class="r"><span class="k">${label}</span> <code>${value}</code></div>`).join('')}
        <label class="ack"><input type="checkbox"> I have stored the keys</label>
        <button type="submit" class="btn-primary">Continue</button>
      </form></div></div></div>
    </main>`;
}

function typeInto(name: string, value: string): void {
  const input = document.querySelector(`#connect-form [name="${name}"]`);
  if (input instanceof HTMLInputElement) input.value = value;
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('scanDialogs beside a filled-in connect form', () => {
  it.each([
    { name: 'keys that look like keys', access: 'CGTESTBUCKETACCESS01', secret: 'cgtest-secret-TypedForTheBucket0000001' },
    { name: 'a short access key', access: 'CGTESTX', secret: 'cgtest-secret-x' },
  ])('reads the dialog’s issued credentials, not the form’s typed ones ($name)', ({ access, secret }) => {
    document.body.innerHTML = connectPageWithDialog();
    typeInto('bucket', 'nas-bucket');
    typeInto('accessKey', access);
    typeInto('secretKey', secret);
    const { dialogs, unreadable } = scanDialogs(document.body);
    expect(unreadable).toEqual([]);
    expect(dialogs.map((dialog) => dialog.credentials)).toEqual([ISSUED]);
    const [dialog] = dialogs;
    expect(dialog?.container.classList.contains('mb')).toBe(true);
    expect(dialog?.continueButton?.textContent).toBe('Continue');
    expect(dialog?.container.contains(document.getElementById('connect'))).toBe(false);
  });
});
