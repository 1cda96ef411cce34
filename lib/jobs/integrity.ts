// The daily integrity check of a connection: lists the bucket for the last N days and compares it with
// what Spillway exported (each part's key, size and ETag; stale higher parts; the hour's manifest).
// An hour found wrong is queued again: the re-export writes the same bytes and removes stale parts, so
// the repair is the ordinary export. Runtime-neutral (S3 through presigned fetch).
import { and, eq, gte, inArray, isNull, lt, or } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';
import { dayPrefixes, eventFileExtension, eventHourPrefix, layoutOf, manifestKey, mergedFileKey, partOfKey } from '../export/files/naming';
import { S3Access, unquote } from '../s3/access';
import { DAY_MS, floorDay, HOUR_MS } from '../util/hours';
import type { EngineConfig } from './config';
import { lastClosedHour } from './plan';

type Destination = typeof s.destinations.$inferSelect;

export interface IntegrityIssue {
  hour: number;
  kind: 'events' | 'merged';
  jobId: number;
  problem: string;
  /** queued again to be rewritten (false: nothing Spillway can rewrite, e.g. not its file) */
  repaired: boolean;
}

export interface IntegrityReport {
  destinationId: number;
  from: number;
  to: number;
  hoursChecked: number;
  issues: IntegrityIssue[];
}

type Listed = Map<string, { size: number; etag: string | null }>;

/** Everything under the day-prefixes of the range: data files and manifests, per day and kind. */
async function listRange(s3: S3Access, dest: Destination, from: number, to: number): Promise<Listed> {
  const layout = layoutOf(dest);
  const listed: Listed = new Map();
  for (let day = floorDay(from); day < to; day += DAY_MS) {
    // merged-ID files of the day are listed even when no longer exported: a stale one is found
    const prefixes = new Set([
      ...dayPrefixes(layout, 'events', dest.projectId, dest.orgId, day),
      ...dayPrefixes(layout, 'merged', dest.projectId, dest.orgId, day),
    ]);
    for (const p of prefixes) for (const o of await s3.listObjects(p)) listed.set(o.key, o);
  }
  return listed;
}

/** What is wrong with one exported hour in the bucket, or null. */
function problemOf(job: typeof s.exportJobs.$inferSelect, files: (typeof s.exportedFiles.$inferSelect)[], dest: Destination, listed: Listed): string | null {
  const problems: string[] = [];
  const mine = files.filter((f) => f.part <= job.partsDone).sort((a, b) => a.part - b.part);
  for (const f of mine) {
    const o = listed.get(f.key);
    if (!o) problems.push(`part ${f.part} is missing`);
    else if (o.size !== f.bytes) problems.push(`part ${f.part} has ${o.size} bytes, ${f.bytes} were written`);
    else if (o.etag && f.etag && unquote(f.etag) !== o.etag) problems.push(`part ${f.part} was changed (its ETag differs)`);
  }
  const layout = layoutOf(dest);
  if (job.kind === 'events') {
    const hourPrefix = eventHourPrefix(layout, dest.projectId, job.hour);
    for (const key of listed.keys()) {
      const n = partOfKey(hourPrefix, key, eventFileExtension(dest.fileFormat));
      if (n !== null && n > job.partsDone) problems.push(`stale part ${n} is in the bucket`);
    }
  } else if (job.partsDone === 0 && listed.has(mergedFileKey(layout, dest.orgId, dest.projectId, job.hour)))
    problems.push('a stale merged-ID file is in the bucket');
  if (dest.writeManifest && !listed.has(manifestKey(layout, job.kind, dest.projectId, dest.orgId, job.hour))) problems.push('the hour manifest is missing');
  return problems.length ? problems.join('; ') : null;
}

/** Compares the last `days` days of the bucket with what was exported, and queues wrong hours again. */
export async function checkIntegrity(db: Db, config: EngineConfig, dest: Destination, days: number, now = Date.now()): Promise<IntegrityReport> {
  const to = lastClosedHour(now, config.graceMs) + HOUR_MS;
  const windowStart = floorDay(now) - (days - 1) * DAY_MS;
  // every hour Spillway wrote in the window: backfilled hours before the connection's start included
  const jobs = await db
    .select()
    .from(s.exportJobs)
    .where(and(eq(s.exportJobs.destinationId, dest.id), eq(s.exportJobs.state, 'done'), gte(s.exportJobs.hour, windowStart), lt(s.exportJobs.hour, to)));
  const from = jobs.length ? Math.min(...jobs.map((j) => j.hour)) : windowStart;
  if (!jobs.length) {
    // nothing exported in the window yet (a new connection): no listing to compare with
    await withWriteLock(db, () => db.update(s.destinations).set({ integrityCheckedAt: now }).where(eq(s.destinations.id, dest.id)));
    return { destinationId: dest.id, from, to, hoursChecked: 0, issues: [] };
  }
  const files = await db
    .select()
    .from(s.exportedFiles)
    .where(
      inArray(
        s.exportedFiles.jobId,
        jobs.map((j) => j.id),
      ),
    );
  const s3 = await S3Access.open(dest, config.s3);
  let listed: Listed;
  try {
    listed = await listRange(s3, dest, from, to);
  } finally {
    s3.close();
  }
  const issues: IntegrityIssue[] = [];
  for (const job of jobs) {
    const problem = problemOf(
      job,
      files.filter((f) => f.jobId === job.id),
      dest,
      listed,
    );
    if (!problem) continue;
    // the repair is the ordinary export of the hour, from its first part
    const queued = await withWriteLock(db, () =>
      db
        .update(s.exportJobs)
        .set({
          state: 'pending',
          partsDone: 0,
          tries: 0,
          dueAt: now,
          repairedAt: now,
          integrityIssue: problem,
          updatedAt: now,
        })
        .where(and(eq(s.exportJobs.id, job.id), eq(s.exportJobs.state, 'done')))
        .returning({ id: s.exportJobs.id }),
    );
    issues.push({ hour: job.hour, kind: job.kind, jobId: job.id, problem, repaired: queued.length > 0 });
  }
  await withWriteLock(db, () => db.update(s.destinations).set({ integrityCheckedAt: now }).where(eq(s.destinations.id, dest.id)));
  return { destinationId: dest.id, from, to, hoursChecked: jobs.length, issues };
}

/** At most one connection a tick whose last check is a day old (enabled ones; `days` 0 turns it off). */
export async function runDueIntegrityCheck(db: Db, config: EngineConfig, now: number): Promise<IntegrityReport | null> {
  if (config.integrityDays <= 0) return null;
  const [due] = await db
    .select()
    .from(s.destinations)
    .where(and(eq(s.destinations.enabled, true), or(isNull(s.destinations.integrityCheckedAt), lt(s.destinations.integrityCheckedAt, now - DAY_MS))))
    .limit(1);
  if (!due) return null;
  try {
    return await checkIntegrity(db, config, due, config.integrityDays, now);
  } catch (e) {
    // no listing (s3:ListBucket revoked, endpoint down): the exports report that; try again tomorrow
    console.error(`spillway: integrity check of connection ${due.id} failed:`, (e as Error)?.message ?? e);
    await withWriteLock(db, () => db.update(s.destinations).set({ integrityCheckedAt: now }).where(eq(s.destinations.id, due.id)));
    return null;
  }
}
