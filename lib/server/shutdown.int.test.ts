// A clean stop of the server (SIGTERM: server.mjs runs lib/server/shutdown.ts) keeps the writing thread's
// dedupe filter in the database, exact for the levels' token; the next start takes it and still drops
// every duplicate.
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../db/client';
import { startApp, type RunningApp } from '../../test/support/app';
import { freshDbUrl } from '../../test/support/db';
import { seedOrg } from '../../test/support/seed';

let app: RunningApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

const post = (url: string, apiKey: string, ids: string[]) =>
  fetch(`${url}/2/httpapi`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: apiKey, events: ids.map((id) => ({ device_id: 'device-1', event_type: 'x', insert_id: id })) }),
  }).then((r) => r.json() as Promise<{ code: number; events_ingested: number }>);

it('keeps the dedupe filter at SIGTERM, exact for the levels, and the next start still drops duplicates', async () => {
  const url = freshDbUrl();
  const { db, close } = await openDatabase({ url });
  const { project } = await seedOrg(db, 'stop');
  close();
  app = await startApp({ DATABASE_URL: url });
  expect(await post(app.url, project.apiKey!, ['a', 'b', 'c'])).toMatchObject({ code: 200, events_ingested: 3 });
  await app.stop();
  expect(app.proc.exitCode).toBe(0);
  app = null;

  const after = await openDatabase({ url });
  const kept = await after.client.execute('select f.token, f.keys, length(f.bits), l.filter_token from level_filters f, dedupe_levels l where l.level = 2');
  after.close();
  expect(kept.rows).toHaveLength(1);
  // a fresh file's large levels are empty: the filter holds no key, and is exact for the token
  const row = kept.rows[0];
  expect([row[0], row[1], row[2]]).toEqual([row[3], 0, 0]);

  app = await startApp({ DATABASE_URL: url });
  expect(await post(app.url, project.apiKey!, ['a', 'b', 'c', 'd'])).toMatchObject({ code: 200 });
  expect(app.logs.join('')).not.toMatch(/dedupe filter was not kept|clean stop failed/);
  // the three were duplicates: one event more
  const check = await openDatabase({ url });
  const rows = await check.client.execute({ sql: 'select count(*) from event_rows where project_id = ?', args: [project.id] });
  check.close();
  expect(Number(rows.rows[0][0])).toBe(4);
});
