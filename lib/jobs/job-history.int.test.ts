// Job rows of old empty hours are forgotten (issue: export_jobs grows by a row per connection, kind and
// hour forever): only "done, nothing written" rows past the history window go; hours with files, failed
// or repaired hours, the coverage and integrity windows, and a finished backfill's progress stay.
import { expect, it } from 'vitest';
import * as s from '../db/schema';
import { rgwDestination, testConfig } from '../../test/support/engine';
import { seededEachTest } from '../../test/support/seeded-db';
import { DAY_MS, floorHour, HOUR_MS } from '../util/hours';
import { forgetEmptyHours, historyCutoff } from './job-history';
import { backfillProgress } from './backfill';

const t = seededEachTest('history');

it('deletes the rows of empty hours done before the window and keeps everything that is news or history', async () => {
  const { db, client } = t.database;
  const now = Date.now();
  const config = testConfig({ jobHistoryDays: 40, integrityDays: 7 });
  const cutoff = historyCutoff(config, now);
  expect(cutoff).toBe(Math.floor((now - 40 * DAY_MS) / DAY_MS) * DAY_MS);
  const d = await rgwDestination(db, { orgId: t.seed.org.id, projectId: t.seed.project.id, bucket: 'history', exportMerged: true });
  const old = floorHour(now) - 60 * DAY_MS;
  const recent = floorHour(now) - 10 * DAY_MS;
  // 2 days of old hours done empty (both kinds), the same for recent ones
  const empty = (from: number) =>
    Array.from({ length: 48 }, (_, i) =>
      (['events', 'merged'] as const).map((kind) => ({
        destinationId: d.id,
        kind,
        hour: from + i * HOUR_MS,
        state: 'done' as const,
        dueAt: from + i * HOUR_MS + HOUR_MS,
        finishedAt: from + i * HOUR_MS + HOUR_MS,
      })),
    ).flat();
  await db.insert(s.exportJobs).values([...empty(old), ...empty(recent)]);
  // old hours that are news or wrote files
  const H = old + 2 * DAY_MS;
  const [withFiles, failed, repaired] = await db
    .insert(s.exportJobs)
    .values([
      { destinationId: d.id, kind: 'events', hour: H, state: 'done', dueAt: H, finishedAt: H, events: 3, goodEvents: 3, partsDone: 1, goodParts: 1 },
      { destinationId: d.id, kind: 'events', hour: H + HOUR_MS, state: 'failed', dueAt: H, errorKind: 'access', tries: 3 },
      { destinationId: d.id, kind: 'events', hour: H + 2 * HOUR_MS, state: 'done', dueAt: H, finishedAt: H, repairedAt: H, integrityIssue: 'gone' },
    ])
    .returning();
  await db.insert(s.exportedFiles).values({ jobId: withFiles.id, part: 1, key: 'x', events: 3, bytes: 10, rawBytes: 30 });
  // a backfill over the old days, finished: its progress must not fall when its empty hours go
  const [b] = await db
    .insert(s.backfills)
    .values({
      destinationId: d.id,
      fromHour: old,
      toHour: old + 2 * DAY_MS,
      nextHour: old + 2 * DAY_MS,
      state: 'done',
      createdAt: old,
      finishedAt: old + 2 * DAY_MS,
    })
    .returning();
  const before = (await backfillProgress(db, d.id)).find((p) => p.id === b.id)!;
  expect(before.jobsDone).toBe(96);

  expect(await forgetEmptyHours(db, config, now)).toBe(96);
  const left = await db.select().from(s.exportJobs);
  expect(
    left
      .filter((j) => j.hour < cutoff)
      .map((j) => j.id)
      .sort(),
  ).toEqual([withFiles.id, failed.id, repaired.id].sort());
  expect(left.filter((j) => j.hour >= recent)).toHaveLength(96);
  const after = (await backfillProgress(db, d.id)).find((p) => p.id === b.id)!;
  expect(after).toMatchObject({ jobsDone: 96, jobsTotal: 96, jobsFailed: 0 });
  // nothing more to do; with no history limit nothing goes at all
  expect(await forgetEmptyHours(db, config, now)).toBe(0);
  expect(await forgetEmptyHours(db, testConfig({ jobHistoryDays: 0 }), now + 365 * DAY_MS)).toBe(0);
  expect(Number((await client.execute('select count(*) from export_jobs')).rows[0][0])).toBe(99);
});

it('never reaches into the hours the integrity check compares', () => {
  const now = Date.UTC(2026, 11, 5, 12);
  expect(historyCutoff({ jobHistoryDays: 1, integrityDays: 90 }, now)).toBe(Date.UTC(2026, 11, 5) - 91 * DAY_MS);
  expect(historyCutoff({ jobHistoryDays: 1, integrityDays: 0 }, now)).toBe(Date.UTC(2026, 11, 5) - 32 * DAY_MS);
});
