// What the browser may see of a connection (no credentials), with its counts and state, filtered and
// aggregated in SQL.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { LineFormat } from '../export/files/format';
import type { Db } from '../db/types';
import type { DestinationFields } from './fields';
import { NotFoundError } from './errors';
import { parseFilterText, type EventFilter } from '../export/files/event-filter';

export interface DestinationView extends Omit<DestinationFields, 'forcePathStyle' | 'eventFilter'> {
  /** the event types exported; null: all */
  eventFilter: EventFilter | null;
  id: number;
  projectName: string;
  name: string;
  roleArn: string | null;
  enabled: boolean;
  /** a manifest per exported hour under the prefix's _spillway/manifests/ */
  writeManifest: boolean;
  /** how event lines are laid out (lib/export/files/format.ts) */
  lineFormat: LineFormat;
  disabledAt: number | null;
  startHour: number;
  plannedUntil: number;
  createdAt: number;
  createdBy: string | null;
  lastSuccessHour: number | null;
  openJobs: number;
  failedJobs: number;
  alarm: { permission: string | null; message: string; raisedAt: number } | null;
}

/** What the browser may see of a connection: no credentials. */
export async function describe(db: Db, orgId: number, ids?: number[]): Promise<DestinationView[]> {
  const rows = await db
    .select({ d: s.destinations, projectName: s.projects.name, creator: s.users.email, alarm: s.alarms })
    .from(s.destinations)
    .innerJoin(s.projects, eq(s.projects.id, s.destinations.projectId))
    .leftJoin(s.users, eq(s.users.id, s.destinations.createdBy))
    .leftJoin(s.alarms, eq(s.alarms.destinationId, s.destinations.id))
    .where(and(eq(s.destinations.orgId, orgId), ids ? inArray(s.destinations.id, ids) : undefined))
    .orderBy(desc(s.destinations.id));
  if (rows.length === 0) return [];
  // job figures of all these connections in one grouped query
  const aggs = await db
    .select({
      id: s.exportJobs.destinationId,
      // a failed re-export does not make an hour less exported than it was
      last: sql<number | null>`max(case when ${s.exportJobs.finishedAt} is not null then ${s.exportJobs.hour} end)`,
      open: sql<number>`coalesce(sum(case when ${s.exportJobs.state} in ('pending', 'running', 'retry') then 1 else 0 end), 0)`,
      failed: sql<number>`coalesce(sum(case when ${s.exportJobs.state} = 'failed' then 1 else 0 end), 0)`,
    })
    .from(s.exportJobs)
    .where(
      inArray(
        s.exportJobs.destinationId,
        rows.map((r) => r.d.id),
      ),
    )
    .groupBy(s.exportJobs.destinationId);
  const byId = new Map(aggs.map((a) => [a.id, a]));
  const out: DestinationView[] = [];
  for (const { d, projectName, creator, alarm } of rows) {
    const agg = byId.get(d.id) ?? { last: null, open: 0, failed: 0 };
    out.push({
      id: d.id,
      projectId: d.projectId,
      projectName,
      name: d.name,
      exportEvents: d.exportEvents,
      exportMerged: d.exportMerged,
      writeManifest: d.writeManifest,
      lineFormat: d.lineFormat,
      keyFolders: d.keyFolders,
      eventFilter: parseFilterText(d.eventFilter),
      fileFormat: d.fileFormat,
      awsAccountId: d.awsAccountId,
      bucket: d.bucket,
      region: d.region,
      prefix: d.prefix,
      endpoint: d.endpoint,
      kmsKeyArn: d.kmsKeyArn,
      roleArn: d.roleArn,
      enabled: d.enabled,
      disabledAt: d.disabledAt,
      startHour: d.startHour,
      plannedUntil: d.plannedUntil,
      createdAt: d.createdAt,
      createdBy: creator,
      lastSuccessHour: agg.last === null ? null : Number(agg.last),
      openJobs: Number(agg.open),
      failedJobs: Number(agg.failed),
      alarm: alarm ? { permission: alarm.permission, message: alarm.message, raisedAt: alarm.raisedAt } : null,
    });
  }
  return out;
}

export async function describeOne(db: Db, orgId: number, id: number): Promise<DestinationView> {
  const [v] = await describe(db, orgId, [id]);
  if (!v) throw new NotFoundError('No such destination');
  return v;
}
