// Ingestion benchmark: a load generator posting batches of 1,000 events on loopback, against two
// baselines measured in the same run, alternating (the machine's speed drifts by a third from one
// minute to the next, so each ratio is taken between neighbours and reported as a range):
//   - Spillway: `next start` on a fresh libSQL file, after a warm-up of 8 requests: events/s accepted,
//     p50/p99 per request, the server's peak RSS, bytes per event on disk;
//   - the storage's best rate for the same rows (bench/ceiling.ts): the rows that run wrote, copied into
//     a fresh file with ingestion's statement shape (32 rows per INSERT) and larger ones, at the
//     transaction sizes ingestion makes (1,000 events a request; the requests queued meanwhile join it)
//     and larger: the best of them;
//   - a bare node:http server that reads the body, JSON.parses it and appends NDJSON (bench/bare-server.ts).
// Usage: npm run bench:ingest [-- --events 100000] [--concurrency 4] [--alternations 3] [--matrix] [--env K=V,K=V]
//   --env: more environment for the server (SPILLWAY_GEOIP=off, NODE_OPTIONS=…), to compare settings
//   --matrix: also concurrency 1 and 16 on /2/httpapi and 16 on /batch (larger events), once each
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import Database from 'libsql';
import { openDatabase } from '../lib/db/client';
import { startApp } from '../test/support/app';
import { freshDbUrl } from '../test/support/db';
import { seedOrg } from '../test/support/seed';
import { storageRate } from './ceiling';
import { BATCH, bodiesFor, load, WARM_UP, type Path } from './load';
import { arg, bundle, fmt, hwmMb, range, table } from './measure';

const perRun = Number(arg('events', '100000'));
const concurrency = Number(arg('concurrency', '4'));
const alternations = Number(arg('alternations', '3'));
const matrix = process.argv.includes('--matrix');
const serverEnv = Object.fromEntries(
  arg('env', '')
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
// [rows per INSERT, events per transaction]: ingestion's shape and transaction sizes, and larger
const STORAGE_SHAPES: [number, number][] = [
  [32, 1_000],
  [32, 4_000],
  [32, 16_000],
  [128, 16_000],
];
const dir = '.tmp/bench';
mkdirSync(dir, { recursive: true });

if (!existsSync('.next/BUILD_ID')) throw new Error('build the app first: npx next build');

/** One run of Spillway on a fresh database; the file is kept for the storage runs. */
async function spillway(path: Path, c: number, compact: boolean) {
  const url = freshDbUrl();
  const { db, close } = await openDatabase({ url });
  const seed = await seedOrg(db, 'ingest');
  close();
  const bodies = bodiesFor(seed.project.apiKey!, `c${c}`, perRun, compact);
  const app = await startApp({ DATABASE_URL: url, SPILLWAY_SCHEDULER: 'off', INGEST_MAX_EPS_PER_API_KEY: '10000000', ...serverEnv });
  try {
    const r = await load(app.url, path, bodies, c);
    const file = url.slice('file:'.length);
    return { ...r, rssMb: hwmMb(app.proc.pid!), file, eventBytes: bodies.timed[0].length / BATCH, bytesPerEvent: storedBytes(file) / Math.max(1, r.accepted) };
  } finally {
    await app.stop();
  }
}

/** The storage's best rate for the rows of a run, over STORAGE_SHAPES, and which shape gave it. */
async function storageBest(file: string) {
  let best = { eps: 0, shape: '' };
  for (const [stmt, txn] of STORAGE_SHAPES) {
    const eps = await storageRate(file, stmt, txn);
    if (eps > best.eps) best = { eps, shape: `${stmt}/${txn}` };
  }
  return best;
}

/** One run of the bare server on the same bodies. */
async function bare(bin: string, path: Path, c: number, compact: boolean) {
  const out = `${dir}/bare.ndjson`;
  rmSync(out, { force: true });
  const proc = spawn(process.execPath, [bin, out], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      proc.stdout!.once('data', (d) => resolve((JSON.parse(String(d)) as { port: number }).port));
      proc.once('exit', (code) => reject(new Error(`the bare server exited ${code}`)));
    });
    const r = await load(`http://127.0.0.1:${port}`, path, bodiesFor('bare', `c${c}`, perRun, compact), c);
    return { ...r, rssMb: hwmMb(proc.pid!) };
  } finally {
    proc.kill();
    rmSync(out, { force: true });
  }
}

/** Bytes the database holds: its pages in use after a checkpoint (the WAL's copies of pages are not counted twice). */
function storedBytes(file: string): number {
  const d = new Database(file);
  d.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const get = (p: string) => Number(Object.values(d.prepare(`PRAGMA ${p}`).get() as Record<string, unknown>)[0]);
  const bytes = (get('page_count') - get('freelist_count')) * get('page_size');
  d.close();
  return bytes;
}

const bareBin = await bundle('bench/bare-server.ts', `${dir}/bin`);
const rows: Record<string, string | number>[] = [];
const ratios = { storage: [] as number[], bare: [] as number[], rss: [] as number[], eps: [] as number[], storageEps: [] as number[], bareEps: [] as number[] };
// /2/httpapi caps a request at 1 MB (as Amplitude does): 1,000 events per request fit at ~0.9 KB each
for (let a = 1; a <= alternations; a++) {
  const s = await spillway('/2/httpapi', concurrency, true);
  const st = await storageBest(s.file);
  const b = await bare(bareBin, '/2/httpapi', concurrency, true);
  ratios.storage.push(s.eps / st.eps);
  ratios.bare.push(s.eps / b.eps);
  ratios.rss.push(s.rssMb);
  ratios.eps.push(s.eps);
  ratios.storageEps.push(st.eps);
  ratios.bareEps.push(b.eps);
  rows.push({
    run: a,
    'events/s': fmt(s.eps, 0),
    'storage best': `${fmt(st.eps, 0)} (${st.shape})`,
    '× storage': fmt(s.eps / st.eps, 2),
    'bare server': fmt(b.eps, 0),
    '× bare': fmt(s.eps / b.eps, 2),
    'p50 / p99 ms': `${fmt(s.p50, 0)} / ${fmt(s.p99, 0)}`,
    errors: s.errors + b.errors,
    'server peak RSS MB': fmt(s.rssMb, 0),
    'bare RSS MB': fmt(b.rssMb, 0),
    'bytes per event': fmt(s.bytesPerEvent, 0),
  });
}
console.log(`\nIngestion to /2/httpapi at concurrency ${concurrency}, ${perRun} events per run in batches of ${BATCH} after ${WARM_UP} warm-up batches,`);
console.log(
  `next start on loopback, a fresh database each run; storage shapes tried (rows per INSERT / events per transaction): ${STORAGE_SHAPES.map((x) => x.join('/')).join(', ')}\n`,
);
table(rows);
console.log(`\nOver ${alternations} alternations:\n`);
table([
  {
    'events/s': range(ratios.eps, 0),
    'storage best': range(ratios.storageEps, 0),
    '× storage': range(ratios.storage),
    'bare server': range(ratios.bareEps, 0),
    '× bare': range(ratios.bare),
    'server peak RSS MB': range(ratios.rss, 0),
  },
]);

if (matrix) {
  const more: Record<string, string | number>[] = [];
  for (const [path, c, compact] of [
    ['/2/httpapi', 1, true],
    ['/2/httpapi', 16, true],
    // /batch takes up to 20 MB: the 1.2-1.5 KB events
    ['/batch', 16, false],
  ] as [Path, number, boolean][]) {
    const s = await spillway(path, c, compact);
    const st = await storageBest(s.file);
    more.push({
      endpoint: path,
      concurrency: c,
      'event bytes': fmt(s.eventBytes, 0),
      'events/s': fmt(s.eps, 0),
      'storage best': fmt(st.eps, 0),
      '× storage': fmt(s.eps / st.eps, 2),
      'p50 / p99 ms': `${fmt(s.p50, 0)} / ${fmt(s.p99, 0)}`,
      errors: s.errors,
      'server peak RSS MB': fmt(s.rssMb, 0),
    });
  }
  console.log('\nOther shapes, once each:\n');
  table(more);
}
