// The process-wide database of the app's routes and scheduler, opened where the configuration is read.
import { openDatabase, type Database } from '../db/client';
import type { Db } from '../db/types';
import { databaseSettings } from './config';

// on globalThis: Next.js loads start-up and the route handlers as separate bundles of one process, and
// a module variable gave each its own client (two write locks, two page caches, two checkpointing threads)
const KEY = Symbol.for('spillway.database');
const g = globalThis as { [KEY]?: Promise<Database> };

/** The process-wide database (DATABASE_URL, DATABASE_AUTH_TOKEN), opened and migrated once. */
export function getDatabase(): Promise<Database> {
  g[KEY] ??= openDatabase({ ...databaseSettings(), backgroundCheckpoints: true }).catch((e) => {
    g[KEY] = undefined;
    throw e;
  });
  return g[KEY];
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
