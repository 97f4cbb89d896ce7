import { configDefaults, defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

/** The e2e files that take their browser from test/support/extension-browser.ts, so they run in Firefox too. */
const FIREFOX_E2E_FILES = ['test/e2e/gate-flow.test.ts', 'test/e2e/gate-activation.test.ts', 'test/e2e/connect-hold-flow.test.ts', 'test/e2e/companion-each-browser.test.ts', 'test/e2e/release-companion.test.ts', 'test/e2e/page-cannot-drive-companion.test.ts', 'test/e2e/vault-across-browsers.test.ts', 'test/e2e/clipboard-each-browser.test.ts'];
/** Files that start both browsers themselves run once, in e2e-firefox. */
const BOTH_BROWSERS_FILES = ['test/e2e/vault-across-browsers.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        // WxtVitest aliases `wxt/browser` to wxt/testing's fakeBrowser for extension unit tests.
        plugins: [preact(), WxtVitest()],
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'companion/**/*.test.ts', 'extension/**/*.test.{ts,tsx}', 'test/architecture/**/*.test.ts', 'test/handoff/**/*.test.ts'],
          environment: 'node',
          // Tests assert no timings; a slow machine (2 cores, other work) must not fail the parsers' larger cases.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 's3',
          include: ['test/s3/**/*.test.ts'],
          globalSetup: ['test/support/s3-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...BOTH_BROWSERS_FILES],
          globalSetup: ['test/support/e2e-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // The main flows again, in Firefox ESR with the Firefox build (test/support/extension-browser.ts).
        test: {
          name: 'e2e-firefox',
          include: FIREFOX_E2E_FILES,
          env: { CONNECT_GUARD_E2E_BROWSER: 'firefox' },
          globalSetup: ['test/support/e2e-firefox-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
