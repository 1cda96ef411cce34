// The writing thread of ingestion (bundled to .next/spillway/ingest-writer.mjs by
// scripts/build-workers.mjs): stores what the parsing threads prepared (lib/ingest/ingest.ts
// storePrepared: project, origin, throttle, the write transaction) and answers the main thread. Off the
// main thread, the write transactions never hold up the reading of requests or the pages.
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { openDatabase } from '../db/client';
import { INGEST_WRITE_CACHE_MB } from '../db/local-client';
import { keepDedupeFilter } from '../ingest/dedupe';
import { warmGroupWrites } from '../ingest/group-commit';
import { failure } from '../ingest/http';
import { storePrepared, type IngestContext } from '../ingest/ingest';
import type { Prepared } from '../ingest/prepare';
import { unpackPrepared, type PackedEvents } from '../ingest/prepared-wire';

const { url, parsers } = workerData as { url: string; parsers: MessagePort[] };
// the main thread's database (lib/server/database.ts) runs the process's checkpoints: a second thread
// doing the same only split them into more, smaller checkpoints, each with its fsync
let database: ReturnType<typeof open> | null = open();

/** The database, and the upkeep of ingestion's writes begun on it (the dedupe filter built before requests come). */
function open() {
  const d = openDatabase({ url, backgroundCheckpoints: 'process', writeCacheMb: INGEST_WRITE_CACHE_MB });
  d.then(({ db }) => warmGroupWrites(db)).catch(() => undefined);
  return d;
}

/** The open database; an open that failed (another process held the lock) fails one request and is tried again with the next. */
async function opened() {
  database ??= open();
  try {
    return (await database).db;
  } catch (e) {
    database = null;
    throw e;
  }
}

for (const port of parsers) {
  port.on('message', async (m: { id: number; prepared: Prepared | PackedEvents; ctx: IngestContext }) => {
    let result;
    try {
      const prepared = m.prepared.type === 'packed' ? unpackPrepared(m.prepared) : m.prepared;
      result = await storePrepared(await opened(), prepared, m.ctx);
    } catch (e) {
      result = failure(e);
    }
    parentPort!.postMessage({ id: m.id, result });
  });
}

// a clean stop of the server (lib/server/ingest-workers.ts stop): the dedupe filter kept for the next process
parentPort!.on('message', async (m: { type?: string }) => {
  if (m.type !== 'keep') return;
  let kept = false;
  try {
    if (database) kept = await keepDedupeFilter((await database).db);
  } catch (e) {
    console.error('spillway: the dedupe filter was not kept:', (e as Error).message);
  }
  parentPort!.postMessage({ kept });
});
