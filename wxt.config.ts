import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { DEV_EXTENSION_KEY } from './shared/extension-identity.ts';

// See https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: 'extension',
  // Dependencies stay visible in each file.
  imports: false,
  // `wxt/browser` is Mozilla's webextension-polyfill: promise-based APIs in every context.
  modules: ['@wxt-dev/webextension-polyfill'],
  outDir: '.output',
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: 'Connect Guard',
    description:
      'Keeps WeSendit’s one-time S3 Secret Key in an encrypted vault and guards the connect step.',
    key: DEV_EXTENSION_KEY,
    permissions: ['storage', 'unlimitedStorage', 'idle', 'alarms', 'offscreen', 'clipboardWrite', 'clipboardRead', 'nativeMessaging', 'scripting'],
    host_permissions: ['https://*.wesendit.com/*', 'http://127.0.0.1/*', 'http://localhost/*'],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    // The gate prompt is framed beside WeSendit's dialog, the preview beside its connect form; each
    // shows nothing without a live capture or form id held by the background.
    web_accessible_resources: [{ resources: ['gate.html', 'preview.html', 'hold.html'], matches: ['<all_urls>'] }],
    // hash-wasm compiles its Argon2id WebAssembly module at run time.
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
  },
});
