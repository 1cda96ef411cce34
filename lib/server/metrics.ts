// Metrics for operators in the Prometheus text format (prom-client): what ingestion accepted and refused,
// how long its requests took, its queue, the export lag per connection, jobs by state, runs and seals
// with their durations and bytes, the database's and WAL's size, the disk's free space. Counters live in
// this process (a scrape of each instance sees its own); the gauges of shared state are read from the
// database when scraped. On globalThis: Next.js loads start-up and each route as separate bundles of
// one process, and they must count into one registry.
import { stat } from 'node:fs/promises';
import { eq, sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { fileUrlPath } from '../db/client';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import type { IngestResult } from '../ingest/responses';
import type { EngineObserver } from '../jobs/tick';
import { oldestUnexported } from '../jobs/webhook-events';
import { HOUR_MS } from '../util/hours';
import { AppError } from '../util/errors';
import { bearerMatches } from '../util/secret';
import { databaseSettings, metricsToken } from './config';
import { freeDiskMb } from './storage-health';

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'spillway_process_' });
  const r = { registers: [registry] };
  const m = {
    registry,
    /** set by the ingestion routes once their threads run: requests waiting for a thread */
    queueDepth: (): number => 0,
    /** set at start: the database the scrape reads shared state from */
    db: null as Db | null,
    dbUrl: '',
    requests: new Counter({
      ...r,
      name: 'spillway_ingest_requests_total',
      help: 'Ingestion requests answered, by door and HTTP status',
      labelNames: ['door', 'status'],
    }),
    events: new Counter({ ...r, name: 'spillway_ingest_events_accepted_total', help: 'Events stored, by door', labelNames: ['door'] }),
    refused: new Counter({
      ...r,
      name: 'spillway_ingest_refused_total',
      // the status is the reason's class (400 bad input, 403 origin, 413 size, 415 encoding, 429 rate, 503 storage): the
      // answers' texts carry what the caller sent (a key, an origin), which must not become labels
      help: 'Ingestion requests refused, by door and reason (the HTTP status)',
      labelNames: ['door', 'reason'],
    }),
    latency: new Histogram({
      ...r,
      name: 'spillway_ingest_request_seconds',
      help: 'Time from a request to its answer, by door',
      labelNames: ['door'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    runs: new Histogram({
      ...r,
      name: 'spillway_export_run_seconds',
      help: 'Export runs of one hour of one connection, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    }),
    uploaded: new Counter({ ...r, name: 'spillway_export_uploaded_bytes_total', help: 'Bytes of parts uploaded to buckets, by kind', labelNames: ['kind'] }),
    seals: new Histogram({
      ...r,
      name: 'spillway_seal_seconds',
      help: 'Seals of an hour built to their end by the scheduler, by kind',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    }),
    sealed: new Counter({ ...r, name: 'spillway_seal_bytes_total', help: 'Bytes of sealed parts built, by kind', labelNames: ['kind'] }),
  };
  new Gauge({
    ...r,
    name: 'spillway_ingest_queue_depth',
    help: 'Ingestion requests handed to the parsing and writing threads and not answered yet',
    collect() {
      this.set(m.queueDepth());
    },
  });
  new Gauge({
    ...r,
    name: 'spillway_export_jobs',
    help: 'Export jobs by state',
    labelNames: ['state'],
    async collect() {
      if (!m.db) return;
      this.reset();
      const rows = await m.db
        .select({ state: s.exportJobs.state, n: sql<number>`count(*)` })
        .from(s.exportJobs)
        .groupBy(s.exportJobs.state);
      for (const row of rows) this.set({ state: row.state }, Number(row.n));
    },
  });
  new Gauge({
    ...r,
    name: 'spillway_export_lag_seconds',
    help: "Age of each enabled connection's oldest closed hour not exported yet (0: none waits)",
    labelNames: ['destination', 'project'],
    async collect() {
      if (!m.db) return;
      this.reset();
      const now = Date.now();
      const byId = new Map((await oldestUnexported(m.db, now)).map((o) => [o.destination.id, o.hour]));
      const dests = await m.db
        .select({ id: s.destinations.id, projectId: s.destinations.projectId })
        .from(s.destinations)
        .where(eq(s.destinations.enabled, true));
      for (const d of dests) {
        const hour = byId.get(d.id);
        this.set({ destination: String(d.id), project: String(d.projectId) }, hour === undefined ? 0 : (now - (hour + HOUR_MS)) / 1000);
      }
    },
  });
  const fileBytes = (suffix: string) => async () => {
    if (!m.dbUrl.startsWith('file:')) return null;
    return (await stat(`${fileUrlPath(m.dbUrl)}${suffix}`).catch(() => null))?.size ?? 0;
  };
  for (const [name, help, read] of [
    ['spillway_database_bytes', 'Size of the database file', fileBytes('')],
    ['spillway_wal_bytes', "Size of the database's write-ahead log", fileBytes('-wal')],
    ['spillway_disk_free_bytes', "Free space on the database's disk", async () => ((await freeDiskMb(m.dbUrl)) ?? NaN) * 1024 ** 2],
  ] as const) {
    new Gauge({
      ...r,
      name,
      help,
      async collect() {
        const v = await read();
        if (v !== null && Number.isFinite(v)) this.set(v);
      },
    });
  }
  return m;
}

const KEY = Symbol.for('spillway.metrics');
const g = globalThis as { [KEY]?: ReturnType<typeof create> };
export const metrics = () => (g[KEY] ??= create());

/** Counts one ingestion answer (lib/ingest/http.ts calls it with what it answered). */
export function observeIngest(door: string, result: IngestResult, seconds: number) {
  const m = metrics();
  m.requests.inc({ door, status: String(result.status) });
  m.latency.observe({ door }, seconds);
  if (result.status === 200) m.events.inc({ door }, Number(result.body.events_ingested ?? 0));
  else m.refused.inc({ door, reason: String(result.status) });
}

/** What the scheduler's ticks report (lib/jobs/tick.ts). */
export const engineObserver: EngineObserver = {
  run(o) {
    const m = metrics();
    if (o.state === 'gone' || o.state === 'lost') return;
    m.runs.observe({ kind: o.kind, outcome: o.state }, o.ms / 1000);
    m.uploaded.inc({ kind: o.kind }, o.bytes);
  },
  seal(o) {
    const m = metrics();
    m.seals.observe({ kind: o.kind }, o.ms / 1000);
    m.sealed.inc({ kind: o.kind }, o.bytes);
  },
};

/**
 * The scrape: Prometheus text of this process, with the shared state read from `db` now, for a caller
 * presenting `Bearer <SPILLWAY_METRICS_TOKEN>` (404 while no token is set, 401 for another).
 */
export async function scrape(db: Db, authorization: string | null): Promise<{ text: string; contentType: string }> {
  const token = metricsToken();
  if (!token) throw new AppError('not_found', 'Metrics are off: set SPILLWAY_METRICS_TOKEN and scrape with Authorization: Bearer <token>');
  if (!(await bearerMatches(authorization, token))) throw new AppError('unauthorized', 'Scrape with Authorization: Bearer <SPILLWAY_METRICS_TOKEN>');
  const m = metrics();
  m.db = db;
  m.dbUrl = databaseSettings().url;
  return { text: await m.registry.metrics(), contentType: m.registry.contentType };
}
