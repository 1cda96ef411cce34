// Per-project, per-hour event counts (by server_upload_time, the hour files are partitioned by): from
// the raw rows, and from the seals of hours whose raw rows the retention deleted.
import { and, eq, gte, inArray, like, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import { EVENT_SEAL_PATTERN } from '../db/seal-kinds';
import type { Db } from '../db/types';
import { HOUR_MS } from '../util/hours';

export async function hourlyCounts(db: Db, orgId: number, sinceMs: number) {
  const projects = await db.select({ id: s.projects.id }).from(s.projects).where(eq(s.projects.orgId, orgId));
  if (projects.length === 0) return [];
  const ids = projects.map((p) => p.id);
  // a literal, not a parameter: the driver binds JS numbers as REAL, which would make this a float division
  const hour = sql<number>`(${s.eventRows.serverUploadTime} / ${sql.raw(String(HOUR_MS))}) * ${sql.raw(String(HOUR_MS))}`;
  const raw = await db
    .select({ projectId: s.eventRows.projectId, hour, events: sql<number>`count(*)` })
    .from(s.eventRows)
    .where(and(inArray(s.eventRows.projectId, ids), gte(s.eventRows.serverUploadTime, sinceMs)))
    .groupBy(s.eventRows.projectId, hour);
  // an hour sealed in both line formats has the same lines in each: counted once
  const sealed = await db
    .select({ projectId: s.seals.projectId, hour: s.seals.hour, events: sql<number>`max(${s.seals.lines})` })
    .from(s.seals)
    .where(and(inArray(s.seals.projectId, ids), like(s.seals.kind, EVENT_SEAL_PATTERN), eq(s.seals.rowsDeleted, true), gte(s.seals.hour, sinceMs)))
    .groupBy(s.seals.projectId, s.seals.hour);
  return [...raw, ...sealed]
    .map((r) => ({ projectId: r.projectId, hour: Number(r.hour), events: Number(r.events) }))
    .sort((a, b) => a.hour - b.hour || a.projectId - b.projectId)
    .map((r) => ({ projectId: r.projectId, hour: new Date(r.hour).toISOString(), events: r.events }));
}
