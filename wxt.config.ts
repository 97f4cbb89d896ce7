import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { DEV_EXTENSION_KEY, FIREFOX_EXTENSION_ID, FIREFOX_MIN_VERSION } from './shared/extension-identity.ts';

/**
 * `wxt build` is the release build: WeSendit's origins only, no fixed key (a store build gets
 * its id from the store). `wxt build --mode loopback` (.output/chrome-mv3-loopback) is the build the
 * tests, the demo and the benchmarks load: it adds loopback origins, where the fake WeSendit UI
 * runs, and the development key, whose fixed id the native host's manifest names before the
 * browser starts. Nothing loopback may reach a build a user installs.
 */
export const LOOPBACK_MODE = 'loopback';
const WESENDIT_MATCHES = ['https://*.wesendit.com/*'];
/** Match patterns ignore ports: any loopback port is covered. */
const LOOPBACK_MATCHES = ['http://127.0.0.1/*', 'http://localhost/*'];

// See https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: 'extension',
  // Dependencies stay visible in each file.
  imports: false,
  // `wxt/browser` is Mozilla's webextension-polyfill: promise-based APIs in every context.
  modules: ['@wxt-dev/webextension-polyfill'],
  outDir: '.output',
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ mode, browser }) => {
    const loopback = mode === LOOPBACK_MODE;
    const firefox = browser === 'firefox';
    const gateMatches = [...WESENDIT_MATCHES, ...(loopback ? LOOPBACK_MATCHES : [])];
    return {
      name: 'Connect Guard',
      description: 'Keeps WeSendit’s one-time S3 Secret Key in an encrypted vault and guards the connect step.',
      // Chromium derives the id from the key; Firefox takes it from here, in every build, because
      // the companion's host manifest names it (allowed_extensions). Firefox refuses to install
      // the add-on on a version older than strict_min_version and says which one it needs. It
      // collects and sends nothing anywhere: https://extensionworkshop.com/documentation/develop/firefox-builtin-data-consent/
      ...(firefox
        ? { browser_specific_settings: { gecko: { id: FIREFOX_EXTENSION_ID, strict_min_version: FIREFOX_MIN_VERSION, data_collection_permissions: { required: ['none'] } } } }
        : loopback
          ? { key: DEV_EXTENSION_KEY }
          : {}),
      // Firefox has no offscreen documents: its background is an event page with a DOM of its own.
      permissions: ['storage', 'unlimitedStorage', 'idle', 'alarms', ...(firefox ? [] : ['offscreen']), 'clipboardWrite', 'clipboardRead', 'nativeMessaging', 'scripting'],
      host_permissions: gateMatches,
      optional_host_permissions: ['https://*/*', 'http://*/*'],
      // The gate prompt, the preview and the hold frame are framed in the Connect Guard dock on
      // WeSendit's pages, and nowhere else. A dynamic URL (new each browser session) keeps other
      // sites from probing a fixed id to learn that Connect Guard is installed. Firefox has no
      // dynamic URLs, and needs none: its moz-extension:// origin is a random UUID per install.
      web_accessible_resources: [{ resources: ['gate.html', 'preview.html', 'hold.html', 'review.html'], matches: gateMatches, ...(firefox ? {} : { use_dynamic_url: true }) }],
      // hash-wasm compiles its Argon2id WebAssembly module at run time.
      content_security_policy: {
        extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
      },
    };
  },
  hooks: {
    'build:manifestGenerated': (wxt, manifest) => {
      if (wxt.config.mode !== LOOPBACK_MODE) return;
      for (const script of manifest.content_scripts ?? []) script.matches = [...(script.matches ?? []), ...LOOPBACK_MATCHES];
    },
  },
});
