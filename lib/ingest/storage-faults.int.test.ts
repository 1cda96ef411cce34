// Storage faults during ingestion: a database locked by another process, and a full disk. The client
// gets a clear 503 with Retry-After, nothing of the batch is stored, and the retry stores all of it.
import { count } from 'drizzle-orm';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client';
import * as s from '../db/schema';
import { startApp, type RunningApp } from '../../test/support/app';
import { freshDatabase, freshDbUrl } from '../../test/support/db';
import { sampleEvents } from '../../test/support/engine';
import { seedOrg } from '../../test/support/seed';
import { handleIngest } from './http';

const apps: RunningApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.stop();
});

describe('storage faults during ingestion', () => {
  it('a database locked by another process: 503 after a bounded wait, nothing partial, retry succeeds', async () => {
    const url = freshDbUrl();
    const database = await openDatabase({ url });
    const seed = await seedOrg(database.db);
    const app = await startApp({ DATABASE_URL: url, INGEST_WRITE_WAIT_MS: '1500' });
    apps.push(app);
    const body = JSON.stringify({ api_key: seed.project.apiKey, events: sampleEvents(50, 'locked') });
    const post = () => fetch(`${app.url}/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    // another process holds the write lock (an exclusive transaction on the same file)
    const locker = createClient({ url });
    const held = await locker.transaction('write');
    await held.execute('CREATE TABLE IF NOT EXISTS lock_holder (x)');
    const r = await post();
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBeTruthy();
    const j = await r.json();
    expect(j).toMatchObject({ code: 503 });
    expect(j.error).toMatch(/nothing was stored/);
    await held.rollback();
    locker.close();

    const events = async () => (await database.db.select({ n: count() }).from(s.events))[0].n;
    expect(await events()).toBe(0);
    const ok = await post();
    expect(ok.status).toBe(200);
    expect(await events()).toBe(50);
    database.close();
  });

  it('a full disk: 503, no event, identity or dedupe row of the batch kept; retry after space frees stores it all', async () => {
    const database = await freshDatabase();
    const { db, client } = database;
    const seed = await seedOrg(db);
    const pages = Number((await client.execute('PRAGMA page_count')).rows[0][0]);
    // SQLite refuses to grow the file past this: the same SQLITE_FULL a full disk gives
    await client.execute(`PRAGMA max_page_count = ${pages + 4}`);
    const request = () =>
      new Request('http://127.0.0.1/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ api_key: seed.project.apiKey, events: sampleEvents(400, 'full') }),
      });
    const r = await handleIngest(db, request(), '/batch', '127.0.0.1');
    expect(r.status).toBe(503);
    expect((await r.json()).error).toMatch(/disk full/);
    const n = async (t: typeof s.events | typeof s.amplitudeUsers | typeof s.devicesL0 | typeof s.dedupeL0) => (await db.select({ n: count() }).from(t))[0].n;
    expect([await n(s.events), await n(s.amplitudeUsers), await n(s.dedupeL0), await n(s.devicesL0)]).toEqual([0, 0, 0, 0]);

    await client.execute('PRAGMA max_page_count = 1073741823');
    const ok = await handleIngest(db, request(), '/batch', '127.0.0.1');
    expect(ok.status).toBe(200);
    expect(await n(s.events)).toBe(400);
    database.close();
  });
});
