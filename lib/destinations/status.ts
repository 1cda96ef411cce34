// The status of a connection's exports: a filtered, paged table of hourly jobs with their
// troubleshooting text, and events exported per hour for the chart.
import { and, isNotNull, count, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { ExportError, troubleshoot, type Permission } from '../s3/errors';
import { floorHour, HOUR_MS } from '../util/hours';
import { FieldError } from './fields';

export interface JobQuery {
  state?: string;
  kind?: string;
  /** epoch ms, inclusive / exclusive */
  from?: number;
  to?: number;
  page?: number;
  pageSize?: number;
  /** leave out done hours with no events (the coverage view shows them) */
  hideEmpty?: boolean;
}

/** Parses the table's query string; unknown values are a 400, not an empty page. */
export function parseJobQuery(params: URLSearchParams): JobQuery {
  const q: JobQuery = {};
  const state = params.get('state');
  if (state) {
    if (!(s.JOB_STATES as readonly string[]).includes(state)) throw new FieldError('state', `state must be one of ${s.JOB_STATES.join(', ')}`);
    q.state = state;
  }
  const kind = params.get('kind');
  if (kind) {
    if (kind !== 'events' && kind !== 'merged') throw new FieldError('kind', 'kind must be events or merged');
    q.kind = kind;
  }
  for (const name of ['from', 'to'] as const) {
    const v = params.get(name);
    if (v) {
      const t = Date.parse(v);
      if (!Number.isFinite(t)) throw new FieldError(name, `${name} must be a date such as 2026-01-31 or 2026-01-31T13:00Z`);
      q[name] = t;
    }
  }
  const hideEmpty = params.get('hideEmpty');
  if (hideEmpty) {
    if (hideEmpty !== 'true' && hideEmpty !== 'false') throw new FieldError('hideEmpty', 'hideEmpty must be true or false');
    q.hideEmpty = hideEmpty === 'true';
  }
  for (const name of ['page', 'pageSize'] as const) {
    const v = params.get(name);
    if (v) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > (name === 'page' ? 1_000_000 : 200))
        throw new FieldError(name, `${name} must be a whole number${name === 'pageSize' ? ' from 1 to 200' : ' from 1'}`);
      q[name] = n;
    }
  }
  return q;
}

export type JobsPage = Awaited<ReturnType<typeof jobsPage>>;
export type JobRow = JobsPage['jobs'][number];

/** `d`: the connection (already checked to be the caller's); its bucket and prefix go into the help texts. */
export async function jobsPage(db: Db, d: { id: number; bucket: string; prefix: string }, q: JobQuery) {
  const destinationId = d.id;
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 25;
  const where: SQL[] = [eq(s.exportJobs.destinationId, destinationId)];
  if (q.state) where.push(eq(s.exportJobs.state, q.state as s.JobState));
  if (q.kind) where.push(eq(s.exportJobs.kind, q.kind as s.ExportKind));
  if (q.from !== undefined) where.push(gte(s.exportJobs.hour, q.from));
  if (q.to !== undefined) where.push(lt(s.exportJobs.hour, q.to));
  if (q.hideEmpty) where.push(sql`not (${s.exportJobs.state} = 'done' and ${s.exportJobs.events} = 0)`);
  const [{ total }] = await db
    .select({ total: count() })
    .from(s.exportJobs)
    .where(and(...where));
  const rows = await db
    .select()
    .from(s.exportJobs)
    .where(and(...where))
    .orderBy(desc(s.exportJobs.hour), s.exportJobs.kind)
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return {
    total,
    page,
    pageSize,
    jobs: rows.map((j) => ({
      id: j.id,
      hour: j.hour,
      kind: j.kind,
      state: j.state,
      origin: j.origin,
      /** the manual export that last (re-)exported this hour, if any */
      backfillId: j.backfillId,
      parts: j.partsDone,
      events: j.events,
      bytes: j.bytes,
      durationMs: j.durationMs,
      tries: j.tries,
      startedAt: j.startedAt,
      finishedAt: j.finishedAt,
      dueAt: j.dueAt,
      error: j.errorMessage ? { kind: j.errorKind, message: j.errorMessage, ...help(j, d.bucket, d.prefix) } : null,
      /** the last run that succeeded, shown beside a later run that has not (yet) */
      lastGood: j.finishedAt === null || j.state === 'done' ? null : { at: j.finishedAt, events: j.goodEvents, bytes: j.goodBytes, parts: j.goodParts },
    })),
  };
}

/** The same troubleshooting text the failure email carries. */
function help(j: typeof s.exportJobs.$inferSelect, bucket: string, prefix: string) {
  const err = new ExportError(j.errorKind ?? 'internal', 'export', j.errorMessage ?? '', (j.errorPermission as Permission | null) ?? null);
  return troubleshoot(err, bucket, prefix);
}

/** Events exported per hour over the last `hours` hours (the last good export of each), oldest first, gaps as 0. */
export async function eventsPerHour(db: Db, destinationId: number, hours: number, now = Date.now()) {
  const end = floorHour(now) + HOUR_MS;
  const start = end - hours * HOUR_MS;
  const rows = await db
    .select({ hour: s.exportJobs.hour, events: sql<number>`sum(${s.exportJobs.goodEvents})` })
    .from(s.exportJobs)
    .where(
      and(
        eq(s.exportJobs.destinationId, destinationId),
        eq(s.exportJobs.kind, 'events'),
        // the last good export of each hour: a re-export running or failed now does not change the chart
        isNotNull(s.exportJobs.finishedAt),
        gte(s.exportJobs.hour, start),
        lt(s.exportJobs.hour, end),
      ),
    )
    .groupBy(s.exportJobs.hour);
  const byHour = new Map(rows.map((r) => [r.hour, Number(r.events)]));
  return Array.from({ length: hours }, (_, i) => {
    const hour = start + i * HOUR_MS;
    return { hour, events: byHour.get(hour) ?? 0 };
  });
}
