// ESLint flat config (issue 17 item 7): typescript-eslint's recommended rules over core/, adapters/, workers/,
// test/, bench/, bin/ and scripts/, and the architecture's import boundary as rules, so a wrong import fails the
// build where it is written. test/core/purity.test.ts checks the same boundary by parsing the source; this is a
// little stricter (a specifier may not leave core/ even to come back, and core/ loads nothing with require).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** What core/ must not reach for (STYLE.md §6: time and randomness are inputs), as test/core/purity-violations.ts lists it. */
const impureProperties = [
  ['Date', 'now', 'time is an input to core: take `now` from the caller (a Clock port)'],
  ['Math', 'random', 'randomness is an input to core: take it from a port'],
  ['crypto', 'randomUUID', 'ids are inputs to core: take them from a port'],
  ['crypto', 'getRandomValues', 'randomness is an input to core: take it from a port'],
  ['performance', 'now', 'time is an input to core: take `now` from the caller (a Clock port)'],
  ['globalThis', 'crypto', 'randomness is an input to core: take it from a port'],
  ['globalThis', 'process', 'core does not read the process: adapters pass configuration in'],
].map(([object, property, message]) => ({ object, property, message }));

const outsideCore = 'core/ imports only core/ (STYLE.md §1): no node:*, no package, nothing from adapters/, workers/, test/ or bench/';

/**
 * The import boundary for a core file `depth` folders below core/. The patterns are matched against the
 * specifier as written, so "stays inside core/" is: relative, and not more `../` than the file is deep.
 */
const coreBoundary = (depth) => {
  const escapes = `^(\\./)?(\\.\\./){${depth + 1}}`;
  const notRelative = '^(?!\\.\\.?/)';
  const spec = (regex) => `/${regex.replaceAll('/', '\\x2F')}/`; // esquery's regex ends at the first /
  const loads = (node) => [
    { selector: `${node}[source.value=${spec(notRelative)}]`, message: outsideCore },
    { selector: `${node}[source.value=${spec(escapes)}]`, message: outsideCore },
  ];
  return {
    files: [`core/${'*/'.repeat(depth)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: notRelative, message: outsideCore },
            { regex: escapes, message: outsideCore },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...loads('ImportExpression'),
        { selector: 'ImportExpression[source.type!="Literal"]', message: `${outsideCore} (and no computed specifier)` },
        ...loads('TSImportType'),
        { selector: 'CallExpression[callee.name="require"]', message: `${outsideCore} (core is ESM: no require)` },
        { selector: 'TSExternalModuleReference', message: `${outsideCore} (core is ESM: no import = require)` },
        { selector: 'NewExpression[callee.name="Date"]', message: 'time is an input to core: take `now` (epoch ms) from the caller' },
        { selector: 'CallExpression[callee.name="Date"]', message: 'time is an input to core: take `now` (epoch ms) from the caller' },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'core does not read the process: adapters pass configuration in' }],
      'no-restricted-properties': ['error', ...impureProperties],
    },
  };
};

export default defineConfig(
  { ignores: ['dist/', 'data/', 'bench/results/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused names are tsc's job (noUnusedLocals, noUnusedParameters): it already fails the build on them, and
      // this rule would only add `{ exp: _exp, ...rest }` omissions, which are how the tests drop a field.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    // Three type-aware rules, for promises tsc lets through (an append or a reply nobody awaits). The whole
    // recommendedTypeChecked set is not on: its no-unsafe-* rules fight the tests' reading of untyped JSON replies,
    // and no-unnecessary-type-assertion wants the `!` after every index dropped. Type information costs ~10 s.
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests and the benchmark read the server's JSON replies, untyped on purpose: `any` is how they probe a shape.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // The security tests match control characters on purpose (what a header or a recorded user agent must not hold).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: {
      // The launchers are CommonJS on purpose: they set UV_THREADPOOL_SIZE before anything starts libuv (bin/latchkey.cjs).
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  // Not in tsconfig.json (plain JavaScript): no type information for them.
  { ...tseslint.configs.disableTypeChecked, files: ['**/*.js', '**/*.cjs'] },
  // Depth 0 is core/*.ts; deeper folders get their own entry (today core/ is at most one folder deep).
  ...[0, 1, 2, 3].map(coreBoundary),
  {
    files: ['core/*/*/*/*/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', { selector: 'Program', message: 'core/ this deep has no import boundary yet: add a depth to coreBoundary in eslint.config.js' }] },
  },
  {
    files: ['workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)adapters(/|$)', message: 'workers/ must not import adapters/: a worker gets what it needs from core/ or node' }] },
      ],
    },
  },
);
