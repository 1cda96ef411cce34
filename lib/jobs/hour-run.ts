// One claimed export job's run: the hour of one connection taken through its stages — seal (the
// hour's canonical parts in the connection's line format), copy parts (uploads, each recorded before
// the next), manifest — to exactly one outcome: complete, handed back (out of budget), retry or fail
// (retry-policy.ts decides which, by whose fault the run failed). "Done" is written by
// job-store.ts completeJobs, the manifest by putManifest below; empty hours in batches use both.
import { eq } from 'drizzle-orm';
import * as s from '../db/schema';
import { sealKindOf } from '../db/seal-kinds';
import type { Db } from '../db/types';
import { storageFault } from '../db/storage-fault';
import { manifestFor, type ManifestInput, type ManifestPart } from '../export/files/manifest';
import { eventFileExtension, layoutOf } from '../export/files/naming';
import type { HourRef } from '../export/seal/parts-from-rows';
import { claimSeal, markStale, partsToExport, SealChanged, sealOf, type SealClaim } from '../export/seal/seal';
import { SealPartDamaged, type SealStore } from '../export/seal/store';
import { S3Access } from '../s3/access';
import { LeaseLost } from '../util/renewal';
import { sealSettings, type EngineConfig } from './config';
import { exportHour } from './copy-parts';
import { completeJobs, failJob, filesOf, handBack, partsOf, recordPart } from './job-store';
import { keepLease, type Job } from './lease';
import { errorOf, POLICY } from './retry-policy';

type Destination = typeof s.destinations.$inferSelect;

/** What every run of one tick shares. */
export interface RunContext {
  db: Db;
  config: EngineConfig;
  store: SealStore;
  workerId: string;
  clock: () => number;
  /** the tick's budget ends: a run hands its job back at the next part */
  deadline: number;
}

export interface RunOutcome {
  /** `lost`: another worker holds the job now; `gone`: its connection was deleted */
  state: 'done' | 'paused' | 'retry' | 'failed' | 'lost' | 'gone';
  kind: 'events' | 'merged';
  /** how long the run took (its seal built along, when it was) */
  ms: number;
  parts: number;
  events: number;
  bytes: number;
  emailQueued: boolean;
  /** the run stopped at a fault of Spillway's own storage: the tick stops too */
  stopsTick: boolean;
}

/**
 * Uploads the manifest of a connection's hour as JSON (a reader that looks at the Content-Type sees
 * what it is). The one place a manifest is written: an hour's run and empty hours in batches.
 */
export function putManifest(
  s3: S3Access,
  dest: Pick<ManifestInput, 'lineFormat' | 'projectId' | 'orgId' | 'prefix' | 'eventFilter' | 'fileFormat'> & { keyFolders: string | null },
  job: Pick<ManifestInput, 'kind' | 'hour'>,
  parts: ManifestPart[],
) {
  const m = manifestFor({
    kind: job.kind,
    lineFormat: dest.lineFormat,
    hour: job.hour,
    projectId: dest.projectId,
    orgId: dest.orgId,
    prefix: dest.prefix,
    folders: dest.keyFolders,
    eventFilter: dest.eventFilter,
    fileFormat: dest.fileFormat,
    parts,
  });
  return s3.put(m.key, m.body, { contentType: 'application/json' });
}

export class HourRun {
  /** the seal this run copies: the hour in the connection's line format */
  readonly ref: HourRef;
  private readonly began: number;
  private readonly lease: ReturnType<typeof keepLease>;
  private s3: S3Access | null = null;
  private readonly copied = { parts: 0, events: 0, bytes: 0 };

  private constructor(
    private readonly ctx: RunContext,
    readonly job: Job,
    readonly dest: Destination,
  ) {
    this.began = ctx.clock();
    this.ref = { projectId: dest.projectId, kind: sealKindOf(job.kind, dest), hour: job.hour, eventFilter: job.kind === 'events' ? dest.eventFilter : null };
    this.lease = keepLease(ctx.db, job, ctx.workerId, ctx.config.leaseMs, ctx.clock);
  }

  /** Runs a claimed job to its outcome; never throws for the job's own failures. */
  static async run(ctx: RunContext, job: Job): Promise<RunOutcome> {
    const [dest] = await ctx.db.select().from(s.destinations).where(eq(s.destinations.id, job.destinationId));
    if (!dest) return outcome('gone', job.kind, 0);
    const run = new HourRun(ctx, job, dest);
    try {
      return await run.stages();
    } catch (e) {
      return await run.failed(e);
    } finally {
      run.lease.stop();
      run.s3?.close();
    }
  }

  private readonly shouldStop = () => this.ctx.clock() >= this.ctx.deadline || this.lease.lost();

  private async stages(): Promise<RunOutcome> {
    const { db, config, workerId, clock } = this.ctx;
    const files = await filesOf(db, this.job.id);
    this.s3 = await S3Access.open(this.dest, config.s3);
    const claim = await this.seal();
    const generation = claim.state === 'empty' ? 0 : claim.seal.generation;
    const copy = await this.copyParts(claim, generation, files > 0 || this.job.finishedAt !== null);
    if (!copy.complete) {
      await handBack(db, this.job, workerId, clock(), clock() - this.began);
      return this.outcome('paused');
    }
    // rows that arrived for the hour while it was copied: the files are built again and copied again
    const seal = await sealOf(db, this.ref);
    if (!seal || seal.state !== 'sealed' || seal.generation !== (generation || seal.generation)) throw new SealChanged(this.ref);
    if (this.dest.writeManifest) await this.manifest(copy.parts);
    return this.complete(copy.parts);
  }

  /** Stage 1: the hour's seal, claimed (built here, or followed while another worker builds it). */
  private seal(): Promise<SealClaim> {
    const { db, store, workerId, clock, config } = this.ctx;
    return claimSeal(db, store, this.ref, workerId, clock(), sealSettings(config));
  }

  /** Stage 2: the seal's parts uploaded under the connection's keys, each recorded before the next. */
  private copyParts(claim: SealClaim, generation: number, mayHaveFiles: boolean) {
    const { db, store, config, workerId, clock } = this.ctx;
    const { job, dest } = this;
    // parts uploaded by an earlier run count only if they came from the same seal
    const partsDone = job.sealGeneration === generation ? job.partsDone : 0;
    return exportHour(
      this.s3!,
      {
        kind: job.kind,
        hour: job.hour,
        orgId: dest.orgId,
        projectId: dest.projectId,
        layout: layoutOf(dest),
        extension: eventFileExtension(dest.fileFormat),
        partsDone,
        mayHaveFiles,
      },
      partsToExport(db, store, this.ref, claim, { workerId, settings: sealSettings(config), clock, shouldStop: this.shouldStop }),
      {
        onPart: async (p) => {
          if (this.lease.lost()) throw new LeaseLost();
          await recordPart(db, job, workerId, p, generation, clock(), config.leaseMs);
          this.copied.parts++;
          this.copied.events += p.events;
          this.copied.bytes += p.bytes;
        },
        shouldStop: this.shouldStop,
      },
    );
  }

  /** Stage 3: the hour's manifest, after its last part. */
  private async manifest(parts: number) {
    if (this.lease.lost()) throw new LeaseLost();
    await putManifest(this.s3!, this.dest, this.job, await partsOf(this.ctx.db, this.job.id, parts));
  }

  private async complete(parts: number): Promise<RunOutcome> {
    const { db, workerId, clock } = this.ctx;
    const n = await completeJobs(db, this.dest, [{ job: this.job, parts }], workerId, clock(), clock() - this.began);
    return this.outcome(n > 0 ? 'done' : 'lost');
  }

  /** Retry or fail, as retry-policy.ts says for the error's kind. */
  private async failed(e: unknown): Promise<RunOutcome> {
    if (e instanceof LeaseLost) return this.outcome('lost');
    const { db, config, workerId, clock } = this.ctx;
    // a damaged part is built again; rows that arrived meanwhile mean the same: the job comes back soon
    if (e instanceof SealPartDamaged) await markStale(db, this.ref, clock());
    const err = errorOf(e);
    const policy = POLICY[err.kind];
    // the operator's to fix: a line in the server's log (the job itself says so to the customer)
    if (policy.stopsTick)
      console.error(`export of ${this.job.kind} ${new Date(this.job.hour).toISOString()} for project ${this.ref.projectId} waits: ${err.message}`);
    const r = await failJob(db, config, this.job, this.dest, workerId, err, clock(), clock() - this.began).catch((failed: unknown) => {
      // the fault may refuse this write too: the job's lease runs out and it is claimed again later
      if (!storageFault(failed)) throw failed;
      return null;
    });
    return { ...this.outcome(r === null ? 'lost' : r.failed ? 'failed' : 'retry'), emailQueued: r?.emailQueued ?? false, stopsTick: policy.stopsTick };
  }

  private outcome(state: RunOutcome['state']): RunOutcome {
    return { ...outcome(state, this.job.kind, this.ctx.clock() - this.began), ...this.copied };
  }
}

const outcome = (state: RunOutcome['state'], kind: RunOutcome['kind'], ms: number): RunOutcome => ({
  state,
  kind,
  ms,
  parts: 0,
  events: 0,
  bytes: 0,
  emailQueued: false,
  stopsTick: false,
});
