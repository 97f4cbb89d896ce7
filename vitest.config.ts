import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

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
          globalSetup: ['test/support/e2e-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
