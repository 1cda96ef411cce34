// The node flags server.mjs starts with; node takes them only on its command line (V8 refuses
// --single-threaded-gc in NODE_OPTIONS, and changing it in a running process crashes the collector).
// On two cores or fewer, V8's background collector threads compete with ingestion's own threads for the
// same cores: collecting on the thread that allocated costs less CPU in all (bench:ingest: about 7% less
// server CPU per request and a lower p99 on a 2-core machine). SPILLWAY_GC=parallel keeps V8's default.
// On a machine with less than 2 GB of memory the young generation of every thread's heap is kept small
// (1 MB semi-spaces, the flag applies to the ingestion threads too): 70-110 MB less peak RSS while
// ingesting, for about 10% more CPU per event (docs/BENCHMARKS.md). SPILLWAY_HEAP says which.
// `node scripts/server-flags.mjs` prints them for a shell.
import { availableParallelism, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const LEAN_BELOW = 2 * 1024 ** 3;

export function serverFlags(env = process.env, cores = availableParallelism(), memory = totalmem()) {
  const gc = env.SPILLWAY_GC ?? (cores <= 2 ? 'single' : 'parallel');
  if (gc !== 'single' && gc !== 'parallel') throw new Error(`SPILLWAY_GC must be "single" or "parallel" (got "${gc}")`);
  const heap = env.SPILLWAY_HEAP ?? (memory < LEAN_BELOW ? 'lean' : 'default');
  if (heap !== 'lean' && heap !== 'default') throw new Error(`SPILLWAY_HEAP must be "lean" or "default" (got "${heap}")`);
  return [...(gc === 'single' ? ['--single-threaded-gc'] : []), ...(heap === 'lean' ? ['--max-semi-space-size=1'] : [])];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(serverFlags().join(' '));
