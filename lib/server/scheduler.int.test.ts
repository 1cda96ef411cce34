// The app started as the README says exports closed hours by itself (in-process scheduler), and
// /api/cron runs a tick only with the CRON_SECRET bearer token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client';
import { floorHour, HOUR_MS } from '../util/hours';
import { startApp, type RunningApp } from '../../test/support/app';
import { freshDbUrl } from '../../test/support/db';
import { ingestAt, rgwDestination, sampleEvents } from '../../test/support/engine';
import { listKeys, newBucket, serverIdentityEnv } from '../../test/support/rgw';
import { seedOrg } from '../../test/support/seed';

let app: RunningApp;
let database: Database;
let bucket: string;
let projectId: number;
const H = floorHour(Date.now()) - HOUR_MS;

beforeAll(async () => {
  const url = freshDbUrl();
  database = await openDatabase({ url });
  const seed = await seedOrg(database.db);
  projectId = seed.project.id;
  await ingestAt(database.db, seed.project.apiKey!, sampleEvents(10, 'sched'), H + 60_000);
  bucket = await newBucket('sched');
  await rgwDestination(database.db, { orgId: seed.org.id, projectId, bucket });
  app = await startApp({
    DATABASE_URL: url,
    SPILLWAY_SCHEDULER: 'on',
    SPILLWAY_TICK_INTERVAL_MS: '1000',
    EXPORT_GRACE_MS: '0',
    ...serverIdentityEnv('user1'),
    CRON_SECRET: 'test-cron-secret-0123456789',
  });
});
afterAll(async () => {
  await app?.stop();
  database?.close();
});

describe('scheduling', () => {
  it('the running app exports the previous hour by itself', async () => {
    const name = `${projectId}_${new Date(H).toISOString().slice(0, 10)}_${new Date(H).getUTCHours()}#1.json.gz`;
    const deadline = Date.now() + 60_000;
    let keys: string[] = [];
    while (Date.now() < deadline) {
      keys = await listKeys(bucket);
      if (keys.includes(name)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(keys, app.logs.join('')).toEqual([name]);
  });

  it('/api/cron needs the bearer secret', async () => {
    expect((await fetch(`${app.url}/api/cron`)).status).toBe(401);
    expect((await fetch(`${app.url}/api/cron`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${app.url}/api/cron`, { headers: { authorization: 'Bearer test-cron-secret-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ failed: 0 });
  });
});
