// Ingestion benchmark: a load generator posting batches of 1,000 events to the app on loopback
// (fresh libSQL file per run, after a warm-up of 8 requests) at concurrency 1, 4 and 16: events/s accepted, p50/p99 latency, errors,
// the server's peak RSS, bytes per event on disk, and the storage's own ceiling measured in the same
// run on the rows the run wrote (bench/ceiling.ts: per-row inserts as the issue defines it, and the
// statements ingestion itself uses). Usage: npm run bench:ingest [-- --events 100000] [--concurrency 4]
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import Database from 'libsql';
import { openDatabase } from '../lib/db/client';
import { startApp } from '../test/support/app';
import { freshDbUrl } from '../test/support/db';
import { seedOrg } from '../test/support/seed';
import { storageCeiling } from './ceiling';
import { benchEvents } from './data';
import { fmt, table } from './measure';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const perRun = Number(arg('events', '100000'));
const BATCH = 1000;
// requests before the clock starts (not counted in events/s or latency; stored, so counted in bytes per event)
const WARM_UP = 8;

if (!existsSync('.next/BUILD_ID')) throw new Error('build the app first: npx next build');

function hwmMb(pid: number) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function runOnce(path: '/2/httpapi' | '/batch', concurrency: number, compact: boolean) {
  const url = freshDbUrl();
  const { db, close } = await openDatabase({ url });
  const seed = await seedOrg(db, 'ingest');
  close();
  const app = await startApp({ DATABASE_URL: url, SPILLWAY_SCHEDULER: 'off', INGEST_MAX_EPS_PER_API_KEY: '10000000' });
  try {
    // bodies encoded before the clock starts, each event with its own insert_id (no dedupe); the load
    // generator posts them on node:http with keep-alive, light on the CPU the server shares
    const body = (b: number) =>
      Buffer.from(JSON.stringify({ api_key: seed.project.apiKey, events: benchEvents(BATCH, `c${concurrency}`, { compact }, b * BATCH) }));
    const bodies = Array.from({ length: perRun / BATCH }, (_, b) => body(b));
    // the sustained rate: the first requests of a fresh server (code loaded, compiled) go before the clock
    const warmUp = Array.from({ length: WARM_UP }, (_, b) => body(perRun / BATCH + b));
    const avgEventBytes = bodies[0].length / BATCH;
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const { hostname, port } = new URL(app.url);
    const post = (body: Buffer) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          { hostname, port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    let errors = 0;
    let accepted = 0;
    /** Posts the bodies `concurrency` at a time; their latencies. */
    const drive = async (list: Buffer[]) => {
      const latencies: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (;;) {
            const i = next++;
            if (i >= list.length) return;
            const s = performance.now();
            try {
              const r = await post(list[i]);
              if (r.status === 200) accepted += (JSON.parse(r.text) as { events_ingested?: number }).events_ingested ?? 0;
              else errors++;
            } catch {
              // a reset connection is an error of the run, not of the benchmark
              errors++;
            }
            latencies.push(performance.now() - s);
          }
        }),
      );
      return latencies;
    };
    await drive(warmUp);
    const warmAccepted = accepted;
    const t0 = performance.now();
    const latencies = await drive(bodies);
    const ms = performance.now() - t0;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const file = url.slice('file:'.length);
    const dbBytes = storedBytes(file);
    const ceiling = await storageCeiling(file, 'per-row');
    const ingestionCeiling = await storageCeiling(file, 'as-ingestion');
    const eps = (accepted - warmAccepted) / (ms / 1000);
    return {
      endpoint: path,
      concurrency,
      'event bytes': fmt(avgEventBytes, 0),
      events: accepted - warmAccepted,
      errors,
      'events/s': fmt(eps, 0),
      'ceiling events/s': fmt(ceiling, 0),
      'x ceiling': fmt(eps / ceiling, 2),
      'ceiling as ingestion writes': fmt(ingestionCeiling, 0),
      'x that': fmt(eps / ingestionCeiling, 2),
      'p50 ms': fmt(pct(latencies, 50), 0),
      'p99 ms': fmt(pct(latencies, 99), 0),
      'server peak RSS MB': fmt(hwmMb(app.proc.pid!), 0),
      'bytes per event': fmt(dbBytes / Math.max(1, accepted), 0),
    };
  } finally {
    await app.stop();
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

const only = arg('concurrency', '');
const rows: Record<string, string | number>[] = [];
// /2/httpapi caps a request at 1 MB (as Amplitude does): 1,000 events per request fit at ~0.9 KB each
for (const c of only ? [Number(only)] : [1, 4, 16]) rows.push(await runOnce('/2/httpapi', c, true));
// /batch takes up to 20 MB: the 1.2-1.5 KB events
if (!only) rows.push(await runOnce('/batch', 16, false));
console.log(`\nIngestion, ${perRun} events per run in batches of ${BATCH} after ${WARM_UP} warm-up batches, next start on loopback, fresh database each run\n`);
table(rows);
