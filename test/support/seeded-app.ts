// The app under test on a database of its own: a fresh libSQL file with one organisation seeded,
// prepared (events ingested, connections made) before `next start` opens it, then signed in as the
// organisation's admin. The set-up most app-level integration tests begin with.
import { openDatabase, type Database } from '../../lib/db/client';
import type { Db } from '../../lib/db/types';
import { startApp, type RunningApp } from './app';
import { signInApi } from './app-api';
import { freshDbUrl } from './db';
import { seedOrg } from './seed';

import type { Seed } from './seed';
export type { Seed };

export interface SeededApp {
  app: RunningApp;
  database: Database;
  seed: Seed;
}

/** Seeds, runs `prepare` on the database, then starts the app on it with `env` (DATABASE_URL is set here). */
export async function startSeededApp(label: string, env: Record<string, string>, prepare?: (db: Db, seed: Seed) => Promise<void>): Promise<SeededApp> {
  const url = freshDbUrl();
  const database = await openDatabase({ url });
  const seed = await seedOrg(database.db, label);
  await prepare?.(database.db, seed);
  const app = await startApp({ DATABASE_URL: url, ...env });
  return { app, database, seed };
}

/** The admin's API client for a seeded app. */
export const adminApi = ({ app, seed }: SeededApp) => signInApi(app, seed.admin.email, seed.password);

/** Stops what startSeededApp started (either may be missing when set-up failed half-way). */
export async function stopSeededApp(s: Partial<SeededApp> | undefined) {
  await s?.app?.stop();
  s?.database?.close();
}
