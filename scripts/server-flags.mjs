// The node flags server.mjs starts with; node takes them only on its command line (V8 refuses
// --single-threaded-gc in NODE_OPTIONS, and changing it in a running process crashes the collector).
// On two cores or fewer, V8's background collector threads compete with ingestion's own threads for the
// same cores: collecting on the thread that allocated costs less CPU in all (bench:ingest: about 7% less
// server CPU per request and a lower p99 on a 2-core machine). SPILLWAY_GC=parallel keeps V8's default.
// `node scripts/server-flags.mjs` prints them for a shell.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export function serverFlags(env = process.env, cores = availableParallelism()) {
  const gc = env.SPILLWAY_GC ?? (cores <= 2 ? 'single' : 'parallel');
  if (gc !== 'single' && gc !== 'parallel') throw new Error(`SPILLWAY_GC must be "single" or "parallel" (got "${gc}")`);
  return gc === 'single' ? ['--single-threaded-gc'] : [];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(serverFlags().join(' '));
