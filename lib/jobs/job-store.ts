// What a job's holder writes: each uploaded part (with its cursor, so a cut-off run resumes there),
// then the outcome — done, handed back (out of budget), or retry / failed (with the alarm, as
// retry-policy.ts decides). Every write checks the lease and is one transaction.
import { and, eq, gt, inArray, or, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock, writeTx } from '../db/write';
import { groupBy } from '../util/group';
import type { ExportError } from '../s3/errors';
import type { UploadedPart } from './copy-parts';
import { clearAlarm, raiseAlarm } from './alarm';
import { finishBackfillsCovering } from './plan';
import type { EngineConfig } from './config';
import { afterFailure } from './retry-policy';
import { LeaseLost } from '../util/renewal';
import { owned, ownedAll, type Job } from './lease';

type Destination = typeof s.destinations.$inferSelect;

/** Records one uploaded part (of the seal's `generation`) and moves the job past it. */
export async function recordPart(db: Db, job: Job, workerId: string, p: UploadedPart, generation: number, now: number, leaseMs: number) {
  await writeTx(db, async (tx) => {
    const r = await tx
      .update(s.exportJobs)
      .set({
        partsDone: p.part,
        sealGeneration: generation,
        events: sql`${s.exportJobs.events} + ${p.events}`,
        bytes: sql`${s.exportJobs.bytes} + ${p.bytes}`,
        rawBytes: sql`${s.exportJobs.rawBytes} + ${p.rawBytes}`,
        leaseUntil: now + leaseMs,
        updatedAt: now,
      })
      .where(owned(job, workerId))
      .returning({ id: s.exportJobs.id });
    if (r.length === 0) throw new LeaseLost();
    const file = { key: p.key, events: p.events, bytes: p.bytes, rawBytes: p.rawBytes, etag: p.etag, sha256: p.sha256, createdAt: now };
    await tx
      .insert(s.exportedFiles)
      .values({ jobId: job.id, part: p.part, ...file })
      .onConflictDoUpdate({ target: [s.exportedFiles.jobId, s.exportedFiles.part], set: file });
  });
}

/** An exported file as manifests and the file list show it. */
export const PART_COLUMNS = {
  part: s.exportedFiles.part,
  key: s.exportedFiles.key,
  bytes: s.exportedFiles.bytes,
  lines: s.exportedFiles.events,
  sha256: s.exportedFiles.sha256,
};

/** The files of this job's current run, parts 1..`parts`, for the hour's manifest. */
export async function partsOf(db: Db, jobId: number, parts: number) {
  const rows = await db.select(PART_COLUMNS).from(s.exportedFiles).where(eq(s.exportedFiles.jobId, jobId)).orderBy(s.exportedFiles.part);
  return rows.filter((r) => r.part <= parts);
}

/** How many files this job has written before (a re-run may have stale parts to remove). */
export async function filesOf(db: Db, jobId: number): Promise<number> {
  const [{ files }] = await db
    .select({ files: sql<number>`count(*)` })
    .from(s.exportedFiles)
    .where(eq(s.exportedFiles.jobId, jobId));
  return Number(files);
}

/** Out of budget: the job goes back to pending and the next tick resumes at its next part. */
export async function handBack(db: Db, job: Job, workerId: string, now: number, elapsedMs: number) {
  await withWriteLock(db, () =>
    db
      .update(s.exportJobs)
      .set({
        state: 'pending',
        leaseOwner: null,
        leaseUntil: null,
        dueAt: now,
        durationMs: sql`coalesce(${s.exportJobs.durationMs}, 0) + ${elapsedMs}`,
        updatedAt: now,
      })
      .where(owned(job, workerId)),
  );
}

/**
 * The hours are exported: done, parts past each one's last forgotten, backfills covering them finished
 * when nothing of theirs is open, and the alarm cleared when a run wrote to the bucket (an empty hour
 * touches nothing but its manifest). One hour's run and empty hours in batches (empty-hours.ts) both
 * finish here, in one transaction per call. `good` is what the run left in the bucket: it stands until
 * another run succeeds, since a failure never rewrites it. Returns how many were still ours.
 */
export async function completeJobs(
  db: Db,
  dest: Destination,
  done: { job: Job; parts: number }[],
  workerId: string,
  now: number,
  elapsedMs: number,
): Promise<number> {
  if (done.length === 0) return 0;
  const j = s.exportJobs;
  const byParts = groupBy(done, (d) => d.parts);
  return writeTx(db, async (tx) => {
    let finished = 0;
    for (const [parts, list] of byParts) {
      const ids = list.map((d) => d.job.id);
      const r = await tx
        .update(j)
        .set({
          state: 'done',
          leaseOwner: null,
          leaseUntil: null,
          finishedAt: now,
          goodEvents: sql`${j.events}`,
          goodBytes: sql`${j.bytes}`,
          goodParts: parts,
          errorKind: null,
          errorPermission: null,
          errorMessage: null,
          durationMs: sql`coalesce(${j.durationMs}, 0) + ${elapsedMs}`,
          updatedAt: now,
        })
        .where(ownedAll(ids, workerId))
        .returning({ id: j.id });
      finished += r.length;
      if (r.length > 0) await tx.delete(s.exportedFiles).where(and(inArray(s.exportedFiles.jobId, ids), gt(s.exportedFiles.part, parts)));
    }
    if (finished === 0) return 0;
    if (done.some((d) => d.parts > d.job.partsDone)) await clearAlarm(tx, dest.id, now);
    const hours = done.map((d) => d.job.hour);
    await finishBackfillsCovering(tx, dest.id, Math.min(...hours), Math.max(...hours), now);
    return finished;
  });
}

/**
 * A failed run: retried or failed as retry-policy.ts says (a failure raises the destination's alarm
 * and may queue its one email). Returns what happened, or null if the lease was lost.
 */
export async function failJob(db: Db, config: EngineConfig, job: Job, dest: Destination, workerId: string, err: ExportError, now: number, elapsedMs: number) {
  return writeTx(db, async (tx) => {
    const [cur] = await tx.select().from(s.exportJobs).where(owned(job, workerId));
    if (!cur) return null;
    const next = afterFailure(config, err.kind, cur.tries, cur.dueAt, now);
    await tx
      .update(s.exportJobs)
      .set({
        state: next.state,
        tries: next.tries,
        dueAt: next.dueAt,
        leaseOwner: null,
        leaseUntil: null,
        errorKind: err.kind,
        errorPermission: err.permission,
        errorMessage: err.message.slice(0, 2000),
        durationMs: sql`coalesce(${s.exportJobs.durationMs}, 0) + ${elapsedMs}`,
        updatedAt: now,
      })
      .where(owned(job, workerId));
    if (next.state !== 'failed') return { failed: false, emailQueued: false };
    await finishBackfillsCovering(tx, dest.id, cur.hour, cur.hour, now);
    const emailQueued = next.alarm && (await raiseAlarm(tx, { destination: dest, job: cur, error: err, tries: next.tries, now, appUrl: config.appUrl }));
    return { failed: true, emailQueued };
  });
}

/** Re-queues a destination's failed jobs now (the UI's "Retry failed hours"). */
export async function retryFailed(db: Db, destinationId: number, now = Date.now()) {
  return withWriteLock(db, () =>
    db
      .update(s.exportJobs)
      .set({ state: 'retry', tries: 0, dueAt: now, updatedAt: now })
      .where(and(eq(s.exportJobs.destinationId, destinationId), eq(s.exportJobs.state, 'failed')))
      .returning({ id: s.exportJobs.id }),
  );
}

/** Jobs that are not finished (for "wait for in-progress jobs" in the KMS migration). */
export async function openJobs(db: Db, destinationId: number) {
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)` })
    .from(s.exportJobs)
    .where(and(eq(s.exportJobs.destinationId, destinationId), or(inArray(s.exportJobs.state, ['pending', 'running', 'retry']))));
  return Number(n);
}
