// Lint rules: typescript-eslint's recommended set, Next.js's and React hooks' rules, and the layering
// the architecture depends on (docs/ARCHITECTURE.md): each lib/ folder imports only the folders below
// it, the edge folders use web APIs only, route handlers and pages reach the database through lib/ only.
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

// Each lib/ folder and the folders it may import (docs/ARCHITECTURE.md, bottom to top), and whether it
// runs on edge runtimes (web APIs only). A folder is named in import paths by its last segment.
const LAYERS = {
  util: { edge: true, may: [] },
  net: { edge: true, may: ['util'] },
  db: { may: ['util'] },
  s3: { edge: true, may: ['util'] },
  'export/files': { edge: true, may: ['util', 'db'] },
  'export/seal': { edge: true, may: ['util', 'db', 's3', 'export/files'] },
  jobs: { edge: true, may: ['util', 'net', 'db', 's3', 'export/files', 'export/seal'] },
  ingest: { may: ['util', 'net', 'db'] },
  projects: { may: ['util', 'db', 'export/files', 'ingest'] },
  auth: { may: ['util', 'db', 'projects'] },
  pull: { edge: true, may: ['util', 'db', 'export/files', 'export/seal', 'projects', 'auth'] },
  notify: { may: ['util', 'net', 'db'] },
  destinations: { may: ['util', 'net', 'db', 's3', 'export/files', 'jobs'] },
  server: { may: ['util', 'net', 'db', 's3', 'export/files', 'export/seal', 'jobs', 'ingest', 'projects', 'auth', 'notify', 'destinations', 'pull'] },
};

/** One no-restricted-imports rule per folder: the folders it may not import, and Node modules on the edge. */
function layerRules() {
  return Object.entries(LAYERS).flatMap(([folder, { edge, may }]) => {
    const forbidden = Object.keys(LAYERS).filter((f) => f !== folder && !may.includes(f));
    if (forbidden.length === 0 && !edge) return [];
    const message = `lib/${folder} may import only ${may.length ? may.map((f) => `lib/${f}`).join(', ') : 'no other lib/ folder'} (docs/ARCHITECTURE.md).`;
    const patterns = forbidden.length ? [{ group: forbidden.map((f) => `**/${f.split('/').pop()}/*`), message }] : [];
    if (edge) patterns.push({ group: ['node:*', '@node-rs/*'], message: EDGE_ONLY_MESSAGE });
    return {
      files: [`lib/${folder}/**/*.ts`],
      ignores: ['**/*.test.ts'],
      rules: {
        'no-restricted-imports': ['error', { paths: edge ? NODE_MODULES.map((name) => ({ name, message: EDGE_ONLY_MESSAGE })) : [], patterns }],
      },
    };
  });
}

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
  ...layerRules(),
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
  {
    // the environment is read in one place; everything else is given its settings
    files: ['lib/**/*.ts'],
    ignores: ['**/*.test.ts', 'lib/server/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Configuration is read in lib/server/config.ts.' }],
    },
  },
);
