// Fair throttling: one key flooding past its events-per-second limit must not slow another key. Key B
// sends 10 events every 100 ms (an SDK's pace) while key A sends 2,000-event batches (2 MB) from N parallel
// clients in another process, at its limit and far past it. Prints key B's answer times (p50/p99/max) against key B alone,
// in the same run. Usage: npm run bench:fairness
import { existsSync, readFileSync } from 'node:fs';
import { openDatabase } from '../lib/db/client';
import { createProject } from '../lib/projects/projects';
import { startApp } from '../test/support/app';
import { freshDbUrl } from '../test/support/db';
import { seedOrg } from '../test/support/seed';
import { fmt, table, tsx } from './measure';

if (!existsSync('.next/BUILD_ID')) throw new Error('build the app first: npm run build');

const LIMIT = 2_000;
const SECONDS = Number(process.env.FAIRNESS_SECONDS ?? 8);
const url = freshDbUrl();
async function seedKeys() {
  if (process.env.FAIRNESS_KEYS) return process.env.FAIRNESS_KEYS.split(' ');
  const { db, close } = await openDatabase({ url });
  const seed = await seedOrg(db, 'fair');
  const other = await createProject(db, seed.org.id, 'bystander');
  close();
  return [seed.project.apiKey!, other.apiKey!];
}
const [keyA, keyB] = await seedKeys();

const batch = (key: string, n: number, tag: string, pad = 200) =>
  JSON.stringify({
    api_key: key,
    events: Array.from({ length: n }, (_, i) => ({ device_id: `device-${tag}-${i % 50}`, event_type: 'flood', event_properties: { i, pad: 'x'.repeat(pad) } })),
  });

// the server's CPU time so far, ms (utime + stime, in clock ticks of 10 ms)
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const pct = (xs: number[], p: number) => xs.toSorted((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
const post = (base: string, body: string, door = '/2/httpapi') =>
  fetch(`${base}${door}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

/** Key A's clients, in a process of their own (so key B's timings are not the flooders' event loop): answers by status. */
async function flood(base: string, mode: 'batch' | 'preflight', clients: number, pauseMs: number, stopAt: number) {
  // the largest batch a key may send in a second, 2 MB
  const body = batch(keyA, LIMIT, 'a', 800);
  const send = () =>
    mode === 'batch'
      ? post(base, body, '/batch')
      : fetch(`${base}/2/httpapi`, { method: 'OPTIONS', headers: { origin: 'https://site.example', 'access-control-request-method': 'POST' } });
  const statuses: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < stopAt) {
        const status = await send().then(
          async (r) => (await r.arrayBuffer(), String(r.status)),
          () => 'error',
        );
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    }),
  );
  return statuses;
}

if (process.argv[2] === '--flood') {
  const [base, mode, clients, pauseMs, stopAt] = process.argv.slice(3);
  console.log(JSON.stringify(await flood(base, mode as 'batch', Number(clients), Number(pauseMs), Number(stopAt))));
  process.exit(0);
}

const app = await startApp({ DATABASE_URL: url, INGEST_MAX_EPS_PER_API_KEY: String(LIMIT) });
const rows: Record<string, string | number>[] = [];
try {
  await post(app.url, batch(keyB, 1, 'warm'));

  let cpuPerB: number | undefined;
  async function scenario(label: string, clients: number, pauseMs: number, mode = 'batch') {
    const stopAt = Date.now() + SECONDS * 1000;
    const cpuBefore = cpuMs(app.proc.pid!);
    const flooder = clients
      ? tsx(import.meta.filename, ['--flood', app.url, mode, String(clients), String(pauseMs), String(stopAt)], { FAIRNESS_KEYS: `${keyA} ${keyB}` })
      : null;
    const waits: number[] = [];
    let failures = 0;
    while (Date.now() < stopAt) {
      const t = performance.now();
      const r = await post(app.url, batch(keyB, 10, 'b'));
      const answer = await r.text();
      if (r.status !== 200 && failures++ === 0) console.error(`key B: ${r.status} ${answer.slice(0, 200)}`);
      waits.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
    const statuses = flooder ? (JSON.parse((await flooder).stdout) as Record<string, number>) : {};
    const cpu = cpuMs(app.proc.pid!) - cpuBefore;
    const aRequests = Object.values(statuses).reduce((a, b) => a + b, 0);
    rows.push({
      scenario: label,
      'A answers':
        Object.entries(statuses)
          .map(([s, n]) => `${n}×${s}`)
          .join(' ') || '-',
      'B requests': waits.length,
      'B not 200': failures,
      'B p50 ms': fmt(pct(waits, 50), 0),
      'B p99 ms': fmt(pct(waits, 99), 0),
      'B max ms': fmt(Math.max(...waits), 0),
      'server CPU %': fmt((cpu / (SECONDS * 1000)) * 100, 0),
      'server CPU ms per A request': aRequests ? fmt((cpu - (cpuPerB ?? 0) * waits.length) / aRequests, 2) : '-',
    });
    if (!clients) cpuPerB = cpu / waits.length;
  }

  await scenario('B alone', 0, 0);
  // one 2,000-event batch a second: at the limit
  await scenario('A at its limit', 1, 1000);
  await scenario('A past it, 2 clients', 2, 0);
  await scenario('A past it, 8 clients', 8, 0);
  // the machine's ceiling: as many clients sending requests that do no work
  await scenario('floor: 8 clients of preflights', 8, 0, 'preflight');
} finally {
  await app.stop();
}
table(rows);
