// Planning: turns due hours into job rows (one per destination, data kind and hour; a unique key).
//   hourly: every closed hour from the destination's planning cursor, catching up hours missed while
//           the process was down;
//   backfill: lazily, a slice of hours per tick, re-queuing hours exported before (a re-export writes
//           identical objects, so overlaps never duplicate).
import { and, eq, gt, gte, inArray, lt, lte, notExists, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db, DbOrTx } from '../db/types';
import { withWriteLock, writeTx } from '../db/write';
import { nextDataHour } from '../export/seal/parts-from-rows';
import { floorHour, HOUR_MS } from '../util/hours';
import type { EngineConfig } from './config';

const MAX_HOURS_PER_PLAN = 1_000;

export function kindsOf(d: { exportEvents: boolean; exportMerged: boolean }): ('events' | 'merged')[] {
  return [...(d.exportEvents ? (['events'] as const) : []), ...(d.exportMerged ? (['merged'] as const) : [])];
}

/** The start of the newest hour that may be exported at `now`. */
export function lastClosedHour(now: number, graceMs: number): number {
  return floorHour(now - graceMs) - HOUR_MS;
}

export async function planHourly(db: Db, config: EngineConfig, now: number): Promise<number> {
  const last = lastClosedHour(now, config.graceMs);
  const due = await db
    .select()
    .from(s.destinations)
    .where(and(eq(s.destinations.enabled, true), lte(s.destinations.plannedUntil, last)));
  let planned = 0;
  for (const d of due) {
    const end = Math.min(last, d.plannedUntil + (MAX_HOURS_PER_PLAN - 1) * HOUR_MS);
    const rows: (typeof s.exportJobs.$inferInsert)[] = [];
    for (let h = d.plannedUntil; h <= end; h += HOUR_MS) {
      for (const kind of kindsOf(d)) rows.push({ destinationId: d.id, kind, hour: h, origin: 'hourly', dueAt: now, updatedAt: now });
    }
    planned += await writeTx(db, async (tx) => {
      // the cursor moves only if nobody planned these hours meanwhile
      const moved = await tx
        .update(s.destinations)
        .set({ plannedUntil: end + HOUR_MS })
        .where(and(eq(s.destinations.id, d.id), eq(s.destinations.plannedUntil, d.plannedUntil)))
        .returning({ id: s.destinations.id });
      if (moved.length === 0) return 0;
      for (let i = 0; i < rows.length; i += 500)
        await tx
          .insert(s.exportJobs)
          .values(rows.slice(i, i + 500))
          .onConflictDoNothing();
      return rows.length;
    });
  }
  return planned;
}

/** The hour of the project's first event or merge (index seeks; sealed hours count, their raw rows may be gone), or +Infinity. */
async function firstDataHour(db: Db, projectId: number): Promise<number> {
  const [hours, [sealed]] = await Promise.all([
    Promise.all((['events', 'merged'] as const).map((k) => nextDataHour(db, k, projectId, 0))),
    db
      .select({ t: s.seals.hour })
      .from(s.seals)
      .where(and(eq(s.seals.projectId, projectId), gt(s.seals.lines, 0)))
      .orderBy(s.seals.hour)
      .limit(1),
  ]);
  return Math.min(...hours.map((h) => h ?? Infinity), sealed?.t ?? Infinity);
}

export async function planBackfills(db: Db, config: EngineConfig, now: number): Promise<number> {
  const running = await db.select().from(s.backfills).where(eq(s.backfills.state, 'running'));
  let planned = 0;
  for (const b of running) {
    const [d] = await db.select().from(s.destinations).where(eq(s.destinations.id, b.destinationId));
    if (!d) continue;
    if (b.nextHour >= b.toHour) {
      await withWriteLock(db, () => finishBackfillIfDone(db, b.id, now));
      continue;
    }
    b.nextHour = await skipHoursBeforeData(db, b, d.projectId);
    if (b.nextHour >= b.toHour) continue;
    // lazily: only keep about one slice of this backfill waiting at a time
    const [{ waiting }] = await db
      .select({ waiting: sql<number>`count(*)` })
      .from(s.exportJobs)
      .where(and(eq(s.exportJobs.backfillId, b.id), inArray(s.exportJobs.state, ['pending', 'retry'])));
    if (Number(waiting) >= config.backfillPlanHours) continue;
    planned += await planSlice(db, b, d, Math.min(b.toHour, b.nextHour + config.backfillPlanHours * HOUR_MS), now);
  }
  return planned;
}

/**
 * Marks a backfill done once it is fully planned and none of its jobs is open: called when one of its
 * jobs finishes (so the page shows "done" at once) and by planning (a backfill with nothing to do).
 */
export async function finishBackfillIfDone(db: DbOrTx, backfillId: number, now: number) {
  const [b] = await db.select().from(s.backfills).where(eq(s.backfills.id, backfillId));
  if (!b || b.state !== 'running') return;
  // open jobs of its hours, whichever backfill (or the hourly plan) holds them now
  const open = db
    .select({ id: s.exportJobs.id })
    .from(s.exportJobs)
    .where(
      and(
        eq(s.exportJobs.destinationId, b.destinationId),
        gte(s.exportJobs.hour, b.fromHour),
        lt(s.exportJobs.hour, b.toHour),
        inArray(s.exportJobs.state, ['pending', 'running', 'retry']),
      ),
    );
  await db
    .update(s.backfills)
    .set({ state: 'done', finishedAt: now })
    .where(and(eq(s.backfills.id, backfillId), eq(s.backfills.state, 'running'), gte(s.backfills.nextHour, s.backfills.toHour), notExists(open)));
}

/** After jobs of hours `first`..`last` finished: every running backfill whose range meets them may be done now. */
export async function finishBackfillsCovering(db: DbOrTx, destinationId: number, first: number, last: number, now: number) {
  const covering = await db
    .select({ id: s.backfills.id })
    .from(s.backfills)
    .where(and(eq(s.backfills.destinationId, destinationId), eq(s.backfills.state, 'running'), lte(s.backfills.fromHour, last), gt(s.backfills.toHour, first)));
  for (const b of covering) await finishBackfillIfDone(db, b.id, now);
}

type Backfill = typeof s.backfills.$inferSelect;

/**
 * Hours before the project's first data have nothing to export: they are passed without jobs, so a
 * range that starts in 2000 costs one query and the first file comes at once. Returns the cursor.
 */
async function skipHoursBeforeData(db: Db, b: Backfill, projectId: number): Promise<number> {
  const first = await firstDataHour(db, projectId);
  if (b.nextHour >= first) return b.nextHour;
  const to = Math.min(b.toHour, first);
  await writeTx(db, (tx) =>
    tx
      .update(s.backfills)
      .set({ nextHour: to, skippedHours: sql`${s.backfills.skippedHours} + ${(to - b.nextHour) / HOUR_MS}` })
      .where(and(eq(s.backfills.id, b.id), eq(s.backfills.nextHour, b.nextHour), eq(s.backfills.state, 'running'))),
  );
  return to;
}

/** Jobs for the hours [b.nextHour, end): new ones, or earlier exports of those hours queued again. */
async function planSlice(db: Db, b: Backfill, d: typeof s.destinations.$inferSelect, end: number, now: number): Promise<number> {
  return writeTx(db, async (tx) => {
    const moved = await tx
      .update(s.backfills)
      .set({ nextHour: end })
      .where(and(eq(s.backfills.id, b.id), eq(s.backfills.nextHour, b.nextHour), eq(s.backfills.state, 'running')))
      .returning({ id: s.backfills.id });
    if (moved.length === 0) return 0;
    const rows: (typeof s.exportJobs.$inferInsert)[] = [];
    for (let h = b.nextHour; h < end; h += HOUR_MS) {
      for (const kind of kindsOf(d)) rows.push({ destinationId: d.id, kind, hour: h, origin: 'backfill', backfillId: b.id, dueAt: now, updatedAt: now });
    }
    for (let i = 0; i < rows.length; i += 500) {
      await tx
        .insert(s.exportJobs)
        .values(rows.slice(i, i + 500))
        .onConflictDoUpdate({
          target: [s.exportJobs.destinationId, s.exportJobs.kind, s.exportJobs.hour],
          // an hour being exported right now keeps its run; any other is exported again from part 1
          set: {
            backfillId: b.id,
            // origin stays: an hour the hourly plan exported keeps saying so; backfillId tells the re-export
            state: sql`case when ${s.exportJobs.state} = 'running' then 'running' else 'pending' end`,
            tries: sql`case when ${s.exportJobs.state} = 'running' then ${s.exportJobs.tries} else 0 end`,
            partsDone: sql`case when ${s.exportJobs.state} = 'running' then ${s.exportJobs.partsDone} else 0 end`,
            dueAt: now,
            updatedAt: now,
          },
        });
    }
    return rows.length;
  });
}
