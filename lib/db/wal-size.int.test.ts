// The write-ahead log does not keep its high-water mark: a 96 MB write grows it past 64 MB, and once
// the background checkpoint has copied it back, the next write starts it over, cut to WAL_SIZE_LIMIT
// (the issue saw a 207 MB WAL after the retention's deletes, never truncated).
import { statSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, type Database } from './client';
import { freshDbUrl } from '../../test/support/db';
import { WAL_SIZE_LIMIT } from './local-client';

let database: Database;
let path: string;
beforeEach(async () => {
  const url = freshDbUrl();
  path = url.slice('file:'.length);
  database = await openDatabase({ url, backgroundCheckpoints: true });
});
afterEach(() => database.close());

const walBytes = () => statSync(`${path}-wal`).size;

it('cuts the WAL back to its limit once a checkpoint let it start over', async () => {
  const { client } = database;
  await client.execute('create table big (b blob)');
  await client.execute('insert into big values (zeroblob(100663296))');
  expect(walBytes()).toBeGreaterThan(WAL_SIZE_LIMIT);
  await client.execute('delete from big');
  // the background checkpoint copies the WAL back; a write after it restarts the log and truncates it
  for (let i = 0; i < 100 && walBytes() > WAL_SIZE_LIMIT; i++) {
    await new Promise((r) => setTimeout(r, 100));
    await client.execute('insert into big values (1)');
  }
  expect(walBytes()).toBeLessThanOrEqual(WAL_SIZE_LIMIT);
});
