// Lint rules: typescript-eslint's recommended set, Next.js's and React hooks' rules, and the layering
// the architecture depends on (docs/ARCHITECTURE.md): the export engine uses web APIs only, route
// handlers and pages reach the database through lib/ only.
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const NODE_MODULES = [
  'fs',
  'path',
  'os',
  'net',
  'dns',
  'http',
  'https',
  'crypto',
  'child_process',
  'worker_threads',
  'zlib',
  'stream',
  'undici',
  'nodemailer',
  'libsql',
];
const EDGE_ONLY_MESSAGE = 'lib/export, lib/jobs, lib/s3, lib/net and lib/util run on edge runtimes: web APIs only (Node-only code lives in lib/server).';

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**', '.data/**', 'next-env.d.ts', 'drizzle/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { '@next/next': nextPlugin },
    rules: { ...nextPlugin.configs.recommended.rules, ...nextPlugin.configs['core-web-vitals'].rules },
  },
  {
    files: ['app/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // the SDK-facing tests drive untyped globals of the browser SDKs
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // the engine runs on edge runtimes: web APIs only
    files: ['lib/export/**/*.ts', 'lib/jobs/**/*.ts', 'lib/s3/**/*.ts', 'lib/net/**/*.ts', 'lib/util/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_MODULES.map((name) => ({ name, message: EDGE_ONLY_MESSAGE })),
          patterns: [{ group: ['node:*', '@node-rs/*'], message: EDGE_ONLY_MESSAGE }],
        },
      ],
    },
  },
  {
    // pages and route handlers parse, call lib/, and answer: no SQL, no environment of their own
    files: ['app/**/*.ts', 'app/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['drizzle-orm', 'drizzle-orm/*', '@/lib/db/schema', '@libsql/*'], message: 'app/ reaches the database through lib/ functions.' }],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Configuration is read in lib/server/config.ts.' }],
    },
  },
);
