// Freed pages go back to the file system (issue: the database file never shrinks): a new file is made
// with auto_vacuum=INCREMENTAL, and once the retention deletes an hour's raw rows the freelist is given
// back in short writes, so the file's pages fall with them.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ingestAt, sampleEvents, testConfig } from '../../test/support/engine';
import { freshSeeded, type Seed } from '../../test/support/seed';
import { tick } from '../jobs/tick';
import { floorHour, HOUR_MS } from '../util/hours';
import type { Database } from './client';

let database: Database;
let seed: Seed;
beforeEach(async () => ({ database, seed } = await freshSeeded('pages')));
afterEach(() => database.close());

const pragma = async (name: string) => Number((await database.client.execute(`PRAGMA ${name}`)).rows[0][0]);

it('gives the pages of the raw rows the retention deleted back to the file system', async () => {
  expect(await pragma('auto_vacuum')).toBe(2);
  const H = floorHour(Date.now()) - 3 * 24 * HOUR_MS;
  for (let i = 0; i < 6; i++) await ingestAt(database.db, seed.project.apiKey!, sampleEvents(500, `p${i}`), H + i * 1000);
  const before = await pragma('page_count');
  // sealed, then its raw rows deleted: they are older than the one day kept
  await tick(database.db, testConfig({ rawRetentionDays: 1, graceMs: 0 }), { budgetMs: 60_000 });
  expect(Number((await database.client.execute('select count(*) from event_rows')).rows[0][0])).toBe(0);
  const after = await pragma('page_count');
  expect(await pragma('freelist_count')).toBe(0);
  // 3,000 rows of about 1 KB went; the hour's sealed copy (gzip, a tenth of it) stayed
  expect(after).toBeLessThan(before * 0.6);
  console.log(`pages: ${before} before, ${after} after the retention (${Math.round((1 - after / before) * 100)}% given back)`);
});
