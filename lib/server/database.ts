// The process-wide database of the app's routes and scheduler, opened where the configuration is read.
import { openDatabase, type Database } from '../db/client';
import type { Db } from '../db/types';
import { databaseSettings } from './config';

let shared: Promise<Database> | undefined;

/** The process-wide database (DATABASE_URL, DATABASE_AUTH_TOKEN), opened and migrated once. */
export function getDatabase(): Promise<Database> {
  shared ??= openDatabase({ ...databaseSettings(), backgroundCheckpoints: true }).catch((e) => {
    shared = undefined;
    throw e;
  });
  return shared;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
