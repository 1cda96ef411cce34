// Manual exports (backfills): any date range, planned lazily by tick(), with progress derived from
// the jobs they own, cancellable, and surviving restarts (everything lives in the database).
import { and, eq, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { writeTx } from '../db/write';
import { floorHour, HOUR_MS } from '../util/hours';
import { InputError } from '../util/errors';
import type { EngineConfig } from './config';
import { kindsOf, lastClosedHour } from './plan';

/** A range that cannot be exported (not over yet, reversed, before 2000): 400. */
export class BackfillError extends InputError {}

export interface BackfillRequest {
  destinationId: number;
  /** inclusive start and exclusive end, epoch ms (rounded out to whole UTC hours) */
  from: number;
  to: number;
  requestedBy?: number | null;
}

export async function startBackfill(db: Db, config: EngineConfig, req: BackfillRequest, now = Date.now()) {
  if (!Number.isFinite(req.from) || !Number.isFinite(req.to)) throw new BackfillError('Choose a start and an end date');
  const fromHour = floorHour(req.from);
  const closedEnd = lastClosedHour(now, config.graceMs) + HOUR_MS;
  const toHour = Math.min(Math.ceil(req.to / HOUR_MS) * HOUR_MS, closedEnd);
  if (fromHour < Date.UTC(2000, 0, 1)) throw new BackfillError('The start date is too far in the past');
  if (toHour <= fromHour) {
    throw new BackfillError(
      req.from >= closedEnd ? 'That range has not ended yet: only hours that are over can be exported' : 'The end must be after the start',
    );
  }
  return writeTx(db, async (tx) => {
    const [b] = await tx
      .insert(s.backfills)
      .values({ destinationId: req.destinationId, requestedBy: req.requestedBy ?? null, fromHour, toHour, nextHour: fromHour, createdAt: now })
      .returning();
    return b;
  });
}

export interface BackfillProgress {
  id: number;
  state: 'running' | 'done' | 'cancelled';
  fromHour: number;
  toHour: number;
  hoursTotal: number;
  jobsTotal: number;
  jobsDone: number;
  jobsFailed: number;
  events: number;
  bytes: number;
  createdAt: number;
  finishedAt: number | null;
}

export async function backfillProgress(db: Db, destinationId: number): Promise<BackfillProgress[]> {
  const [d] = await db.select().from(s.destinations).where(eq(s.destinations.id, destinationId));
  if (!d) return [];
  const list = await db
    .select()
    .from(s.backfills)
    .where(eq(s.backfills.destinationId, destinationId))
    .orderBy(sql`${s.backfills.id} desc`)
    .limit(20);
  const kinds = kindsOf(d).length || 1;
  const out: BackfillProgress[] = [];
  for (const b of list) {
    // by the hours of its range, not by which backfill owns a job now: an overlapping later backfill
    // takes jobs over, and an hour exported since this one started counts for both. An hour exported
    // well since it started stays done for it, whatever a later export of the hour does (finished_at
    // and good_* are the last good run's); a failure counts only while it is this backfill's news
    const doneSince = sql`${s.exportJobs.finishedAt} >= ${b.createdAt}`;
    const failedSince = sql`${s.exportJobs.state} = 'failed' and ${s.exportJobs.updatedAt} >= ${b.createdAt} and not coalesce(${doneSince}, 0)`;
    const [agg] = await db
      .select({
        done: sql<number>`coalesce(sum(case when ${doneSince} then 1 else 0 end), 0)`,
        failed: sql<number>`coalesce(sum(case when ${failedSince} then 1 else 0 end), 0)`,
        // lines of event files only: a merged-IDs line is not an event
        events: sql<number>`coalesce(sum(case when ${doneSince} and ${s.exportJobs.kind} = 'events' then ${s.exportJobs.goodEvents} else 0 end), 0)`,
        bytes: sql<number>`coalesce(sum(case when ${doneSince} then ${s.exportJobs.goodBytes} else 0 end), 0)`,
      })
      .from(s.exportJobs)
      // the skipped hours at the start are counted as done below, not again by their hourly jobs
      .where(
        and(eq(s.exportJobs.destinationId, destinationId), gte(s.exportJobs.hour, b.fromHour + b.skippedHours * HOUR_MS), lt(s.exportJobs.hour, b.toHour)),
      );
    const hoursTotal = (b.toHour - b.fromHour) / HOUR_MS;
    out.push({
      id: b.id,
      state: b.state,
      fromHour: b.fromHour,
      toHour: b.toHour,
      hoursTotal,
      jobsTotal: hoursTotal * kinds,
      // skipped hours (before the project's first data) are done: nothing to write. A finished backfill
      // ran every hour of its range: those not failed are done, whether or not their empty hours' rows
      // have been forgotten since (job-history.ts)
      jobsDone: b.state === 'done' ? hoursTotal * kinds - Number(agg.failed) : Number(agg.done) + b.skippedHours * kinds,
      jobsFailed: Number(agg.failed),
      events: Number(agg.events),
      bytes: Number(agg.bytes),
      createdAt: b.createdAt,
      finishedAt: b.finishedAt,
    });
  }
  return out;
}

/** Stops a backfill: waiting hours are dropped (hours exported before keep their earlier result). */
export async function cancelBackfill(db: Db, destinationId: number, backfillId: number, now = Date.now()): Promise<boolean> {
  return writeTx(db, async (tx) => {
    const r = await tx
      .update(s.backfills)
      .set({ state: 'cancelled', finishedAt: now })
      .where(and(eq(s.backfills.id, backfillId), eq(s.backfills.destinationId, destinationId), eq(s.backfills.state, 'running')))
      .returning({ id: s.backfills.id });
    if (r.length === 0) return false;
    const waiting = and(eq(s.exportJobs.backfillId, backfillId), inArray(s.exportJobs.state, ['pending', 'retry']));
    await tx
      .update(s.exportJobs)
      .set({ state: 'done', updatedAt: now })
      .where(and(waiting, isNotNull(s.exportJobs.finishedAt)));
    await tx
      .update(s.exportJobs)
      .set({ state: 'cancelled', updatedAt: now })
      .where(and(waiting, isNull(s.exportJobs.finishedAt)));
    return true;
  });
}
