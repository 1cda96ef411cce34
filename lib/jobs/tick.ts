// One budgeted tick: plan due hours, then claim jobs one at a time with an atomic lease and export them
// until the time budget is spent. Any number of ticks (cron invocations, processes) may run at once:
// a job belongs to whoever holds its lease (lease.ts), every progress write checks it (job-store.ts),
// and a job cut off mid-hour (budget, crash) resumes at its next part.
import { eq } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { ExportError } from '../export/errors';
import { exportHour } from '../export/exporter';
import { manifestFor } from '../export/manifest';
import { S3Access } from '../export/s3';
import type { EngineConfig } from './config';
import { completeJob, failJob, filesOf, handBack, partsOf, recordPart } from './job-store';
import { claimJob, keepLease, LeaseLost, type Job } from './lease';
import { runDueIntegrityCheck } from './integrity';
import { planBackfills, planHourly } from './plan';

export { claimJob, type Job } from './lease';
export { openJobs, retryFailed } from './job-store';

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
  repairsQueued: number;
}

export async function tick(db: Db, config: EngineConfig, opts: TickOptions): Promise<TickSummary> {
  const clock = opts.now ?? Date.now;
  const start = clock();
  const deadline = start + opts.budgetMs;
  const workerId = opts.workerId ?? crypto.randomUUID();
  const sum: TickSummary = { planned: 0, jobs: 0, done: 0, retried: 0, failed: 0, paused: 0, parts: 0, events: 0, bytes: 0, emailsQueued: 0, repairsQueued: 0 };

  sum.planned += await planHourly(db, config, start);
  sum.planned += await planBackfills(db, config, start);
  // a connection a day whose bucket is compared with what was exported; wrong hours are queued again
  const integrity = await runDueIntegrityCheck(db, config, start);
  sum.repairsQueued += integrity?.issues.filter((i) => i.repaired).length ?? 0;
  while (clock() < deadline && (opts.maxJobs === undefined || sum.jobs < opts.maxJobs)) {
    const job = await claimJob(db, workerId, clock(), config.leaseMs);
    if (!job) break;
    sum.jobs++;
    await runJob(db, config, job, workerId, clock, deadline, sum);
  }
  return sum;
}

/** Exports the claimed job's hour (or as many parts as the budget allows) and records the outcome. */
async function runJob(db: Db, config: EngineConfig, job: Job, workerId: string, clock: () => number, deadline: number, sum: TickSummary) {
  const began = clock();
  const [dest] = await db.select().from(s.destinations).where(eq(s.destinations.id, job.destinationId));
  if (!dest) return;
  const lease = keepLease(db, job, workerId, config.leaseMs, clock);
  let s3: S3Access | null = null;
  try {
    const files = await filesOf(db, job.id);
    s3 = await S3Access.open(dest, config.s3);
    const cursor = job.cursorTime !== null && job.cursorId !== null ? { time: job.cursorTime, id: job.cursorId } : null;
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
        cursor,
        mayHaveFiles: files > 0 || job.finishedAt !== null,
      },
      {
        partBytes: config.partBytes,
        gzip: config.gzipLevel === undefined ? undefined : { level: config.gzipLevel },
        onPart: async (p) => {
          if (lease.lost()) throw new LeaseLost();
          await recordPart(db, job, workerId, p, clock(), config.leaseMs);
          sum.parts++;
          sum.events += p.events;
          sum.bytes += p.bytes;
        },
        shouldStop: () => clock() >= deadline,
      },
    );
    if (!outcome.complete) {
      await handBack(db, job, workerId, clock(), clock() - began);
      sum.paused++;
      return;
    }
    if (dest.writeManifest) {
      if (lease.lost()) throw new LeaseLost();
      const parts = await partsOf(db, job.id, outcome.parts);
      const manifest = manifestFor({ kind: job.kind, hour: job.hour, projectId: dest.projectId, orgId: dest.orgId, prefix: dest.prefix, parts });
      await s3.put(manifest.key, manifest.body);
    }
    if (await completeJob(db, job, dest, workerId, outcome.parts, clock(), clock() - began)) sum.done++;
  } catch (e) {
    if (e instanceof LeaseLost) return;
    const err = e instanceof ExportError ? e : new ExportError('internal', 'export', (e as Error)?.message ?? String(e));
    const r = await failJob(db, config, job, dest, workerId, err, clock(), clock() - began);
    if (r?.failed) sum.failed++;
    else if (r) sum.retried++;
    if (r?.emailQueued) sum.emailsQueued++;
  } finally {
    lease.stop();
    s3?.close();
  }
}
