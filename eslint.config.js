// @ts-check
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

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
    settings: { 'import-x/ignore': ['node_modules'] },
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
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
