// An export job's run (hour-run.ts) from claim to each of its outcomes, on radosgw and a fresh libSQL
// file: done with its parts and manifest, handed back at the deadline and resumed, retried then failed
// with the alarm for the customer's fault, waiting without a try for Spillway's own, lost to another
// worker; and empty hours finished in a batch the same way.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { getBytes, listKeys, newBucket } from '../../test/support/rgw';
import { seededEachTest } from '../../test/support/seeded-db';
import * as s from '../db/schema';
import { SealStore } from '../export/seal/store';
import { floorHour, HOUR_MS } from '../util/hours';
import type { EngineConfig } from './config';
import { claimEmptyJobs, finishEmptyJobs } from './empty-hours';
import { HourRun, type RunContext } from './hour-run';
import { claimJob } from './lease';

const fresh = seededEachTest('run');
const H = floorHour(Date.now()) - 5 * HOUR_MS;
const db = () => fresh.database.db;

/** A connection with only the jobs of `hours` (its own plan is not run), due now. */
async function connection(bucket: string, hours: number[]) {
  const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket, createdBy: fresh.seed.admin.id });
  await db().delete(s.exportJobs).where(eq(s.exportJobs.destinationId, dest.id));
  await db()
    .insert(s.exportJobs)
    .values(hours.map((hour) => ({ destinationId: dest.id, kind: 'events' as const, hour, dueAt: 0, updatedAt: 0 })));
  return dest;
}

const context = (config: EngineConfig, over: Partial<RunContext> = {}): RunContext => ({
  db: db(),
  config,
  store: new SealStore(config.archive, config.s3),
  workerId: 'runner',
  clock: Date.now,
  deadline: Infinity,
  ...over,
});

async function runNext(ctx: RunContext) {
  const job = await claimJob(db(), ctx.workerId, ctx.clock(), ctx.config.leaseMs);
  expect(job).not.toBeNull();
  return { job: job!, outcome: await HourRun.run(ctx, job!) };
}

const jobRow = async (id: number) => (await db().select().from(s.exportJobs).where(eq(s.exportJobs.id, id)))[0];

describe('an hour run', () => {
  it('seals, copies every part, writes the manifest last, and completes', async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(120, 'done'), H + 60_000);
    const bucket = await newBucket('run-done');
    await connection(bucket, [H]);
    const { job, outcome } = await runNext(context(testConfig({ partBytes: 40_000 })));
    expect(outcome).toMatchObject({ state: 'done', events: 120, emailQueued: false, stopsTick: false });
    expect(outcome.parts).toBeGreaterThan(2);
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ state: 'done', leaseOwner: null, goodEvents: 120, goodParts: outcome.parts, errorKind: null });
    const keys = await listKeys(bucket, '', { manifests: true });
    const manifestKey = keys.find((k) => k.startsWith('_spillway/manifests/'))!;
    const manifest = JSON.parse(new TextDecoder().decode(await getBytes(bucket, manifestKey)));
    expect(manifest.parts.map((p: { key: string }) => p.key).sort()).toEqual(keys.filter((k) => k.endsWith('.json.gz')).sort());
    expect(manifest.parts).toHaveLength(outcome.parts);
  });

  it('hands its job back at the deadline, and the next run resumes at the next part', async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(120, 'pause'), H + 60_000);
    const bucket = await newBucket('run-pause');
    await connection(bucket, [H]);
    const config = testConfig({ partBytes: 40_000 });
    // the deadline has passed: the part being uploaded is finished and recorded, then the run stops
    const first = await runNext(context(config, { deadline: 0 }));
    expect(first.outcome).toMatchObject({ state: 'paused', parts: 1 });
    expect(await jobRow(first.job.id)).toMatchObject({ state: 'pending', partsDone: 1, leaseOwner: null });
    const second = await runNext(context(config));
    expect(second.job.id).toBe(first.job.id);
    expect(second.outcome.state).toBe('done');
    expect(second.outcome.parts + 1).toBe((await jobRow(first.job.id)).goodParts);
  });

  it("counts tries for the customer's fault, then fails and raises the alarm with its email", async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(10, 'deny'), H + 60_000);
    // no such bucket: the customer's to fix
    await connection(`missing-${Date.now()}`, [H]);
    const ctx = context(testConfig({ maxTries: 2 }));
    const first = await runNext(ctx);
    expect(first.outcome).toMatchObject({ state: 'retry', emailQueued: false });
    expect(await jobRow(first.job.id)).toMatchObject({ state: 'retry', tries: 1, errorKind: 'access', errorPermission: 'bucket' });
    await db().update(s.exportJobs).set({ dueAt: 0 }).where(eq(s.exportJobs.id, first.job.id));
    const second = await runNext(ctx);
    expect(second.outcome).toMatchObject({ state: 'failed', emailQueued: true });
    expect(await jobRow(first.job.id)).toMatchObject({ state: 'failed', tries: 2 });
    expect(await db().select().from(s.alarms)).toHaveLength(1);
  });

  it("waits without a try or an alarm when Spillway's own storage fails, and stops the tick", async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(10, 'own'), H + 60_000);
    await connection(await newBucket('run-own'), [H]);
    // nothing listens on port 9 of loopback
    const archive = { bucket: 'sealed', prefix: '', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', forcePathStyle: true };
    const { job, outcome } = await runNext(context(testConfig({ maxTries: 1, archive, endpoints: undefined })));
    expect(outcome).toMatchObject({ state: 'retry', stopsTick: true, emailQueued: false });
    expect(await jobRow(job.id)).toMatchObject({ state: 'retry', tries: 0, errorKind: 'storage' });
    expect(await db().select().from(s.alarms)).toEqual([]);
  });

  it('stops without recording anything when another worker took the job over', async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(10, 'lost'), H + 60_000);
    const bucket = await newBucket('run-lost');
    await connection(bucket, [H]);
    const ctx = context(testConfig());
    const job = (await claimJob(db(), ctx.workerId, Date.now(), ctx.config.leaseMs))!;
    await db().update(s.exportJobs).set({ leaseOwner: 'someone-else' }).where(eq(s.exportJobs.id, job.id));
    expect((await HourRun.run(ctx, job)).state).toBe('lost');
    expect(await jobRow(job.id)).toMatchObject({ state: 'running', leaseOwner: 'someone-else', partsDone: 0, events: 0 });
    expect(await db().select().from(s.exportedFiles)).toEqual([]);
    // the part in flight may have landed (the same bytes its holder writes); the manifest has not
    expect(await listKeys(bucket, '_spillway/', { manifests: true })).toEqual([]);
  });
});

describe('empty hours', () => {
  it('are finished in a batch: a manifest each and done, through the same completion', async () => {
    // data in the last hour only: the three before it are sealed as empty
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(5, 'later'), H + 3 * HOUR_MS + 60_000);
    const bucket = await newBucket('run-empty');
    const dest = await connection(bucket, [H, H + HOUR_MS, H + 2 * HOUR_MS]);
    await db()
      .update(s.projects)
      .set({ sealedUntil: H + 3 * HOUR_MS })
      .where(eq(s.projects.id, fresh.seed.project.id));
    const config = testConfig();
    const claimed = await claimEmptyJobs(db(), 'runner', Date.now(), config.leaseMs);
    expect(claimed.map((j) => j.hour).sort()).toEqual([H, H + HOUR_MS, H + 2 * HOUR_MS]);
    expect(await finishEmptyJobs(db(), config, claimed, 'runner', Date.now)).toEqual({ done: 3, refused: [] });
    const rows = await db().select().from(s.exportJobs).where(eq(s.exportJobs.destinationId, dest.id));
    for (const r of rows) expect(r).toMatchObject({ state: 'done', goodEvents: 0, goodParts: 0, leaseOwner: null });
    expect(await listKeys(bucket, '_spillway/manifests/', { manifests: true })).toHaveLength(3);
  });
});
