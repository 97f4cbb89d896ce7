/**
 * Gate latency for bench:vault: a page on 127.0.0.1 inserts a WeSendit-like credentials dialog
 * 100 times; in the page, performance.now() at insertion and a MutationObserver on
 * `data-connect-guard` give the time until the gate marks the dialog's controls `gated`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';

export type GateLatency =
  | { readonly kind: 'measured'; readonly samples: number; readonly p50: number; readonly p95: number }
  | { readonly kind: 'skipped'; readonly reason: string };

const INSERTIONS = 100;

// A dialog with the seed's seven labelled fields (read-only inputs, copy icons); clearly fake values, a fresh key per insertion.
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API Keys and Connection</title></head>
<body><h1>API Keys and Connection</h1><button id="create">Create storage</button>
<script>
window.insertCredentialsDialog = function (n) {
  const dialog = document.createElement('div');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-label', 'S3 credentials');
  const rows = [
    ['Storage name', 'bench storage ' + n], ['Permissions', 'Read & Write'], ['Allowed IP addresses', 'All'],
    ['S3 Server Address', 'https://s3.wesendit.example'], ['S3 API Bucket Name', 'usr-48291-itm-' + String(n).padStart(5, '0') + '-bench'],
    ['Access Key', 'FAKEBENCHACCESS' + n], ['Secret Key', 'fake-bench-secret-' + n + '-' + Math.random().toString(36).slice(2)],
  ];
  dialog.innerHTML = '<h2>Your S3 credentials</h2>' + rows.map(function (r, i) {
    return '<div><label for="f' + i + '">' + r[0] + '</label><input id="f' + i + '" readonly value="' + r[1] + '"><button type="button" aria-label="Copy">⧉</button></div>';
  }).join('') + '<label><input type="checkbox" id="stored"> I have stored the keys</label><button id="continue" disabled>Continue</button>';
  const start = performance.now();
  return new Promise(function (resolve) {
    const done = function () {
      if (!dialog.querySelector('[data-connect-guard="gated"]')) return false;
      observer.disconnect(); clearTimeout(timer); resolve(performance.now() - start); return true;
    };
    const observer = new MutationObserver(done);
    observer.observe(dialog, { subtree: true, attributes: true, attributeFilter: ['data-connect-guard'] });
    const timer = setTimeout(function () { observer.disconnect(); resolve(-1); }, 5000);
    document.body.append(dialog);
    done();
  }).then(function (ms) { dialog.remove(); return ms; });
};
</script></body></html>`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function measureGateLatency(browser: Browser): Promise<GateLatency> {
  const server: Server = createServer((_request, response) => {
    // The page shows (fake) secrets; a real credentials page is not cached either.
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('The bench page server has no TCP port.');
  const { port } = address;
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/storages`);
    const samples: number[] = [];
    for (let i = 0; i < INSERTIONS; i++) {
      const ms = await page.evaluate((n) => {
        const insert: unknown = Reflect.get(window, 'insertCredentialsDialog');
        return typeof insert === 'function' ? Promise.resolve(insert(n)) : Promise.resolve(-1);
      }, i);
      if (typeof ms !== 'number' || ms < 0) {
        return { kind: 'skipped', reason: `dialog ${i + 1} was not gated within 5 s (is the gate content script in the build?)` };
      }
      samples.push(ms);
    }
    await page.close();
    const sorted = [...samples].sort((a, b) => a - b);
    return { kind: 'measured', samples: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
