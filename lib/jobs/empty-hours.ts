// Exports of hours known to be empty, many at a time: an hour below its project's sealing cursor with
// no seal had no data (lib/jobs/seal-closed-hours.ts), so its export is only its manifest. A year of a small
// project is ~8,700 such hours: claimed together, manifests written a few at a time, finished in one
// transaction, instead of a job's whole round trip each. They finish as an hour's run does.
import { eq, inArray, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import { eventSealSql } from '../db/seal-kinds';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';
import { groupBy } from '../util/group';
import { S3Access } from '../s3/access';
import type { EngineConfig } from './config';
import { putManifest } from './hour-run';
import { completeJobs } from './job-store';
import type { Job } from './lease';

const BATCH = 500;
const PARALLEL_PUTS = 16;

/** Claims due jobs of empty hours that were never exported (nothing in the bucket to look after). */
export async function claimEmptyJobs(db: Db, workerId: string, now: number, leaseMs: number): Promise<Job[]> {
  const j = s.exportJobs;
  const ids = sql`(select j.id from export_jobs j
      join destinations d on d.id = j.destination_id
      join projects p on p.id = d.project_id
    where j.state in ('pending', 'retry') and j.due_at <= ${now}
      and j.hour < coalesce(p.sealed_until, 0) and j.parts_done = 0 and j.finished_at is null
      and not exists (select 1 from seals z where z.project_id = d.project_id and z.hour = j.hour
        and (case when j.kind = 'events' then ${sql.raw(eventSealSql('z.kind'))} else z.kind = j.kind end))
      and not exists (select 1 from exported_files f where f.job_id = j.id)
    order by j.destination_id, j.hour
    limit ${BATCH})`;
  return withWriteLock(db, () =>
    db
      .update(j)
      .set({
        state: 'running',
        leaseOwner: workerId,
        leaseUntil: now + leaseMs,
        startedAt: sql`coalesce(${j.startedAt}, ${now})`,
        events: 0,
        bytes: 0,
        rawBytes: 0,
        updatedAt: now,
      })
      .where(inArray(j.id, ids))
      .returning(),
  );
}

/** Runs `fn` over `items` with at most `n` at once. */
async function parallel<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/**
 * Finishes claimed empty-hour jobs: each hour's manifest (when its connection writes them), then
 * completed together (job-store.ts completeJobs, as an hour's run is). Returns those whose manifest
 * could not be written: the caller runs them the ordinary way (HourRun), which retries and names what
 * is missing.
 */
export async function finishEmptyJobs(
  db: Db,
  config: EngineConfig,
  jobs: Job[],
  workerId: string,
  now: () => number,
): Promise<{ done: number; refused: Job[] }> {
  const began = now();
  const byDest = groupBy(jobs, (job) => job.destinationId);
  let done = 0;
  const refused: Job[] = [];
  for (const [destinationId, list] of byDest) {
    const [dest] = await db.select().from(s.destinations).where(eq(s.destinations.id, destinationId));
    if (!dest) continue;
    let written = list;
    if (dest.writeManifest) {
      const s3 = await S3Access.open(dest, config.s3).catch(() => null);
      const failed = new Set<Job>(s3 ? [] : list);
      if (s3) {
        await parallel(list, PARALLEL_PUTS, async (job) => {
          await putManifest(s3, dest, job, []).catch(() => failed.add(job));
        });
        s3.close();
      }
      written = list.filter((x) => !failed.has(x));
      refused.push(...failed);
    }
    const at = now();
    done += await completeJobs(
      db,
      dest,
      written.map((job) => ({ job, parts: 0 })),
      workerId,
      at,
      Math.round((at - began) / jobs.length),
    );
  }
  return { done, refused };
}
