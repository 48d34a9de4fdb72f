// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox and is replayed from history: anything
// that touches the outside world belongs in an activity. See
// https://docs.temporal.io/develop/typescript/core-application#workflow-logic-requirements
const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`]);
const workflowForbiddenImports = {
  paths: [
    ...nodeBuiltins.map((name) => ({ name, message: 'Workflows may not use Node built-ins.' })),
    ...['postgres', 'kysely', 'kysely-postgres-js', 'fastify', 'execa', 'pino', 'prom-client'].map(
      (name) => ({ name, message: 'Workflows must stay deterministic: do I/O in an activity.' }),
    ),
    { name: '@temporalio/client', message: 'Workflows use @temporalio/workflow, not the client.' },
    { name: '@temporalio/worker', message: 'Workflows use @temporalio/workflow, not the worker.' },
  ],
  patterns: [
    {
      group: [
        'node:*',
        '../activities/*',
        '../activities',
        '../core/db/*',
        '../api/*',
        '../stack/*',
      ],
      message: 'Workflows import only workflow-safe modules (types from activities are allowed).',
      allowTypeImports: true,
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'web/dist/', '.tools/', '**/*.vue'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowForbiddenImports],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows may not read the process environment.' },
        { name: 'require', message: 'Workflows import modules statically.' },
        { name: 'fetch', message: 'Workflows may not do network I/O: use an activity.' },
      ],
    },
  },
  {
    // vitest's asymmetric matchers (`expect.any(...)`) are typed `any` by design.
    files: ['tests/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
