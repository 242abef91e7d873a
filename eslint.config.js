// @ts-check
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Modules that do I/O or need Node: never in Temporal's deterministic workflow sandbox (STYLE rule 1). */
const forbiddenInWorkflows = [
  'node:*',
  'fs',
  'path',
  'os',
  'net',
  'http',
  'https',
  'child_process',
  'crypto',
  'pg',
  '@electric-sql/*',
  'onnxruntime-node',
  '@pinecone-database/*',
  '@langchain/*',
  'langchain',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.arbiter/**', '.tools/**', 'coverage/**', 'demo/data/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/ignore': ['node_modules'],
      // Our imports name no extension: without a resolver that tries .ts, no-cycle and the zones see nothing.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Use explicit named exports.' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: forbiddenInWorkflows, message: 'workflows/ and core/ run in the Temporal sandbox: no I/O.' },
            {
              group: ['**/activities/*', '**/models/*', '**/stores/*', '**/workers/*', '**/client/*'],
              allowTypeImports: true,
              message: 'Data flows one way: import activities as types only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The arrows of ../shared/STYLE.md's layout: data flows one way, and each room imports only below it.
    files: ['**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './client',
              from: ['./stores', './workers', './models', './admin', './activities', './api', './cli', './ingest'],
              message: 'client/ is the Temporal-only library: core/, config/ and the Temporal client.',
            },
            {
              target: ['./cli', './api', './ingest'],
              from: './stores',
              message: 'cli/, api/ and ingest/ reach the database through admin/, never stores/ directly.',
            },
            {
              target: './ingest',
              from: ['./admin', './workers', './models', './activities'],
              message: 'ingest/ is a way in: client/ and core/ only.',
            },
            {
              target: './metrics',
              from: ['./activities', './models', './stores', './admin', './config', './workers', './client', './api', './cli', './ingest', './workflows'],
              message: 'metrics/ (the Prometheus registry and /metrics server) is used by every process: core/ only.',
            },
            {
              target: './core',
              from: ['./activities', './models', './stores', './admin', './config', './workers', './client', './api', './cli', './ingest', './workflows'],
              message: 'core/ is pure domain: it imports nothing of ours but core/.',
            },
            {
              target: './workflows',
              from: ['./models', './stores', './admin', './config', './workers', './client', './api', './cli', './ingest'],
              message: 'workflows/ run in the Temporal sandbox: core/ (and activities/ as types only).',
            },
            {
              target: './codec',
              from: ['./activities', './models', './stores', './admin', './config', './workers', './client', './api', './cli', './ingest', './workflows'],
              message: 'codec/ runs in every client and worker: it imports nothing of ours but core/.',
            },
            {
              target: ['./stores', './models', './activities', './config'],
              from: ['./admin', './workers', './client', './api', './cli', './ingest'],
              message: 'Data flows one way: nothing below reaches up into a way in or a process entry point.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
