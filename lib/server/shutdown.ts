// What a clean stop does before the process exits: server.mjs runs it on SIGTERM or SIGINT once the HTTP
// server took its last request. Ingestion's threads stop, the writing thread (or the main thread, when it
// ingested) keeping its dedupe filter for the next process on the file (lib/ingest/level-filter.ts).
// Node edge.
import { keepDedupeFilter } from '../ingest/dedupe';
import type { Db } from '../db/types';
import { stopIngestThreads } from './ingest-workers';

// on globalThis: server.mjs is not a bundle of the app, and finds it there
const KEY = Symbol.for('spillway.shutdown');
const g = globalThis as { [KEY]?: () => Promise<void> };

/** Registers the clean stop of this process, for the database start-up opened. */
export function registerShutdown(db: Db) {
  g[KEY] = async () => {
    await stopIngestThreads(true);
    await keepDedupeFilter(db);
  };
}
