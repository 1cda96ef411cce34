import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../db/client';
import { freshDatabase } from '../../test/support/db';
import { ingestAt, sampleEvents } from '../../test/support/engine';
import { seedOrg } from '../../test/support/seed';
import { hourlyCounts } from './stats';

let database: Database;
beforeEach(async () => {
  database = await freshDatabase();
});
afterEach(() => database.close());

it('counts events per project and whole UTC hour of server upload time, only for the organisation', async () => {
  const { db } = database;
  const a = await seedOrg(db, 'a');
  const b = await seedOrg(db, 'b');
  const h = Date.UTC(2026, 10, 24, 13);
  await ingestAt(db, a.project.apiKey!, sampleEvents(2, 'x'), h + 60_000);
  await ingestAt(db, a.project.apiKey!, sampleEvents(1, 'y'), h + 3_540_000);
  await ingestAt(db, a.project.apiKey!, sampleEvents(4, 'z'), h + 3_600_000);
  await ingestAt(db, b.project.apiKey!, sampleEvents(5, 'w'), h + 60_000);
  expect(await hourlyCounts(db, a.org.id, h - 3_600_000)).toEqual([
    { projectId: a.project.id, hour: '2026-11-24T13:00:00.000Z', events: 3 },
    { projectId: a.project.id, hour: '2026-11-24T14:00:00.000Z', events: 4 },
  ]);
});
