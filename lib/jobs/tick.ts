// One budgeted tick: plan due hours, then claim jobs one at a time with an atomic lease and export them
// until the time budget is spent. Any number of ticks (cron invocations, processes) may run at once:
// a job belongs to whoever holds its lease (lease.ts), every progress write checks it (job-store.ts),
// and a job cut off mid-hour (budget, crash) resumes at its next part.
import { eq } from 'drizzle-orm';
import * as s from '../db/schema';
import { storageFault } from '../db/storage-fault';
import type { Db } from '../db/types';
import { ExportError } from '../s3/errors';
import { sealKindOf } from '../export/files/format';
import { exportHour } from './copy-parts';
import { SealStore, SealPartDamaged } from '../export/seal/store';
import { putHourManifest } from '../export/files/manifest';
import { S3Access } from '../s3/access';
import type { EngineConfig } from './config';
import { completeJob, failJob, filesOf, handBack, partsOf, recordPart } from './job-store';
import { LeaseLost } from '../util/renewal';
import { claimJob, keepLease, type Job } from './lease';
import { runDueIntegrityCheck } from './integrity';
import { claimEmptyJobs, finishEmptyJobs } from './empty-hours';
import { planBackfills, planHourly } from './plan';
import { pruneRawRows } from './retention';
import { sealClosedHours } from './seal-closed-hours';
import { claimSeal, markStale, partsToExport, SealChanged, sealOf, type SealSettings } from '../export/seal/seal';

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
  /** closed hours sealed, or marked for their exports to seal */
  sealed: number;
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
  /** raw rows deleted past the retention */
  rowsPruned: number;
  /** runs stopped by a fault of Spillway's own storage (the tick stops at the first: retry-policy.ts) */
  storageFaults: number;
}

export async function tick(db: Db, config: EngineConfig, opts: TickOptions): Promise<TickSummary> {
  const clock = opts.now ?? Date.now;
  const start = clock();
  const deadline = start + opts.budgetMs;
  const workerId = opts.workerId ?? crypto.randomUUID();
  const store = new SealStore(config.archive, config.s3);
  const sum: TickSummary = {
    planned: 0,
    sealed: 0,
    jobs: 0,
    done: 0,
    retried: 0,
    failed: 0,
    paused: 0,
    parts: 0,
    events: 0,
    bytes: 0,
    emailsQueued: 0,
    repairsQueued: 0,
    rowsPruned: 0,
    storageFaults: 0,
  };

  sum.planned += await planHourly(db, config, start);
  sum.planned += await planBackfills(db, config, start);
  // a connection a day whose bucket is compared with what was exported; wrong hours are queued again
  const integrity = await runDueIntegrityCheck(db, config, start);
  sum.repairsQueued += integrity?.issues.filter((i) => i.repaired).length ?? 0;
  // closed hours sealed (or left to their exports to seal): at most half the budget, the exports come first
  sum.sealed += await sealClosedHours(db, config, store, { workerId, settings: sealSettings(config), clock, deadline: start + opts.budgetMs / 2 });
  while (clock() < deadline && (opts.maxJobs === undefined || sum.jobs < opts.maxJobs) && sum.storageFaults === 0) {
    // hours known to be empty, many at a time; those whose manifest fails go the ordinary way
    const empty = await claimEmptyJobs(db, workerId, clock(), config.leaseMs);
    if (empty.length > 0) {
      sum.jobs += empty.length;
      const r = await finishEmptyJobs(db, config, empty, workerId, clock);
      sum.done += r.done;
      for (const job of r.refused) await runJob(db, config, store, job, workerId, clock, deadline, sum);
      continue;
    }
    const job = await claimJob(db, workerId, clock(), config.leaseMs);
    if (!job) break;
    sum.jobs++;
    await runJob(db, config, store, job, workerId, clock, deadline, sum);
  }
  sum.rowsPruned += await pruneRawRows(db, config, clock(), deadline);
  return sum;
}

/** Exports the claimed job's hour (or as many parts as the budget allows) from its seal, and records the outcome. */
async function runJob(db: Db, config: EngineConfig, store: SealStore, job: Job, workerId: string, clock: () => number, deadline: number, sum: TickSummary) {
  const began = clock();
  const [dest] = await db.select().from(s.destinations).where(eq(s.destinations.id, job.destinationId));
  if (!dest) return;
  const lease = keepLease(db, job, workerId, config.leaseMs, clock);
  let s3: S3Access | null = null;
  // the seal of the hour in this connection's line format
  const ref = { projectId: dest.projectId, kind: sealKindOf(job.kind, dest.lineFormat), hour: job.hour };
  try {
    const files = await filesOf(db, job.id);
    s3 = await S3Access.open(dest, config.s3);
    const settings = sealSettings(config);
    const claim = await claimSeal(db, store, ref, workerId, clock(), settings);
    const generation = claim.state === 'empty' ? 0 : claim.seal.generation;
    // parts uploaded by an earlier run count only if they came from the same seal
    const partsDone = job.sealGeneration === generation ? job.partsDone : 0;
    const shouldStop = () => clock() >= deadline || lease.lost();
    const outcome = await exportHour(
      s3,
      {
        kind: job.kind,
        hour: job.hour,
        orgId: dest.orgId,
        projectId: dest.projectId,
        prefix: dest.prefix,
        partsDone,
        mayHaveFiles: files > 0 || job.finishedAt !== null,
      },
      partsToExport(db, store, ref, claim, { workerId, settings, clock, shouldStop }),
      {
        onPart: async (p) => {
          if (lease.lost()) throw new LeaseLost();
          await recordPart(db, job, workerId, p, generation, clock(), config.leaseMs);
          sum.parts++;
          sum.events += p.events;
          sum.bytes += p.bytes;
        },
        shouldStop,
      },
    );
    if (!outcome.complete) {
      await handBack(db, job, workerId, clock(), clock() - began);
      sum.paused++;
      return;
    }
    // rows that arrived for the hour while it was copied: the files are built again and copied again
    const seal = await sealOf(db, ref);
    if (!seal || seal.state !== 'sealed' || seal.generation !== (generation || seal.generation)) throw new SealChanged(ref);
    if (dest.writeManifest) {
      if (lease.lost()) throw new LeaseLost();
      const parts = await partsOf(db, job.id, outcome.parts);
      await putHourManifest(s3, dest, job, parts);
    }
    if (await completeJob(db, job, dest, workerId, outcome.parts, clock(), clock() - began)) sum.done++;
  } catch (e) {
    if (e instanceof LeaseLost) return;
    // a damaged part is built again; rows that arrived meanwhile mean the same: the job comes back soon
    if (e instanceof SealPartDamaged) await markStale(db, ref, clock());
    const err = exportErrorOf(e);
    // the operator's to fix: a line in the server's log (the job itself says so to the customer)
    if (err.kind === 'storage') {
      sum.storageFaults++;
      console.error(`export of ${job.kind} ${new Date(job.hour).toISOString()} for project ${ref.projectId} waits: ${err.message}`);
    }
    const r = await failJob(db, config, job, dest, workerId, err, clock(), clock() - began).catch((failed: unknown) => {
      // the fault may refuse this write too: the job's lease runs out and it is claimed again later
      if (!storageFault(failed)) throw failed;
      return null;
    });
    if (r?.failed) sum.failed++;
    else if (r) sum.retried++;
    if (r?.emailQueued) sum.emailsQueued++;
  } finally {
    lease.stop();
    s3?.close();
  }
}

/** Any error of a run as an ExportError: whose fault it was decides what follows (retry-policy.ts). */
function exportErrorOf(e: unknown): ExportError {
  if (e instanceof ExportError) return e;
  if (e instanceof SealPartDamaged || e instanceof SealChanged)
    return new ExportError('transient', 'export', `the hour's sealed files are being built again: ${(e as Error).message}`);
  const fault = storageFault(e);
  if (fault) return new ExportError('storage', 'export', fault.reason);
  return new ExportError('internal', 'export', (e as Error)?.message ?? String(e));
}

export const sealSettings = (config: EngineConfig): SealSettings => ({
  partBytes: config.partBytes,
  gzip: config.gzipLevel !== undefined ? { level: config.gzipLevel } : config.gzipNative ? { native: config.gzipNative } : undefined,
  leaseMs: config.leaseMs,
});
