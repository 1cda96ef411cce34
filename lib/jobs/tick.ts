// One budgeted tick: plan due hours, then claim jobs one at a time with an atomic lease and export them
// until the time budget is spent. Any number of ticks (cron invocations, processes) may run at once:
// a job belongs to whoever holds its lease, every progress write checks the lease, and a job cut off
// mid-hour (budget, crash) resumes at its next part.
import { and, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock, writeTx } from '../db/write';
import { ExportError } from '../export/errors';
import { exportHour, type UploadedPart } from '../export/exporter';
import { S3Access } from '../export/s3';
import { raiseAlarm, clearAlarm } from './alarm';
import { backoffMs, type EngineConfig } from './config';
import { planBackfills, planHourly } from './plan';
import { DEDUPE_WINDOW_MS } from '../ingest/ingest';

export type Job = typeof s.exportJobs.$inferSelect;

export interface TickOptions {
  budgetMs: number;
  now?: () => number;
  workerId?: string;
  /** stop after this many jobs (tests) */
  maxJobs?: number;
}

export interface TickSummary {
  planned: number;
  jobs: number;
  done: number;
  retried: number;
  failed: number;
  paused: number;
  parts: number;
  events: number;
  bytes: number;
  emailsQueued: number;
}

class LeaseLost extends Error {}

/** Claims the next due job for `workerId`: one UPDATE … RETURNING, atomic across processes. */
export async function claimJob(db: Db, workerId: string, now: number, leaseMs: number): Promise<Job | null> {
  const next = sql`(select ${s.exportJobs.id} from ${s.exportJobs}
    where (${s.exportJobs.state} in ('pending', 'retry') and ${s.exportJobs.dueAt} <= ${now})
       or (${s.exportJobs.state} = 'running' and ${s.exportJobs.leaseUntil} < ${now})
    order by case ${s.exportJobs.origin} when 'hourly' then 0 else 1 end, ${s.exportJobs.hour}, ${s.exportJobs.id}
    limit 1)`;
  const [job] = await withWriteLock(db, () =>
    db
      .update(s.exportJobs)
      .set({
        state: 'running',
        leaseOwner: workerId,
        leaseUntil: now + leaseMs,
        startedAt: sql`coalesce(${s.exportJobs.startedAt}, ${now})`,
        // a run from part 1 (new, or re-queued by a backfill) starts its counts afresh
        events: sql`case when ${s.exportJobs.partsDone} = 0 then 0 else ${s.exportJobs.events} end`,
        bytes: sql`case when ${s.exportJobs.partsDone} = 0 then 0 else ${s.exportJobs.bytes} end`,
        rawBytes: sql`case when ${s.exportJobs.partsDone} = 0 then 0 else ${s.exportJobs.rawBytes} end`,
        updatedAt: now,
      })
      .where(eq(s.exportJobs.id, next))
      .returning(),
  );
  return job ?? null;
}

const owned = (job: Job, workerId: string) => and(eq(s.exportJobs.id, job.id), eq(s.exportJobs.leaseOwner, workerId));

let lastPrune = 0;

export async function tick(db: Db, config: EngineConfig, opts: TickOptions): Promise<TickSummary> {
  const clock = opts.now ?? Date.now;
  const start = clock();
  const deadline = start + opts.budgetMs;
  const workerId = opts.workerId ?? crypto.randomUUID();
  const sum: TickSummary = { planned: 0, jobs: 0, done: 0, retried: 0, failed: 0, paused: 0, parts: 0, events: 0, bytes: 0, emailsQueued: 0 };

  sum.planned += await planHourly(db, config, start);
  sum.planned += await planBackfills(db, config, start);
  if (start - lastPrune > 3_600_000) {
    lastPrune = start;
    await withWriteLock(db, () => db.delete(s.insertIds).where(lt(s.insertIds.seenAt, start - DEDUPE_WINDOW_MS)));
  }

  while (clock() < deadline && (opts.maxJobs === undefined || sum.jobs < opts.maxJobs)) {
    const job = await claimJob(db, workerId, clock(), config.leaseMs);
    if (!job) break;
    sum.jobs++;
    await runJob(db, config, job, workerId, clock, deadline, sum);
  }
  return sum;
}

async function runJob(db: Db, config: EngineConfig, job: Job, workerId: string, clock: () => number, deadline: number, sum: TickSummary) {
  const began = clock();
  const [dest] = await db.select().from(s.destinations).where(eq(s.destinations.id, job.destinationId));
  if (!dest) return;
  let lost = false;
  // keep the lease alive while a long part is built and uploaded
  const renew = setInterval(
    () => {
      withWriteLock(db, () =>
        db
          .update(s.exportJobs)
          .set({ leaseUntil: clock() + config.leaseMs })
          .where(owned(job, workerId))
          .returning({ id: s.exportJobs.id }),
      )
        .then((r) => {
          if (r.length === 0) lost = true;
        })
        .catch(() => {});
    },
    Math.max(1_000, Math.floor(config.leaseMs / 3)),
  );

  let s3: S3Access | null = null;
  try {
    const [{ files }] = await db
      .select({ files: sql<number>`count(*)` })
      .from(s.exportedFiles)
      .where(eq(s.exportedFiles.jobId, job.id));
    s3 = await S3Access.open(dest, config.s3);
    const outcome = await exportHour(
      db,
      s3,
      {
        kind: job.kind,
        hour: job.hour,
        orgId: dest.orgId,
        projectId: dest.projectId,
        prefix: dest.prefix,
        partsDone: job.partsDone,
        cursor: job.cursorTime !== null && job.cursorId !== null ? { time: job.cursorTime, id: job.cursorId } : null,
        mayHaveFiles: Number(files) > 0 || job.finishedAt !== null,
      },
      {
        partBytes: config.partBytes,
        gzip: config.gzipLevel === undefined ? undefined : { level: config.gzipLevel },
        onPart: async (p: UploadedPart) => {
          if (lost) throw new LeaseLost();
          await writeTx(db, async (tx) => {
            const now = clock();
            const r = await tx
              .update(s.exportJobs)
              .set({
                partsDone: p.part,
                cursorTime: p.cursor.time,
                cursorId: p.cursor.id,
                events: sql`${s.exportJobs.events} + ${p.events}`,
                bytes: sql`${s.exportJobs.bytes} + ${p.bytes}`,
                rawBytes: sql`${s.exportJobs.rawBytes} + ${p.rawBytes}`,
                leaseUntil: now + config.leaseMs,
                updatedAt: now,
              })
              .where(owned(job, workerId))
              .returning({ id: s.exportJobs.id });
            if (r.length === 0) throw new LeaseLost();
            await tx
              .insert(s.exportedFiles)
              .values({ jobId: job.id, part: p.part, key: p.key, events: p.events, bytes: p.bytes, rawBytes: p.rawBytes, etag: p.etag, createdAt: now })
              .onConflictDoUpdate({
                target: [s.exportedFiles.jobId, s.exportedFiles.part],
                set: { key: p.key, events: p.events, bytes: p.bytes, rawBytes: p.rawBytes, etag: p.etag, createdAt: now },
              });
          });
          sum.parts++;
          sum.events += p.events;
          sum.bytes += p.bytes;
        },
        shouldStop: () => clock() >= deadline,
      },
    );
    await writeTx(db, async (tx) => {
      const now = clock();
      const elapsed = now - began;
      if (!outcome.complete) {
        // out of budget: hand the job back; the next tick resumes at its next part
        await tx
          .update(s.exportJobs)
          .set({
            state: 'pending',
            leaseOwner: null,
            leaseUntil: null,
            dueAt: now,
            durationMs: sql`coalesce(${s.exportJobs.durationMs}, 0) + ${elapsed}`,
            updatedAt: now,
          })
          .where(owned(job, workerId));
        sum.paused++;
        return;
      }
      const r = await tx
        .update(s.exportJobs)
        .set({
          state: 'done',
          leaseOwner: null,
          leaseUntil: null,
          finishedAt: now,
          errorKind: null,
          errorPermission: null,
          errorMessage: null,
          durationMs: sql`coalesce(${s.exportJobs.durationMs}, 0) + ${elapsed}`,
          updatedAt: now,
        })
        .where(owned(job, workerId))
        .returning({ id: s.exportJobs.id });
      if (r.length === 0) return;
      await tx.delete(s.exportedFiles).where(and(eq(s.exportedFiles.jobId, job.id), gt(s.exportedFiles.part, outcome.parts)));
      // only a run that wrote to the bucket proves access works again (an empty hour touches nothing)
      if (outcome.parts > job.partsDone) await clearAlarm(tx, dest.id, now);
      sum.done++;
    });
  } catch (e) {
    if (e instanceof LeaseLost) return;
    const err = e instanceof ExportError ? e : new ExportError('internal', 'export', (e as Error)?.message ?? String(e));
    await writeTx(db, async (tx) => {
      const now = clock();
      const [cur] = await tx.select().from(s.exportJobs).where(owned(job, workerId));
      if (!cur) return;
      const tries = cur.tries + 1;
      const failed = tries >= config.maxTries;
      await tx
        .update(s.exportJobs)
        .set({
          state: failed ? 'failed' : 'retry',
          tries,
          dueAt: failed ? cur.dueAt : now + backoffMs(config, tries),
          leaseOwner: null,
          leaseUntil: null,
          errorKind: err.kind,
          errorPermission: err.permission,
          errorMessage: err.message.slice(0, 2000),
          durationMs: sql`coalesce(${s.exportJobs.durationMs}, 0) + ${now - began}`,
          updatedAt: now,
        })
        .where(owned(job, workerId));
      if (failed) {
        sum.failed++;
        if (await raiseAlarm(tx, { destination: dest, job: cur, error: err, tries, now, appUrl: config.appUrl })) sum.emailsQueued++;
      } else sum.retried++;
    });
  } finally {
    clearInterval(renew);
    s3?.close();
  }
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
