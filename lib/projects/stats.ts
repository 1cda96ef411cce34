// Per-project, per-hour event counts (by server_upload_time, the hour files are partitioned by).
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { HOUR_MS } from '../export/time';

export async function hourlyCounts(db: Db, orgId: number, sinceMs: number) {
  const projects = await db.select({ id: s.projects.id }).from(s.projects).where(eq(s.projects.orgId, orgId));
  if (projects.length === 0) return [];
  // a literal, not a parameter: the driver binds JS numbers as REAL, which would make this a float division
  const hour = sql<number>`(${s.events.serverUploadTime} / ${sql.raw(String(HOUR_MS))}) * ${sql.raw(String(HOUR_MS))}`;
  const rows = await db
    .select({ projectId: s.events.projectId, hour, events: sql<number>`count(*)` })
    .from(s.events)
    .where(
      and(
        inArray(
          s.events.projectId,
          projects.map((p) => p.id),
        ),
        gte(s.events.serverUploadTime, sinceMs),
      ),
    )
    .groupBy(s.events.projectId, hour)
    .orderBy(hour);
  return rows.map((r) => ({ projectId: r.projectId, hour: new Date(Number(r.hour)).toISOString(), events: Number(r.events) }));
}
