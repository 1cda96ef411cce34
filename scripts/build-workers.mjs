// Bundles ingestion's threads (lib/server/ingest-worker.ts parses, ingest-writer.ts writes) for the
// production server: Next.js bundles route handlers but not worker_threads entries. Runs after
// `next build` (npm run build).
import { build } from 'esbuild';

await build({
  entryPoints: { 'ingest-worker': 'lib/server/ingest-worker.ts', 'ingest-writer': 'lib/server/ingest-writer.ts' },
  outdir: '.next/spillway',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies bundled into an ES module still call require()
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  // native drivers load from node_modules, as in the server
  external: ['libsql', '@libsql/client', '@node-rs/argon2'],
  logLevel: 'warning',
});
