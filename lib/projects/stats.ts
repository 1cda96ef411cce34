// Per-project, per-hour event counts (by server_upload_time, the hour files are partitioned by).
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';

export const HOUR_MS = 3_600_000;

export async function hourlyCounts(db: Db, orgId: number, sinceMs: number) {
  const projects = await db.select({ id: s.projects.id }).from(s.projects).where(eq(s.projects.orgId, orgId));
  if (projects.length === 0) return [];
  const hour = sql<number>`(${s.events.serverUploadTime} / ${HOUR_MS}) * ${HOUR_MS}`;
  const rows = await db
    .select({ projectId: s.events.projectId, hour, events: sql<number>`count(*)` })
    .from(s.events)
    .where(and(inArray(s.events.projectId, projects.map((p) => p.id)), gte(s.events.serverUploadTime, sinceMs)))
    .groupBy(s.events.projectId, hour)
    .orderBy(hour);
  return rows.map((r) => ({ projectId: r.projectId, hour: new Date(Number(r.hour)).toISOString(), events: Number(r.events) }));
}
