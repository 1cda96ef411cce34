// Scale benchmark: the same figures on a database that holds a project's history and on a fresh one,
// alternating (each ratio between neighbours, reported as a range). The large database is
// `--events` events (3,000,000) over `--hours` hours (60), stored through ingestion, sealed and exported
// (merged IDs as well) by the server's ticks; it is made once and kept in .tmp/bench, and each run
// works on a copy, made again when the code that stores and exports events has changed since (a
// database the code of the time shaped is not one today's code would have made). Per run:
//   - restart: from spawning `next start` to its first answer;
//   - the destination pages' API (list, connection, jobs, coverage, chart, backfills, snippets): p99 of
//     30 requests each;
//   - ingestion: 100,000 events to /2/httpapi at concurrency 4 (bench/load.ts): events/s, p99, peak RSS;
//   - sealing the hour just ingested, against node's zlib alone on the same NDJSON;
//   - the database and WAL files, and bytes per event stored.
// Usage: npm run bench:scale [-- --events 3000000] [--hours 60] [--alternations 3]
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import Database from 'libsql';
import { startApp } from '../test/support/app';
import { signInApi } from '../test/support/app-api';
import { setup, teardown } from '../test/support/global-setup';
import { bodiesFor, load, pct } from './load';
import { arg, bundle, fmt, hwmMb, lastJson, ndjsonOf, node, range, table } from './measure';

const events = Number(arg('events', '3000000'));
const hours = Number(arg('hours', '60'));
const alternations = Number(arg('alternations', '3'));
const INGEST = 100_000;
const dir = '.tmp/bench';
mkdirSync(dir, { recursive: true });
if (!existsSync('.next/BUILD_ID')) throw new Error('build the app first: npx next build');

const MB = 1024 * 1024;
const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
const files = (db: string) => [db, `${db}-wal`, `${db}-shm`, `${db}.json`];

await setup();
const scaleChild = await bundle('bench/scale-child.ts', `${dir}/bin`);
const exportChild = await bundle('bench/export-child.ts', `${dir}/bin`);

// the code a database is made by: the filler's bundle (all of lib/ it runs) and the migrations it applies
const madeBy = createHash('sha256').update(readFileSync(scaleChild)).update(readFileSync('drizzle/meta/_journal.json')).digest('hex').slice(0, 16);

/** A database made by scale-child with today's code (cached under .tmp/bench for the large one). */
async function made(db: string, n: number, h: number) {
  if (existsSync(db) && existsSync(`${db}.json`)) {
    if ((JSON.parse(readFileSync(`${db}.json`, 'utf8')) as { madeBy?: string }).madeBy === madeBy) return;
    console.log(`${db} was made by other code: making it again`);
  }
  for (const f of files(db)) rmSync(f, { force: true });
  const r = await node(scaleChild, ['fill', db, String(n), String(h)]);
  writeFileSync(`${db}.json`, JSON.stringify({ ...JSON.parse(readFileSync(`${db}.json`, 'utf8')), madeBy }));
  const o = lastJson(r.stdout);
  console.log(
    `made ${db}: ${n} events over ${h} hours, ingested in ${fmt(o.ingestMs / 1000)} s, ${o.jobs} jobs sealed and exported, ${fmt(o.ms / 1000)} s in all, dedupe filter ${o.kept ? 'kept' : 'not kept'}`,
  );
}

const large = `${dir}/scale-${events}-${hours}.db`;
const fresh = `${dir}/scale-fresh.db`;
await made(large, events, hours);
// a fresh one every time (it costs a second)
for (const f of files(fresh)) rmSync(f, { force: true });
await made(fresh, 0, 0);

interface Figures {
  restartMs: number;
  apiP99: number;
  apiWorst: string;
  eps: number;
  p99: number;
  rssMb: number;
  sealRatio: number;
  dbMb: number;
  walMb: number;
  bytesPerEvent: number;
  rows: number;
}

const PAGES = (id: number) => [
  '/api/destinations',
  `/api/destinations/${id}`,
  `/api/destinations/${id}/jobs?page=1&pageSize=25`,
  `/api/destinations/${id}/coverage?days=7`,
  `/api/destinations/${id}/chart?hours=744`,
  `/api/destinations/${id}/backfills`,
  `/api/destinations/${id}/snippets`,
];

async function measure(source: string): Promise<Figures> {
  const work = `${dir}/scale-work.db`;
  for (const f of files(work)) rmSync(f, { force: true });
  copyFileSync(source, work);
  // the copy written out first: 2.5 GB of dirty pages being flushed slowed the restart timed below
  execFileSync('sync');
  const meta = JSON.parse(readFileSync(`${source}.json`, 'utf8')) as { email: string; password: string; destinationId: number; projectId: number };
  const t0 = performance.now();
  const app = await startApp({ DATABASE_URL: `file:${work}`, SPILLWAY_SCHEDULER: 'off', INGEST_MAX_EPS_PER_API_KEY: '10000000' }, 10);
  const restartMs = performance.now() - t0;
  let ingest: Awaited<ReturnType<typeof load>>;
  let rssMb: number;
  const api: [string, number][] = [];
  try {
    const call = await signInApi(app, meta.email, meta.password);
    for (const path of PAGES(meta.destinationId)) {
      const ms: number[] = [];
      for (let i = 0; i < 30; i++) {
        const s = performance.now();
        await call('GET', path);
        ms.push(performance.now() - s);
      }
      api.push([
        path.replace(/\/\d+/, '/:id').replace(/\?.*/, ''),
        pct(
          ms.sort((a, b) => a - b),
          99,
        ),
      ]);
    }
    const ro = new Database(work, { readonly: true });
    const [key] = ro.prepare('select api_key from projects where id = ?').raw(true).get(meta.projectId) as string[];
    ro.close();
    ingest = await load(app.url, '/2/httpapi', bodiesFor(key, `scale${Date.now()}`, INGEST, true), 4);
    rssMb = hwmMb(app.proc.pid!);
  } finally {
    await app.stop();
  }
  const d = new Database(work);
  const walMb = size(`${work}-wal`) / MB;
  const [rows] = d.prepare('select count(*) from event_rows').raw(true).get() as number[];
  // the hour the run's events went to (the most of them, if the run crossed an hour)
  const [H] = d
    .prepare(
      'select server_upload_time / 3600000 * 3600000 h from event_rows where id > (select max(id) - ? from event_rows) group by h order by count(*) desc limit 1',
    )
    .raw(true)
    .get(INGEST) as number[];
  d.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  d.close();
  const dbMb = size(work) / MB;
  // sealing that hour among everything else the file holds, against node's zlib on its NDJSON
  writeFileSync(`${work}.json`, JSON.stringify({ H, orgId: 0, projectId: meta.projectId, events: INGEST }));
  const partsDir = `${dir}/scale-parts`;
  rmSync(partsDir, { recursive: true, force: true });
  const seal = lastJson((await node(exportChild, ['seal', work, partsDir])).stdout);
  const ndjson = `${dir}/scale-hour.ndjson`;
  ndjsonOf(partsDir, ndjson);
  const zlib = lastJson((await node(exportChild, ['baseline', 'zlib', ndjson])).stdout);
  rmSync(ndjson, { force: true });
  const worst = api.reduce((a, b) => (b[1] > a[1] ? b : a));
  return {
    restartMs,
    apiP99: worst[1],
    apiWorst: worst[0],
    eps: ingest.eps,
    p99: ingest.p99,
    rssMb,
    sealRatio: seal.ms / zlib.ms,
    dbMb,
    walMb,
    bytesPerEvent: (dbMb * MB) / Number(rows),
    rows: Number(rows),
  };
}

try {
  const runs: { fresh: Figures; large: Figures }[] = [];
  for (let a = 0; a < alternations; a++) {
    const f = await measure(fresh);
    const l = await measure(large);
    console.log(`alternation ${a + 1}: fresh ${fmt(f.eps, 0)} events/s, at ${l.rows} rows ${fmt(l.eps, 0)} events/s (${fmt(l.eps / f.eps, 2)}×)`);
    runs.push({ fresh: f, large: l });
  }
  const col = (k: keyof Figures, d: number, w: 'fresh' | 'large') =>
    range(
      runs.map((r) => r[w][k] as number),
      d,
    );
  const ratio = (k: keyof Figures) => range(runs.map((r) => (r.large[k] as number) / (r.fresh[k] as number)));
  const row = (what: string, k: keyof Figures, d: number) => ({
    figure: what,
    fresh: col(k, d, 'fresh'),
    [`${fmt(events, 0)} events`]: col(k, d, 'large'),
    'large / fresh': ratio(k),
  });
  console.log(`\nScale: ${fmt(events, 0)} events over ${hours} hours against a fresh database, ${alternations} alternations\n`);
  table([
    row('ingestion events/s (/2/httpapi, c=4)', 'eps', 0),
    row('ingestion p99 ms per 1,000 events', 'p99', 0),
    row('server peak RSS MB', 'rssMb', 0),
    row('restart to first answer ms', 'restartMs', 0),
    row('destination pages API p99 ms (worst page)', 'apiP99', 1),
    row('seal / node zlib, the hour just ingested', 'sealRatio', 2),
    row('database file MB', 'dbMb', 0),
    row('WAL MB after the run', 'walMb', 0),
    row('bytes per event in the file', 'bytesPerEvent', 0),
  ]);
  console.log(`\nworst API page: fresh ${runs.map((r) => r.fresh.apiWorst).join(', ')}; large ${runs.map((r) => r.large.apiWorst).join(', ')}`);
} finally {
  await teardown();
}
