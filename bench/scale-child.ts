// bench:scale's filler, a process of its own (bundled as the server's code is):
//   fill <db> <events> <hours>   a project with `events` events spread over the `hours` closed hours before
//                                the last one, stored through ingestion, then sealed and exported to a new
//                                bucket by ticks as the server runs them; <db>.json says who signs in
import { readFileSync, writeFileSync } from 'node:fs';
import { openDatabase } from '../lib/db/client';
import { keepDedupeFilter } from '../lib/ingest/dedupe';
import { createDestination } from '../lib/destinations/lifecycle';
import { DEFAULT_CONFIG } from '../lib/jobs/config';
import { tick } from '../lib/jobs/tick';
import { nodeGzipStream } from '../lib/server/node-gzip';
import { floorHour, HOUR_MS } from '../lib/util/hours';
import { ingestAt } from '../test/support/engine';
import { newBucket, rgwEnv } from '../test/support/rgw';
import { seedOrg } from '../test/support/seed';
import { benchEvents } from './data';

const [mode, file, eventsArg, hoursArg] = process.argv.slice(2);
if (mode !== 'fill') throw new Error(`unknown mode ${mode}`);
const events = Number(eventsArg);
const hours = Number(hoursArg);
const BATCH = 1000;
const t0 = performance.now();
const { db, client, close } = await openDatabase({ url: `file:${file}` });
const seed = await seedOrg(db, 'scale');
const first = floorHour(Date.now()) - (hours + 1) * HOUR_MS;
const bucket = await newBucket('scale');
// connected before its first hour, as a project that has been exporting all along
const d = await createDestination(
  db,
  {
    orgId: seed.org.id,
    projectId: seed.project.id,
    bucket,
    region: 'us-east-1',
    endpoint: rgwEnv().endpoint,
    forcePathStyle: true,
    exportEvents: true,
    exportMerged: true,
    prefix: '',
  },
  first,
);
const perHour = Math.ceil(events / hours);
for (let n = 0; n < events; n += BATCH) {
  const h = Math.floor(n / perHour);
  // spread over the first 50 minutes of each hour, in the order they arrive
  const at = first + h * HOUR_MS + Math.floor(((n % perHour) / perHour) * 3_000_000);
  await ingestAt(db, seed.project.apiKey!, benchEvents(Math.min(BATCH, events - n), 'scale', {}, n), at);
}
const ingestMs = performance.now() - t0;
const config = { ...DEFAULT_CONFIG, s3: { baseCredentials: rgwEnv().user1, streamUploads: true }, graceMs: 0, gzipNative: nodeGzipStream };
let jobs = 0;
for (;;) {
  const sum = await tick(db, config, { budgetMs: 3_600_000 });
  jobs += sum.jobs;
  if (sum.jobs === 0) break;
}
// left as a server's clean stop leaves its file (lib/server/shutdown.ts): the dedupe filter kept, so the
// runs below start as a restart does (after a crash the filter is built again: docs/BENCHMARKS.md)
const kept = await keepDedupeFilter(db);
await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
close();
writeFileSync(
  `${file}.json`,
  JSON.stringify({ email: seed.admin.email, password: seed.password, destinationId: d.id, projectId: seed.project.id, events, hours }),
);
const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
process.stdout.write(`${JSON.stringify({ events, hours, jobs, ingestMs, ms: performance.now() - t0, maxRssKb: hwm, kept })}\n`);
