import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('node:') && !m.startsWith('_'));

/** The layer rules of ARCHITECTURE.md, machine-checked. Exported so a test can prove they bite. */
export const layerRules = [
  {
    files: ['src/main/core/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'core is plain Node: adapt Electron in src/main/shell instead.' },
          ],
          patterns: [
            {
              group: ['**/shell/**', '**/renderer/**', '**/preload/**'],
              message: 'core may not depend on outer layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins
            .map((name) => ({
              name,
              message: 'the renderer is sandboxed: no Node built-ins; ask main through the contract.',
            }))
            .concat([
              { name: 'electron', message: 'the renderer only knows window.clinical (the contract).' },
            ]),
          patterns: [
            { group: ['node:*'], message: 'the renderer is sandboxed: no Node built-ins.' },
            {
              group: ['**/main/**', '**/preload/**'],
              message: 'the renderer only knows the contract in src/shared.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'require', 'process', 'Buffer', '__dirname', '__filename'],
    },
  },
  {
    files: ['src/shared/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'shared code runs in every process.' }],
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'shared code depends on nothing else.',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      '.stack-data/**',
      'tests/stack/hub/bin/**',
      'tests/stack/hub/obj/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  { ...reactHooks.configs.flat.recommended, files: ['src/renderer/**/*.{ts,tsx}'] },
  {
    files: ['tests/**/*.ts', 'build/**', 'tools/**', '*.config.*'],
    rules: { 'no-console': 'off' },
  },
  ...layerRules,
);
