// Bundles ingestion's threads (lib/server/ingest-worker.ts parses, ingest-writer.ts writes) for the
// production server: Next.js bundles route handlers but not worker_threads entries. Runs after
// `next build` (npm run build).
import { build } from 'esbuild';
import nodeBundle from './node-bundle.json' with { type: 'json' };

// the settings the benchmarks bundle their workers with too (bench/measure.ts): an ES module for node,
// CommonJS dependencies given require(), the native drivers left to load from node_modules
await build({
  ...nodeBundle,
  entryPoints: { 'ingest-worker': 'lib/server/ingest-worker.ts', 'ingest-writer': 'lib/server/ingest-writer.ts' },
  outdir: '.next/spillway',
  outExtension: { '.js': '.mjs' },
});
