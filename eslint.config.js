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
);
