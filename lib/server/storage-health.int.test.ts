// The health check's write of ingestion's size, on a real libSQL file that refuses to grow (SQLite's
// max_page_count gives the SQLITE_FULL of a full disk). The disk floor is covered against the running
// app on a small tmpfs (lib/jobs/own-faults.int.test.ts).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/db';
import type { Database } from '../db/client';
import { heartbeat, thisInstance } from './instance';
import { freeDiskMb, storageProblem } from './storage-health';

let database: Database;
const floor = process.env.SPILLWAY_MIN_FREE_DISK_MB;
beforeEach(async () => {
  database = await freshDatabase();
  process.env.SPILLWAY_MIN_FREE_DISK_MB = '0';
});
afterEach(() => {
  database.close();
  if (floor === undefined) delete process.env.SPILLWAY_MIN_FREE_DISK_MB;
  else process.env.SPILLWAY_MIN_FREE_DISK_MB = floor;
});

it('answers why when a write of ingestion’s size fails, though a heartbeat still passes', async () => {
  const { db, client, url } = database;
  const me = thisInstance();
  await heartbeat(db);
  const pages = Number((await client.execute('PRAGMA page_count')).rows[0][0]);
  await client.execute(`PRAGMA max_page_count = ${pages + 8}`);
  await heartbeat(db, undefined, 2_000);
  expect(await storageProblem(db, url, me.id, 1_000_000)).toBe("a 1 MB write failed: the disk of Spillway's database is full");
  // within the probe's period the outcome is kept; after it, asked again
  await client.execute('PRAGMA max_page_count = 1073741823');
  expect(await storageProblem(db, url, me.id, 1_001_000)).not.toBeNull();
  expect(await storageProblem(db, url, me.id, 1_010_000)).toBeNull();
});

it('measures the free space of a file database’s disk, and none for a remote one', async () => {
  expect(await freeDiskMb(database.url)).toBeGreaterThan(0);
  expect(await freeDiskMb('libsql://db.example.turso.io')).toBeNull();
});
