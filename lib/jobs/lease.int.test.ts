// Job leases (lease.ts): a job belongs to whoever claimed it until its lease runs out; hourly hours go
// before manual ones, older before newer; a holder renewing in time keeps it, one that stopped loses it
// to the next claim, and then learns so at its next renewal.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/db';
import { rgwDestination } from '../../test/support/engine';
import { seedOrg } from '../../test/support/seed';
import type { Database } from '../db/client';
import * as s from '../db/schema';
import { claimJob, keepLease } from './lease';

let database: Database;
let destinationId: number;
const HOUR = 3_600_000;

beforeEach(async () => {
  database = await freshDatabase();
  const seed = await seedOrg(database.db, 'lease');
  destinationId = (await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket: 'unused' })).id;
  // the destination's own plan is not run here: only these jobs exist
  await database.db.delete(s.exportJobs);
  await database.db.insert(s.exportJobs).values([
    { destinationId, kind: 'events', hour: 5 * HOUR, origin: 'backfill', dueAt: 0, updatedAt: 0 },
    { destinationId, kind: 'events', hour: 9 * HOUR, dueAt: 0, updatedAt: 0 },
    { destinationId, kind: 'events', hour: 7 * HOUR, dueAt: 0, updatedAt: 0 },
    { destinationId, kind: 'events', hour: 8 * HOUR, dueAt: 10_000, updatedAt: 0 },
  ]);
});
afterEach(() => database.close());

it('claims due jobs once each: hourly before manual, oldest first; none twice while leased', async () => {
  const order: number[] = [];
  for (let i = 0; i < 5; i++) {
    const job = await claimJob(database.db, `worker-${i}`, 1_000, 60_000);
    if (job) order.push(job.hour / HOUR);
  }
  // the hour due at 10 s is not due yet at 1 s
  expect(order).toEqual([7, 9, 5]);
});

it('a lease that ran out is claimed by the next worker; its old holder learns it lost the job', async () => {
  const first = (await claimJob(database.db, 'stopped', 1_000, 5_000))!;
  expect(first.hour).toBe(7 * HOUR);
  // still leased: another worker gets the next job, not this one
  expect((await claimJob(database.db, 'other', 2_000, 5_000))!.hour).toBe(9 * HOUR);
  // past its lease: taken over
  const taken = (await claimJob(database.db, 'next', 7_000, 5_000))!;
  expect([taken.id, taken.leaseOwner]).toEqual([first.id, 'next']);
  // the stopped worker's renewal finds the job is not its own any more
  let now = 8_000;
  const lease = keepLease(database.db, first, 'stopped', 3_000, () => now);
  await new Promise((r) => setTimeout(r, 1_200));
  lease.stop();
  expect(lease.lost()).toBe(true);
  // and the holder's renewals move its lease on
  const held = keepLease(database.db, taken, 'next', 3_000, () => now);
  now = 20_000;
  await new Promise((r) => setTimeout(r, 1_200));
  held.stop();
  expect(held.lost()).toBe(false);
  const [row] = await database.db.select().from(s.exportJobs).where(eq(s.exportJobs.id, taken.id));
  expect(row.leaseUntil).toBe(23_000);
});
