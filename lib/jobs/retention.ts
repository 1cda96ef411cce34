// Raw rows have a retention (SPILLWAY_RAW_RETENTION_DAYS, 0: forever): the event rows of hours sealed
// more than that many days ago are deleted, since the seal keeps the hour's files for every export and
// backfill to come. Identities, user and group properties, merges and the dedupe window are other
// tables and stay; property sets only deleted rows named go with them. The seal is marked first (rows_deleted), so it is never built again from a partial
// hour: rows arriving for it later make it an error to see, not a wrong file.
import { and, asc, eq, gt, like, lt, not, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';
import { EVENT_SEAL_PATTERN, eventSealSql } from '../db/seal-kinds';
import { DAY_MS, floorHour, HOUR_MS } from '../util/hours';
import { yieldToEventLoop } from '../util/yield';
import type { EngineConfig } from './config';
import { reclaimFreePages } from '../db/free-pages';

// rows deleted per statement: each delete is a short write, others' writes go between them
const ROWS_PER_DELETE = 5_000;
const HOURS_PER_RUN = 48;

/** Deletes the raw rows of sealed hours past the retention; returns how many rows. */
export async function pruneRawRows(db: Db, config: EngineConfig, now: number, deadline = Infinity): Promise<number> {
  if (!config.rawRetentionDays) return 0;
  const cutoff = floorHour(now - config.rawRetentionDays * DAY_MS);
  const events = like(s.seals.kind, EVENT_SEAL_PATTERN);
  // the hour's events sealed, and no seal of another line format or filter of it still to be built from its rows
  const unbuilt = sql`exists (select 1 from seals o where o.project_id = ${s.seals.projectId} and o.hour = ${s.seals.hour}
    and ${sql.raw(eventSealSql('o.kind'))} and o.state != 'sealed')`;
  const hours = await db
    .selectDistinct({ projectId: s.seals.projectId, hour: s.seals.hour })
    .from(s.seals)
    .where(and(events, eq(s.seals.state, 'sealed'), eq(s.seals.rowsDeleted, false), gt(s.seals.lines, 0), lt(s.seals.hour, cutoff), not(unbuilt)))
    .orderBy(asc(s.seals.hour))
    .limit(HOURS_PER_RUN);
  let deleted = 0;
  for (const { projectId, hour } of hours) {
    if (Date.now() > deadline) break;
    const marked = await withWriteLock(db, () =>
      db
        .update(s.seals)
        .set({ rowsDeleted: true, updatedAt: now })
        // in one statement with the check: a seal of another format begun meanwhile keeps the rows
        .where(and(eq(s.seals.projectId, projectId), events, eq(s.seals.hour, hour), eq(s.seals.state, 'sealed'), not(unbuilt)))
        .returning({ hour: s.seals.hour }),
    );
    if (marked.length === 0) continue;
    for (;;) {
      const n = await withWriteLock(db, async () => {
        const r = await db.$client.execute({
          sql: `delete from event_rows where id in (select id from event_rows where project_id = ? and server_upload_time >= ? and server_upload_time < ? limit ${ROWS_PER_DELETE})`,
          args: [projectId, hour, hour + HOUR_MS],
        });
        return r.rowsAffected;
      });
      deleted += n;
      if (n < ROWS_PER_DELETE) break;
      await yieldToEventLoop();
    }
  }
  if (deleted > 0) {
    await forgetPropertySets(db);
    // the deleted rows' pages go back to the file system, not kept for the high-water mark
    await reclaimFreePages(db, deadline);
  }
  return deleted;
}

/**
 * Property sets (lib/ingest/property-sets.ts) no raw row can name any more: last named before the
 * project's oldest raw row, and no user's or group's current set. Deleted a batch at a time.
 */
async function forgetPropertySets(db: Db) {
  for (;;) {
    const n = await withWriteLock(db, async () => {
      const r = await db.$client.execute(`delete from property_sets where id in (select p.id from property_sets p
        where p.last_used < coalesce((select min(e.server_upload_time) from event_rows e where e.project_id = p.project_id), 9e15)
          and not exists (select 1 from amplitude_users u where u.props_set = p.id)
          and not exists (select 1 from groups g where g.props_set = p.id)
        limit ${ROWS_PER_DELETE})`);
      return r.rowsAffected;
    });
    if (n < ROWS_PER_DELETE) return;
    await yieldToEventLoop();
  }
}
