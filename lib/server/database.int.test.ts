// One process, one database client per thread: start-up (migrations, the scheduler) and the route
// handlers are separate bundles, and each had its own client, with its own write lock, page caches and
// checkpointing thread. Counted from outside, as the kernel sees the server's open files.
import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../db/client';
import { startApp, type RunningApp } from '../../test/support/app';
import { freshDbUrl } from '../../test/support/db';
import { seedOrg } from '../../test/support/seed';

let app: RunningApp;
let file: string;
let apiKey: string;

beforeAll(async () => {
  const url = freshDbUrl();
  file = url.slice('file:'.length);
  const database = await openDatabase({ url });
  apiKey = (await seedOrg(database.db, 'one-client')).project.apiKey!;
  database.close();
  app = await startApp({ DATABASE_URL: url, SPILLWAY_SCHEDULER: 'on', SPILLWAY_TICK_INTERVAL_MS: '1000' });
});
afterAll(() => app?.stop());

/** The server's connections to the database file (each opens the file once). */
function connections(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith(file);
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

it('opens the database once for start-up and the routes, and once on ingestion’s writing thread', async () => {
  for (const path of ['/api/setup', '/api/health', '/api/me']) await fetch(`${app.url}${path}`);
  const r = await fetch(`${app.url}/2/httpapi`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: apiKey, events: [{ user_id: 'one-client-user', event_type: 'e', insert_id: 'one-client-1' }] }),
  });
  expect(r.status).toBe(200);
  // the scheduler's ticks run meanwhile on start-up's client
  await new Promise((res) => setTimeout(res, 2_500));
  // main thread: a write and a read connection; the writing thread: the same; one checkpointing thread
  expect(connections(app.proc.pid!)).toBe(5);
});
