// Benchmark worker, one mode per process so peak RSS belongs to exactly one thing:
//   gen <db> <events>          build one hour of events (ingested, then cloned in SQL for size)
//   seal <db> <dir> [level|-] [kind]  seal that hour (as a new one: earlier seals dropped) as `kind` (default
//                              events-current; events-current~parquet for Parquet), then write its parts to <dir>
//   export <db> <dir>          export the sealed hour to a new radosgw bucket through tick(); its manifest to <dir>
//   put <dir> [manifest]       the baseline of export: bare presigned PUTs of the same part files (and manifest)
//   baseline <mode> <file>     compress the NDJSON with zlib | fflate | cstream alone
//   long <db> <budgetMs>       seal and export the hour (as a new one) in ticks of a small budget
//   unseal <db>                drop the hour's seal (the next worker builds it from scratch)
//   hold <db> <leaseMs>        claim the hour's seal and build it (a worker the parent stops mid-part)
//   finish <db>                seal the hour as another worker would (taking over an expired lease)
//   backfill <db> <manifests|no-manifests>  one year of a small project (8,760 hours, most empty) as a manual export
//   manifest-puts <n>          the baseline of empty hours: n bare PUTs of an empty hour's manifest, 16 at once
import { createReadStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { and, eq } from 'drizzle-orm';
import { Gzip } from 'fflate';
import { queryRows } from '../lib/db/bulk';
import { openDatabase } from '../lib/db/client';
import * as s from '../lib/db/schema';
import type { Db } from '../lib/db/types';
import { SealStore, partsOfSeal } from '../lib/export/seal/store';
import { S3Access } from '../lib/s3/access';
import { manifestFor } from '../lib/export/files/manifest';
import { manifestKey } from '../lib/export/files/naming';
import { floorHour, HOUR_MS } from '../lib/util/hours';
import { backfillProgress, startBackfill } from '../lib/jobs/backfill';
import { DEFAULT_CONFIG, type EngineConfig } from '../lib/jobs/config';
import { buildSeal, claimSeal, sealOf } from '../lib/export/seal/seal';
import { sealHour } from '../lib/jobs/seal-closed-hours';
import { sealSettings } from '../lib/jobs/config';
import { tick } from '../lib/jobs/tick';
import { createDestination } from '../lib/destinations/lifecycle';
import { ingestAt } from '../test/support/engine';
import { dropBucket, newBucket, rgwEnv } from '../test/support/rgw';
import { seedOrg } from '../test/support/seed';
import { nodeGzipStream } from '../lib/server/node-gzip';
import { benchEvents } from './data';
import type { SealKind } from '../lib/db/seal-kinds';

const [mode, a1, a2, a3] = process.argv.slice(2);
// this process's own peak (VmHWM): getrusage's maxRSS starts at the parent's size at the fork
const peakRssKb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
const report = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...o, maxRssKb: peakRssKb() })}\n`);
// as the server runs it: Node's zlib with large buffers (lib/server/node-gzip.ts)
const config = (over: Partial<EngineConfig> = {}): EngineConfig => ({
  ...DEFAULT_CONFIG,
  s3: { baseCredentials: rgwEnv().user1, streamUploads: true },
  graceMs: 0,
  gzipNative: nodeGzipStream,
  ...over,
});
// the runs across ticks and leases cut the hour into several parts
const SMALL_PARTS = 32 << 20;
const meta = () => JSON.parse(readFileSync(`${a1}.json`, 'utf8')) as { H: number; orgId: number; projectId: number; events: number };

/** Bytes of the database in pages in use, by table (SQLite's dbstat). */
function pageBytes(db: Db, names: string[]) {
  return queryRows(db, `select coalesce(sum(pgsize), 0) from dbstat where name in (${names.map(() => '?').join(', ')})`, names).then(([[n]]) => Number(n));
}

/** The hour sealed again from scratch: its seals, parts and jobs are dropped (their pages go to the free list). */
async function unseal(db: Db, m: ReturnType<typeof meta>) {
  await db.delete(s.destinations);
  await db.delete(s.seals).where(eq(s.seals.projectId, m.projectId));
  // the sealing cursor goes back too: an hour below it without a seal would count as empty
  await db.update(s.projects).set({ sealedUntil: null }).where(eq(s.projects.id, m.projectId));
}

/** A new bucket and its connection to the project (events only, no prefix). */
async function connect(db: Db, orgId: number, projectId: number, label: string) {
  const bucket = await newBucket(label);
  const d = await createDestination(db, {
    orgId,
    projectId,
    bucket,
    region: 'us-east-1',
    endpoint: rgwEnv().endpoint,
    forcePathStyle: true,
    exportEvents: true,
    exportMerged: false,
    prefix: '',
  });
  return { bucket, id: d.id };
}

async function destinationFor(db: Db, m: ReturnType<typeof meta>, label: string) {
  const c = await connect(db, m.orgId, m.projectId, label);
  // exactly the benchmark's hour
  await db.update(s.destinations).set({ startHour: m.H, plannedUntil: m.H }).where(eq(s.destinations.id, c.id));
  return c;
}

if (mode === 'gen') {
  const total = Number(a2);
  const { db, client, close } = await openDatabase({ url: `file:${a1}` });
  const seed = await seedOrg(db, 'bench');
  const H = floorHour(Date.now()) - 3 * HOUR_MS;
  const base = Math.min(total, 100_000);
  for (let i = 0; i < base; i += 2000) {
    // spread over the first 50 minutes of the hour; clones below shift by a few ms only
    await ingestAt(db, seed.project.apiKey!, benchEvents(Math.min(2000, base - i), 'b', {}, i), H + Math.floor((i / base) * 3_000_000));
  }
  const [[maxId]] = await queryRows(db, 'select max(id) from event_rows', []);
  // grow to `total` by cloning the base rows in time slices, so that (as in real life) rows are stored
  // in about the order of their server_upload_time: slice k holds clone k, base rows are slice 0
  const slices = Math.ceil(total / base);
  const sliceMs = Math.floor(3_000_000 / slices);
  const retime = (k: number) => `${H + k * sliceMs} + (server_upload_time - ${H}) / ${slices}`;
  const cols =
    'project_id, server_upload_time, amplitude_id, user_id, device_id, received_ago, user_created, flags, merged_amplitude_id, user_properties, group_properties, event_properties, uuid, rec';
  for (let k = 1; k < slices; k++) {
    const expr = cols.replace('server_upload_time', retime(k)).replace('uuid', 'randomblob(16)');
    await client.execute(
      `INSERT INTO event_rows (${cols}) SELECT ${expr} FROM event_rows WHERE id <= ${maxId} ORDER BY id LIMIT ${Math.min(base, total - k * base)}`,
    );
  }
  await client.execute(`UPDATE event_rows SET server_upload_time = ${retime(0)} WHERE id <= ${maxId}`);
  // nothing sealed yet: the benchmark seals it
  await db.delete(s.seals);
  const [[n]] = await queryRows(db, 'select count(*) from event_rows', []);
  writeFileSync(`${a1}.json`, JSON.stringify({ H, orgId: seed.org.id, projectId: seed.project.id, events: Number(n) }));
  close();
  report({ events: Number(n) });
} else if (mode === 'seal') {
  const m = meta();
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  await unseal(db, m);
  const cfg = config(a3 && a3 !== '-' ? { gzipLevel: Number(a3) } : {});
  // the seal kind: the current JSON lines, or Parquet parts (events-current~parquet)
  const kind = (process.argv[6] ?? 'events-current') as SealKind;
  const store = new SealStore(undefined, cfg.s3);
  const before = await pageBytes(db, ['seals', 'sealed_parts', 'sealed_parts_part', 'sealed_chunks', 'sqlite_autoindex_sealed_chunks_1']);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const ok =
    (await sealHour(
      db,
      store,
      { projectId: m.projectId, kind, hour: m.H },
      { workerId: 'bench', settings: sealSettings(cfg), clock: Date.now, deadline: Infinity },
    )) === 'built';
  const ms = performance.now() - t0;
  const maxRssKb = peakRssKb();
  const seal = (await sealOf(db, { projectId: m.projectId, kind, hour: m.H }))!;
  await db.$client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  const stored0 = (await pageBytes(db, ['seals', 'sealed_parts', 'sealed_parts_part', 'sealed_chunks', 'sqlite_autoindex_sealed_chunks_1'])) - before;
  const rawRows = await pageBytes(db, ['event_rows', 'event_rows_project_hour']);
  // the parts as files, for the baselines (not timed)
  mkdirSync(a2, { recursive: true });
  for (const f of readdirSync(a2)) if (f.endsWith('.gz')) writeFileSync(`${a2}/${f}`, '');
  for (const p of await partsOfSeal(db, seal)) writeFileSync(`${a2}/${String(p.part).padStart(4, '0')}.gz`, await store.read(db, p.id, p.location, p.bytes));
  close();
  process.stdout.write(
    `${JSON.stringify({ ok, ms, maxRssKb, rssBeforeKb: rssBefore >> 10, events: seal.lines, parts: seal.parts, rawBytes: seal.rawBytes, bytes: seal.bytes, historyBytes: stored0, rawRowBytes: rawRows })}\n`,
  );
} else if (mode === 'export') {
  const m = meta();
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  await db.delete(s.destinations);
  const { bucket, id } = await destinationFor(db, m, 'sealed');
  // a clock that runs, from just after the hour closed (the job's own duration is measured by it)
  const skew = Date.now() - (m.H + HOUR_MS + 1000);
  const t0 = performance.now();
  const sum = await tick(db, config(), { budgetMs: 3_600_000, now: () => Date.now() - skew });
  const ms = performance.now() - t0;
  const [job] = await db.select().from(s.exportJobs).where(eq(s.exportJobs.destinationId, id));
  // the hour's manifest as written, for the baseline that PUTs the same objects
  const s3 = await S3Access.open(
    { projectId: 0, bucket, region: 'us-east-1', endpoint: rgwEnv().endpoint, forcePathStyle: true, prefix: '', kmsKeyArn: null, roleArn: null },
    { baseCredentials: rgwEnv().user1 },
  );
  writeFileSync(`${a2}/manifest.json`, await s3.get(manifestKey('', 'events', m.projectId, 0, m.H)));
  s3.close();
  await dropBucket(bucket);
  close();
  report({ ms, jobMs: job.durationMs, bucket, events: job.events, bytes: job.bytes, parts: job.partsDone, state: job.state, sealed: sum.sealed });
} else if (mode === 'put') {
  const files = readdirSync(a1)
    .filter((f) => f.endsWith('.gz'))
    .sort();
  const bodies = files.map((f) => new Uint8Array(readFileSync(`${a1}/${f}`)));
  if (a2 === 'manifest') bodies.push(new Uint8Array(readFileSync(`${a1}/manifest.json`)));
  const bucket = await newBucket('bare');
  const s3 = await S3Access.open(
    { projectId: 0, bucket, region: 'us-east-1', endpoint: rgwEnv().endpoint, forcePathStyle: true, prefix: '', kmsKeyArn: null, roleArn: null },
    { baseCredentials: rgwEnv().user1 },
  );
  const t0 = performance.now();
  for (const [i, body] of bodies.entries()) await s3.put(`bare#${i + 1}.json.gz`, body);
  const ms = performance.now() - t0;
  s3.close();
  await dropBucket(bucket);
  report({ ms, bytes: bodies.reduce((n, b) => n + b.byteLength, 0) });
} else if (mode === 'baseline') {
  const file = a2;
  const t0 = performance.now();
  let out = 0;
  if (a1 === 'zlib') {
    await new Promise<void>((res, rej) => {
      const gz = createGzip({ level: 6 });
      gz.on('data', (c: Buffer) => (out += c.length));
      gz.on('end', res);
      gz.on('error', rej);
      createReadStream(file, { highWaterMark: 1 << 20 }).pipe(gz);
    });
  } else if (a1 === 'fflate') {
    const gz = new Gzip({ level: 6 }, (c) => (out += c.length));
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) gz.push(chunk as Uint8Array);
    gz.push(new Uint8Array(0), true);
  } else {
    const cs = new CompressionStream('gzip');
    const writer = cs.writable.getWriter();
    const reading = (async () => {
      const reader = cs.readable.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        out += value.length;
      }
    })();
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) await writer.write(chunk as Uint8Array<ArrayBuffer>);
    await writer.close();
    await reading;
  }
  report({ ms: performance.now() - t0, bytes: out });
} else if (mode === 'long') {
  const m = meta();
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  await unseal(db, m);
  const { bucket, id } = await destinationFor(db, m, 'long');
  const cfg = config({ partBytes: SMALL_PARTS });
  // a clock that runs, from just after the hour closed: each tick's budget is real time
  const skew = Date.now() - (m.H + HOUR_MS + 1000);
  const t0 = performance.now();
  let ticks = 0;
  for (;;) {
    ticks++;
    await tick(db, cfg, { budgetMs: Number(a2), now: () => Date.now() - skew });
    const [job] = await db.select().from(s.exportJobs).where(eq(s.exportJobs.destinationId, id));
    if (job.state === 'done') break;
    if (ticks > 1000) throw new Error('the hour did not finish in 1,000 ticks');
  }
  const ms = performance.now() - t0;
  const seal = (await sealOf(db, { projectId: m.projectId, kind: 'events-current', hour: m.H }))!;
  close();
  await dropBucket(bucket);
  report({ ms, ticks, events: seal.lines, parts: seal.parts, state: seal.state });
} else if (mode === 'unseal') {
  const m = meta();
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  await unseal(db, m);
  close();
  report({});
} else if (mode === 'finish') {
  const m = meta();
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  const cfg = config({ partBytes: SMALL_PARTS });
  const t0 = performance.now();
  const ok =
    (await sealHour(
      db,
      new SealStore(undefined, cfg.s3),
      { projectId: m.projectId, kind: 'events-current', hour: m.H },
      { workerId: 'finisher', settings: sealSettings(cfg), clock: Date.now, deadline: Infinity },
    )) === 'built';
  const ms = performance.now() - t0;
  const seal = (await sealOf(db, { projectId: m.projectId, kind: 'events-current', hour: m.H }))!;
  close();
  report({ ok, ms, state: seal.state, lines: seal.lines, parts: seal.parts, generation: seal.generation });
} else if (mode === 'hold') {
  const m = meta();
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  const cfg = config({ leaseMs: Number(a2), partBytes: SMALL_PARTS });
  const store = new SealStore(undefined, cfg.s3);
  const ref = { projectId: m.projectId, kind: 'events' as const, hour: m.H };
  const claim = await claimSeal(db, store, ref, `hold-${process.pid}`, Date.now(), sealSettings(cfg));
  if (claim.state !== 'building') throw new Error(`expected to build the seal, found it ${claim.state}`);
  process.stdout.write('building\n');
  let parts = 0;
  let outcome = 'sealed';
  try {
    // no lease keeping: the parent stops this process mid-part and its lease runs out
    for await (const _ of buildSeal(db, store, claim.seal, `hold-${process.pid}`, sealSettings(cfg), Date.now)) process.stdout.write(`part ${++parts}\n`);
  } catch (e) {
    outcome = (e as Error).constructor.name;
  }
  const [row] = await db
    .select()
    .from(s.seals)
    .where(and(eq(s.seals.projectId, m.projectId), eq(s.seals.kind, 'events'), eq(s.seals.hour, m.H)));
  close();
  report({ outcome, parts, finalState: row.state, finalLines: row.lines, generation: row.generation });
} else if (mode === 'backfill') {
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  const seed = await seedOrg(db, 'small');
  const now = Date.now();
  const from = floorHour(now) - 8760 * HOUR_MS;
  // a small project: 60 busy hours in the year, 200 events each
  for (let k = 0; k < 60; k++) await ingestAt(db, seed.project.apiKey!, benchEvents(200, `y${k}`), from + Math.floor((k * 8760) / 60) * HOUR_MS + 1000);
  const { bucket, id } = await connect(db, seed.org.id, seed.project.id, 'year');
  if (a2 === 'no-manifests') await db.update(s.destinations).set({ writeManifest: false }).where(eq(s.destinations.id, id));
  const cfg = config({ graceMs: DEFAULT_CONFIG.graceMs });
  await startBackfill(db, cfg, { destinationId: id, from, to: from + 8760 * HOUR_MS });
  const t0 = performance.now();
  let ticks = 0;
  for (;;) {
    ticks++;
    await tick(db, cfg, { budgetMs: 50_000 });
    const [p] = await backfillProgress(db, id);
    if (p.state !== 'running') {
      const ms = performance.now() - t0;
      const [[manifests]] = await queryRows(db, "select count(*) from export_jobs where state = 'done'", []);
      close();
      await dropBucket(bucket);
      report({ ms, ticks, hours: p.hoursTotal, jobsDone: p.jobsDone, events: p.events, bytes: p.bytes, done: Number(manifests) });
      break;
    }
  }
} else if (mode === 'manifest-puts') {
  const n = Number(a1);
  const bucket = await newBucket('manifests');
  const s3 = await S3Access.open(
    { projectId: 0, bucket, region: 'us-east-1', endpoint: rgwEnv().endpoint, forcePathStyle: true, prefix: '', kmsKeyArn: null, roleArn: null },
    { baseCredentials: rgwEnv().user1 },
  );
  const H = floorHour(Date.now()) - 8760 * HOUR_MS;
  const bodies = Array.from({ length: n }, (_, i) =>
    manifestFor({
      kind: 'events',
      lineFormat: 'current',
      hour: H + i * HOUR_MS,
      projectId: 1,
      orgId: 1,
      prefix: '',
      folders: null,
      eventFilter: null,
      fileFormat: 'json',
      parts: [],
    }),
  );
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const m = bodies[next++];
        await s3.put(m.key, m.body);
      }
    }),
  );
  const ms = performance.now() - t0;
  s3.close();
  await dropBucket(bucket);
  report({ ms, puts: n });
} else {
  throw new Error(`unknown mode ${mode}`);
}
