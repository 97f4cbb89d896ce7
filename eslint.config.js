import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const pureCore = {
  patterns: [
    { group: ['node:*'], message: 'shared/ is pure TypeScript: no Node modules.' },
    { group: ['@aws-sdk/*'], message: 'shared/ is pure TypeScript: no SDK.' },
    { group: ['wxt', 'wxt/*', 'webextension-polyfill', 'idb', 'preact', 'preact/*'], message: 'shared/ imports no browser API.' },
  ],
  paths: ['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream'],
};

/** Import patterns of one extension room, for `no-restricted-imports` (relative paths included). */
const room = (name) => [`**/${name}/**`, `../${name}/**`, `./${name}/**`];

/** Rooms by where code runs: test/architecture/rooms.test.ts checks the same rules on every file. */
const rooms = [
  { folder: 'content', forbidden: ['background', 'ui', 'entrypoints'], why: 'content/ runs in WeSendit\'s page: it reaches the background only by messages.' },
  { folder: 'background', forbidden: ['ui', 'content', 'entrypoints'], why: 'background/ runs in the service worker: no page or UI code.' },
  { folder: 'ui', forbidden: ['background', 'content', 'entrypoints'], why: 'ui/ runs in extension pages: it reaches the background only by messages.' },
  { folder: 'adapters', forbidden: ['ui', 'content', 'entrypoints'], why: 'adapters/ wrap browser APIs for the other rooms.' },
];

const BROWSER_API_MODULES = ['wxt/browser', 'webextension-polyfill', '@wxt-dev/webextension-polyfill'];

export default tseslint.config(
  { ignores: ['.output/**', '.wxt/**', 'node_modules/**', 'test-results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.webextensions } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', pureCore] },
  },
  ...rooms.map(({ folder, forbidden, why }) => ({
    files: [`extension/${folder}/**/*.{ts,tsx}`],
    ignores: ['extension/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: forbidden.flatMap(room), message: why },
          ...(folder === 'adapters' ? [] : [{ group: BROWSER_API_MODULES, message: 'Only adapters/ and entrypoints/ touch browser APIs: add or use an adapter.' }]),
        ],
      }],
      ...(folder === 'adapters' ? {} : { 'no-restricted-globals': ['error', { name: 'chrome', message: 'Only adapters/ and entrypoints/ touch browser APIs.' }, { name: 'browser', message: 'Only adapters/ and entrypoints/ touch browser APIs.' }] }),
    },
  })),
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...['chrome', 'browser', 'document', 'window', 'navigator', 'DOMParser', 'HTMLElement', 'localStorage', 'sessionStorage', 'indexedDB', 'MutationObserver', 'process', 'Buffer'].map((name) => ({ name, message: 'shared/ is pure TypeScript: no browser, DOM or Node globals.' }))],
    },
  },
);
