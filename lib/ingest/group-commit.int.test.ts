import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../db/client';
import type { Tx } from '../db/types';
import { freshDatabase } from '../../test/support/db';
import { groupWrite } from './group-commit';

let database: Database;
beforeEach(async () => {
  database = await freshDatabase();
  await database.db.run(sql`create table gc_probe (v text not null)`);
});
afterEach(() => database.close());

const values = async () => (await database.db.all<{ v: string }>(sql`select v from gc_probe order by rowid`)).map((r) => r.v);

it('requests queued together share one transaction, and one that fails takes nothing of the others with it', async () => {
  const runs: string[] = [];
  const request = (v: string, fail = false) =>
    groupWrite(database.db, 1, { waitMs: 5_000 }, async (tx: Tx) => {
      runs.push(v);
      await tx.run(sql`insert into gc_probe (v) values (${v})`);
      if (fail) throw new Error(`request ${v} failed`);
    });
  // the first starts at once; the three queued behind it are one group
  const results = await Promise.allSettled([request('a'), request('b'), request('c', true), request('d')]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect((results[2] as PromiseRejectedResult).reason.message).toBe('request c failed');
  // the group ran once together (rolled back whole), then each of its requests alone
  expect(runs).toEqual(['a', 'b', 'c', 'b', 'c', 'd']);
  expect(await values()).toEqual(['a', 'b', 'd']);
});

it('a group that succeeds commits once with one server_upload_time', async () => {
  const runs: string[] = [];
  const request = (v: string) =>
    groupWrite(database.db, 1, { waitMs: 5_000 }, async (tx: Tx, now) => {
      runs.push(v);
      await tx.run(sql`insert into gc_probe (v) values (${`${v}@${now}`})`);
    });
  const times = await Promise.all([request('a'), request('b'), request('c')]);
  expect(runs).toEqual(['a', 'b', 'c']);
  expect(times[1]).toBe(times[2]);
  expect(await values()).toEqual([`a@${times[0]}`, `b@${times[1]}`, `c@${times[2]}`]);
});
