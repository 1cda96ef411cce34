// One budgeted tick: plan due hours, seal closed hours, then claim jobs one at a time with an atomic
// lease and run each (hour-run.ts) until the time budget is spent. Any number of ticks (cron
// invocations, processes) may run at once: a job belongs to whoever holds its lease (lease.ts), every
// progress write checks it (job-store.ts), and a job cut off mid-hour (budget, crash) resumes at its
// next part.
import type { Db } from '../db/types';
import { SealStore } from '../export/seal/store';
import { sealSettings, type EngineConfig } from './config';
import { claimEmptyJobs, finishEmptyJobs } from './empty-hours';
import { HourRun, type RunContext, type RunOutcome } from './hour-run';
import { runDueIntegrityCheck } from './integrity';
import { claimJob } from './lease';
import { planBackfills, planHourly } from './plan';
import { pruneRawRows } from './retention';
import { forgetEmptyHours } from './job-history';
import { queueOverdueHours } from './webhook-events';
import { sealClosedHours, type SealBuilt } from './seal-closed-hours';

export { claimJob, type Job } from './lease';
export { openJobs, retryFailed } from './job-store';

export interface TickOptions {
  budgetMs: number;
  now?: () => number;
  workerId?: string;
  /** stop after this many jobs (tests) */
  maxJobs?: number;
  /** told of each run and each seal built (the server's metrics) */
  observe?: EngineObserver;
}

/** What the engine reports as it works, for whoever counts it (lib/server/metrics.ts); runtime-neutral. */
export interface EngineObserver {
  run?(o: RunOutcome): void;
  seal?(o: SealBuilt): void;
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
  /** job rows of old empty hours forgotten (job-history.ts) */
  jobsForgotten: number;
  /** runs stopped by a fault of Spillway's own storage (the tick stops at the first: retry-policy.ts) */
  storageFaults: number;
}

export async function tick(db: Db, config: EngineConfig, opts: TickOptions): Promise<TickSummary> {
  const clock = opts.now ?? Date.now;
  const start = clock();
  const deadline = start + opts.budgetMs;
  const workerId = opts.workerId ?? crypto.randomUUID();
  const store = new SealStore(config.archive, config.s3);
  const ctx: RunContext = { db, config, store, workerId, clock, deadline };
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
    jobsForgotten: 0,
    storageFaults: 0,
  };
  const count = (o: RunOutcome) => {
    opts.observe?.run?.(o);
    if (o.state === 'done') sum.done++;
    else if (o.state === 'paused') sum.paused++;
    else if (o.state === 'retry') sum.retried++;
    else if (o.state === 'failed') sum.failed++;
    sum.parts += o.parts;
    sum.events += o.events;
    sum.bytes += o.bytes;
    if (o.emailQueued) sum.emailsQueued++;
    if (o.stopsTick) sum.storageFaults++;
  };

  sum.planned += await planHourly(db, config, start);
  sum.planned += await planBackfills(db, config, start);
  // an hour closed long ago and not exported is told to the webhooks (once each)
  if (config.overdueMs > 0) await queueOverdueHours(db, start, config.overdueMs);
  // a connection a day whose bucket is compared with what was exported; wrong hours are queued again
  const integrity = await runDueIntegrityCheck(db, config, start);
  sum.repairsQueued += integrity?.issues.filter((i) => i.repaired).length ?? 0;
  // closed hours sealed (or left to their exports to seal): at most half the budget, the exports come first
  sum.sealed += await sealClosedHours(db, config, store, {
    workerId,
    settings: sealSettings(config),
    clock,
    deadline: start + opts.budgetMs / 2,
    onBuilt: opts.observe?.seal,
  });
  while (clock() < deadline && (opts.maxJobs === undefined || sum.jobs < opts.maxJobs) && sum.storageFaults === 0) {
    // hours known to be empty, many at a time; those whose manifest fails go the ordinary way
    const empty = await claimEmptyJobs(db, workerId, clock(), config.leaseMs);
    if (empty.length > 0) {
      sum.jobs += empty.length;
      const r = await finishEmptyJobs(db, config, empty, workerId, clock);
      sum.done += r.done;
      for (const job of r.refused) count(await HourRun.run(ctx, job));
      continue;
    }
    const job = await claimJob(db, workerId, clock(), config.leaseMs);
    if (!job) break;
    sum.jobs++;
    count(await HourRun.run(ctx, job));
  }
  sum.rowsPruned += await pruneRawRows(db, config, clock(), deadline);
  sum.jobsForgotten += await forgetEmptyHours(db, config, clock(), deadline);
  return sum;
}
