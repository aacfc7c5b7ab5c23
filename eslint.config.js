import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'coverage/', '.fabric-sync/', 'push-definitions/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The core is UI-free: it returns data and warnings, commands render them (STYLE.md rule 4).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [
        { name: 'chalk', message: 'src/core must stay UI-free: render in src/commands.' },
        { name: 'ora', message: 'src/core must stay UI-free: render in src/commands.' },
        { name: 'commander', message: 'src/core must not depend on the CLI framework.' },
      ] }],
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'Only src/cli.ts exits.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/config/**', 'src/cli.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'process', property: 'env', message: 'Only src/core/config reads the environment.' },
        { object: 'process', property: 'exit', message: 'Only src/cli.ts exits.' }],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
