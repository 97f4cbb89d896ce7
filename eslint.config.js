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

/**
 * Companion rooms (companion/src). Two front doors, the CLI (cli.ts, cli/) and the native-messaging
 * host (host.ts, host/), are not libraries: nothing else imports from them (a front door may use
 * the other's parts: the CLI installs and starts the host). s3/ is the only room that touches the
 * AWS SDK (@aws-sdk/*, @smithy/*), even for types: s3/s3-client.ts names the S3Client type for the
 * others. backup/, inventory/, credentials/ and any new room import neither.
 *
 * A rule's options are not merged across config objects (the last matching one wins), so the
 * companion's files fall into four disjoint groups below, each with the full list it must obey.
 */
const COMPANION_SRC = 'companion/src';
const COMPANION_FRONT_DOORS = [
  `${COMPANION_SRC}/cli.ts`,
  `${COMPANION_SRC}/host.ts`,
  `${COMPANION_SRC}/cli/**/*.ts`,
  `${COMPANION_SRC}/host/**/*.ts`,
  // Exempt as part of their front door: host.test.ts drives host.ts and host/ from beside them.
  `${COMPANION_SRC}/cli.test.ts`,
  `${COMPANION_SRC}/host.test.ts`,
];

/** `regex` is matched against the import's text as written (case-sensitive here). */
const COMPANION_SDK = {
  regex: '^@(?:aws-sdk|smithy)/',
  caseSensitive: true,
  message: 'Only companion/src/s3/ touches the AWS SDK, even for types: call an s3/ function, or take the S3Client type from s3/s3-client.ts.',
};

/**
 * A relative import of a front door: cli.ts, host.ts, or a file in cli/ or host/. Written from a
 * file directly in companion/src it starts with `./`; from a room, with one `../` per level below
 * companion/src. Any number of `../` is matched, so a cli/ or host/ folder at another level would
 * be refused too: the companion has none, and should not (the names are the front doors').
 */
const companionFrontDoorImport = (fromRoomFolder) => ({
  regex: `^${fromRoomFolder ? '(?:\\.\\./)+' : '\\./'}(?:cli|host)(?:\\.ts)?(?:/|$)`,
  caseSensitive: true,
  message: 'cli.ts, host.ts, cli/ and host/ are front doors, not libraries: move what is shared into s3/, backup/, inventory/ or credentials/.',
});

/**
 * `no-restricted-imports` sees `import`/`export … from`; `no-restricted-syntax` catches the same
 * modules in `import()` and in `import('…')` types, which the former does not see. (esquery regexes
 * cannot hold a `/`: it is written `\x2F`.)
 */
const companionRules = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
  'no-restricted-syntax': [
    'error',
    ...patterns.flatMap(({ regex, message }) => {
      const source = `/${regex.replaceAll('/', '\\x2F')}/`;
      return [
        { selector: `ImportExpression[source.value=${source}]`, message },
        { selector: `TSImportType[source.value=${source}]`, message },
      ];
    }),
  ],
});

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
  // Companion rooms (see COMPANION_SRC above): every file under companion/src is in one group.
  {
    // The front doors: no SDK.
    files: COMPANION_FRONT_DOORS,
    rules: companionRules(COMPANION_SDK),
  },
  {
    // s3/: the SDK, but no front door.
    files: [`${COMPANION_SRC}/s3/**/*.ts`],
    rules: companionRules(companionFrontDoorImport(true)),
  },
  {
    // Other files directly in companion/src: neither.
    files: [`${COMPANION_SRC}/*.ts`],
    ignores: COMPANION_FRONT_DOORS,
    rules: companionRules(COMPANION_SDK, companionFrontDoorImport(false)),
  },
  {
    // backup/, inventory/, credentials/ and any new room: neither. Their tests too: none needs more.
    files: [`${COMPANION_SRC}/*/**/*.ts`],
    ignores: [...COMPANION_FRONT_DOORS, `${COMPANION_SRC}/s3/**`],
    rules: companionRules(COMPANION_SDK, companionFrontDoorImport(true)),
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...['chrome', 'browser', 'document', 'window', 'navigator', 'DOMParser', 'HTMLElement', 'localStorage', 'sessionStorage', 'indexedDB', 'MutationObserver', 'process', 'Buffer'].map((name) => ({ name, message: 'shared/ is pure TypeScript: no browser, DOM or Node globals.' }))],
    },
  },
);
