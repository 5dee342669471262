import js from '@eslint/js';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import tseslint from 'typescript-eslint';

/**
 * The house plan, by the thread that runs each room (docs/architecture.md, "Rooms and threads"). Each room may
 * import itself and the rooms listed here, nothing else; `testing` holds reference implementations that only tests
 * import.
 */
const ROOMS = {
  shared: [],
  model: ['shared'],
  explain: ['model', 'shared'],
  worker: ['explain', 'model', 'shared'],
  client: ['shared'],
  store: ['client', 'shared'],
  ui: ['store', 'shared'],
  serviceWorker: ['shared'],
  testing: ['client', 'model', 'shared'],
};

/**
 * The bench room (bench/, built apart by vite.bench.config.ts): developer tools that time the app's own code, so
 * they may import any room of the app but the test-only one; no room of the app may import them.
 */
const BENCH_MAY_IMPORT = Object.keys(ROOMS).filter((room) => room !== 'testing');

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-e2e',
      'dist-bench',
      'node_modules',
      'test-results',
      'playwright-report',
      'reports',
      'test-fixtures',
    ],
  },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      ecmaVersion: 2022,
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // React's rules where React may be imported (the rooms below forbid it elsewhere): the hooks plugin runs React's
  // compiler over every function it sees, more than half of all lint time when it also read the worker's rooms.
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/store/**/*.{ts,tsx}', 'bench/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks, 'react-refresh': reactRefresh },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-refresh/only-export-components': ['warn', { allowConstantExport: true }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}', 'bench/**/*.{ts,tsx}'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { alwaysTryTypes: true } },
      'boundaries/elements': [
        ...Object.keys(ROOMS).map((room) => ({ type: room, pattern: `src/${room}` })),
        { type: 'bench', pattern: 'bench' },
      ],
      'boundaries/files': [{ category: 'test', pattern: '**/*.test.{ts,tsx}' }],
    },
    rules: {
      // Type imports count too: a type import today is a value import after the next careless edit.
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...Object.entries({ ...ROOMS, bench: BENCH_MAY_IMPORT }).map(([room, allowed]) => ({
              from: { element: { type: room } },
              allow: { to: { element: { types: { anyOf: [room, ...allowed] } } } },
            })),
            {
              from: { file: { categories: 'test' } },
              allow: { to: { element: { type: 'testing' } } },
            },
          ],
        },
      ],
      'boundaries/no-unknown-files': 'error',
    },
  },
  // A component is one idea: a UI function this long has become several, and is split (ExplainPanel was 300 lines
  // that also painted the PNG export).
  {
    files: ['src/ui/**/*.tsx'],
    rules: {
      'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true }],
    },
  },
  // What each room may not use from outside: TF.js only where tensors live, React and zustand only on the page.
  ...Object.entries({
    shared: [
      '@tensorflow/*',
      '@tensorflow-models/*/dist/index*',
      'react',
      'react-dom',
      'react-dom/*',
      'zustand',
      'zustand/*',
    ],
    model: ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*'],
    explain: ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*'],
    worker: ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*'],
    client: ['@tensorflow/*', 'react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*'],
    store: ['@tensorflow/*', 'react-dom', 'react-dom/*'],
    ui: ['@tensorflow/*'],
    serviceWorker: ['@tensorflow/*', 'react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*'],
  }).map(([room, patterns]) => ({
    files: [`src/${room}/**/*.{ts,tsx}`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
);
