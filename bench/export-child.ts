// Benchmark worker, one mode per process so peak RSS belongs to exactly one thing:
//   gen <db> <events>        build one hour of events (ingested, then cloned in SQL for size)
//   export <db> [gzipLevel]  export that hour to a new radosgw bucket through tick()
//   baseline <mode> <file>   compress the NDJSON with zlib | fflate | cstream alone
//   backfill <db>            one year of a small project (8,760 hours, most empty) as a manual export
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { eq, sql } from 'drizzle-orm';
import { Gzip } from 'fflate';
import { openDatabase } from '../lib/db/client';
import * as s from '../lib/db/schema';
import { floorHour, HOUR_MS } from '../lib/export/time';
import { backfillProgress, startBackfill } from '../lib/jobs/backfill';
import { DEFAULT_CONFIG, type EngineConfig } from '../lib/jobs/config';
import { createDestination } from '../lib/destinations/lifecycle';
import { tick } from '../lib/jobs/tick';
import { ingestAt } from '../test/support/engine';
import { newBucket, rgwEnv } from '../test/support/rgw';
import { seedOrg } from '../test/support/seed';
import { benchEvents } from './data';

const [mode, a1, a2] = process.argv.slice(2);
const report = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...o, maxRssKb: process.resourceUsage().maxRSS })}\n`);
const config = (over: Partial<EngineConfig> = {}): EngineConfig => ({ ...DEFAULT_CONFIG, s3: { baseCredentials: rgwEnv().user1 }, graceMs: 0, ...over });

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
  const cols = (await client.execute('PRAGMA table_info(events)')).rows.map((r) => String(r.name)).filter((c) => c !== 'id');
  const [{ maxId }] = await db.select({ maxId: sql<number>`max(${s.events.id})` }).from(s.events);
  // grow to `total` by cloning the base rows in time slices, so that (as in real life) rows are stored
  // in about the order of their server_upload_time: slice k holds clone k, base rows are slice 0
  const slices = Math.ceil(total / base);
  const sliceMs = Math.floor(3_000_000 / slices);
  const retime = (k: number, c: string) => `${H + k * sliceMs} + (${c} - ${H}) / ${slices}`;
  for (let k = 1; k < slices; k++) {
    const expr = cols.map((c) =>
      c === 'uuid' || c === 'insert_id'
        ? `${c} || '-c${k}'`
        : c === 'event_id'
          ? `${c} + ${k * base}`
          : c === 'server_upload_time' || c === 'server_received_time'
            ? retime(k, c)
            : c,
    );
    await client.execute(
      `INSERT INTO events (${cols.join(',')}) SELECT ${expr.join(',')} FROM events WHERE id <= ${maxId} ORDER BY id LIMIT ${Math.min(base, total - k * base)}`,
    );
  }
  await client.execute(
    `UPDATE events SET server_upload_time = ${retime(0, 'server_upload_time')}, server_received_time = ${retime(0, 'server_received_time')} WHERE id <= ${maxId}`,
  );
  const [{ n }] = await db.select({ n: sql<number>`count(*)` }).from(s.events);
  writeFileSync(`${a1}.json`, JSON.stringify({ H, orgId: seed.org.id, projectId: seed.project.id, events: Number(n) }));
  close();
  report({ events: Number(n) });
} else if (mode === 'export') {
  const meta = JSON.parse(readFileSync(`${a1}.json`, 'utf8'));
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  const bucket = await newBucket('bench');
  await db.delete(s.destinations);
  const d = await createDestination(db, {
    orgId: meta.orgId,
    projectId: meta.projectId,
    bucket,
    region: 'us-east-1',
    endpoint: rgwEnv().endpoint,
    forcePathStyle: true,
    exportEvents: true,
    exportMerged: false,
    prefix: '',
  });
  await db.update(s.destinations).set({ startHour: meta.H, plannedUntil: meta.H }).where(eq(s.destinations.id, d.id));
  const cfg = config(a2 ? { gzipLevel: Number(a2) } : {});
  const t0 = performance.now();
  const sum = await tick(db, cfg, { budgetMs: 3_600_000, now: () => meta.H + HOUR_MS + 1000 });
  const ms = performance.now() - t0;
  const [job] = await db.select().from(s.exportJobs).where(eq(s.exportJobs.destinationId, d.id));
  close();
  report({ ms, bucket, events: job.events, rawBytes: job.rawBytes, bytes: job.bytes, parts: job.partsDone, state: job.state, failed: sum.failed });
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
} else if (mode === 'backfill') {
  const { db, close } = await openDatabase({ url: `file:${a1}` });
  const seed = await seedOrg(db, 'small');
  const now = Date.now();
  const from = floorHour(now) - 8760 * HOUR_MS;
  // a small project: 60 busy hours in the year, 200 events each
  for (let k = 0; k < 60; k++) await ingestAt(db, seed.project.apiKey!, benchEvents(200, `y${k}`), from + Math.floor((k * 8760) / 60) * HOUR_MS + 1000);
  const bucket = await newBucket('year');
  const d = await createDestination(db, {
    orgId: seed.org.id,
    projectId: seed.project.id,
    bucket,
    region: 'us-east-1',
    endpoint: rgwEnv().endpoint,
    forcePathStyle: true,
    exportEvents: true,
    exportMerged: false,
    prefix: '',
  });
  const cfg = config({ graceMs: DEFAULT_CONFIG.graceMs });
  await startBackfill(db, cfg, { destinationId: d.id, from, to: from + 8760 * HOUR_MS });
  const t0 = performance.now();
  let ticks = 0;
  for (;;) {
    ticks++;
    await tick(db, cfg, { budgetMs: 50_000 });
    const [p] = await backfillProgress(db, d.id);
    if (p.state !== 'running') {
      const ms = performance.now() - t0;
      close();
      report({ ms, ticks, hours: p.hoursTotal, jobsDone: p.jobsDone, events: p.events, bytes: p.bytes });
      break;
    }
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
