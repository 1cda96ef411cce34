// Spillway's own faults are never the customer's (issue: with its database's disk full during a seal the
// customer got an alarm email naming their bucket, and the job stayed failed after space returned). The
// running app on a database in a small tmpfs, its cron door, real radosgw: the export waits without a
// try counted or an alarm, health says why, and it finishes by itself once space returns.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client';
import * as s from '../db/schema';
import { jobsPage } from '../destinations/status';
import { floorHour, HOUR_MS } from '../util/hours';
import { startApp, type RunningApp } from '../../test/support/app';
import { freshDatabase } from '../../test/support/db';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { listKeys, newBucket, serverIdentityEnv } from '../../test/support/rgw';
import { seedOrg } from '../../test/support/seed';
import { mountSmallDisk, type SmallDisk } from '../../test/support/small-disk';
import { tick } from './tick';

const CRON_SECRET = 'own-faults-cron-secret-0123456789';
const H = floorHour(Date.now()) - HOUR_MS;
const EVENTS = 30_000;

describe('a full disk under the database during a seal and export', () => {
  let disk: SmallDisk;
  let database: Database;
  let app: RunningApp;
  let bucket: string;
  let destinationId: number;

  beforeAll(async () => {
    disk = mountSmallDisk(64);
    const url = `file:${disk.dir}/spillway.db`;
    database = await openDatabase({ url });
    const seed = await seedOrg(database.db, 'own');
    for (let i = 0; i < EVENTS; i += 2_000) await ingestAt(database.db, seed.project.apiKey!, sampleEvents(2_000, `own${i}`), H + 60_000);
    bucket = await newBucket('own-faults');
    destinationId = (
      await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket, createdBy: seed.admin.id, writeManifest: true })
    ).id;
    // the write-ahead log emptied: the seal's pages need new space on the disk, as on a long-running server
    await database.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    app = await startApp({
      DATABASE_URL: url,
      CRON_SECRET,
      EXPORT_GRACE_MS: '0',
      EXPORT_RETRY_BASE_MS: '0',
      // one try: had the fault been counted, the job would fail and the alarm go out at once
      EXPORT_MAX_TRIES: '1',
      SPILLWAY_MIN_FREE_DISK_MB: '4',
      ...serverIdentityEnv('user1'),
    });
  });
  afterAll(async () => {
    await app?.stop();
    database?.close();
    disk?.unmount();
  });

  const cron = async () => {
    const r = await fetch(`${app.url}/api/cron`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    return { status: r.status, body: (await r.json()) as Record<string, number> };
  };
  const health = async () => {
    const r = await fetch(`${app.url}/api/health`);
    return { status: r.status, body: (await r.json()) as { ok: boolean; database: string } };
  };
  const eventJob = async () =>
    (await database.db.select().from(s.exportJobs).where(eq(s.exportJobs.destinationId, destinationId))).find((j) => j.kind === 'events' && j.hour === H);

  it('waits without a try or an alarm, says whose fault it is, and finishes once space returns', async () => {
    expect((await health()).status).toBe(200);
    disk.fillTo(0.1);

    // health tells the truth while the disk is full
    const sick = await health();
    expect(sick.status).toBe(503);
    expect(sick.body.database).toMatch(/not writable: disk nearly full: 0 MB free, below SPILLWAY_MIN_FREE_DISK_MB=4/);

    const during = await cron();
    expect(during.body).toMatchObject({ failed: 0, emailsQueued: 0 });
    const job = await eventJob();
    expect(job).toMatchObject({ state: 'retry', tries: 0, errorKind: 'storage' });
    expect(job!.errorMessage).toMatch(/disk of Spillway's database is full/);
    expect(await database.db.select().from(s.alarms)).toEqual([]);
    expect(await database.db.select().from(s.outbox)).toEqual([]);
    expect(app.logs.join('')).toMatch(/export of events .* waits: the disk of Spillway's database is full/);
    // what the jobs table shows the customer
    const shown = (await jobsPage(database.db, { id: destinationId, bucket, prefix: '' }, { kind: 'events' })).jobs.find((j) => j.hour === H)!;
    expect(shown.error).toMatchObject({ kind: 'storage', summary: "Spillway's own storage failed, not your bucket" });
    expect(shown.error!.help).toContain(`Nothing is wrong with bucket "${bucket}"`);

    // space returns: the next ticks finish the hour, nobody clicks Retry
    disk.free();
    for (let i = 0; i < 10 && (await eventJob())?.state !== 'done'; i++) await cron();
    expect(await eventJob()).toMatchObject({ state: 'done', events: EVENTS, tries: 0, errorKind: null });
    const keys = await listKeys(bucket, '', { manifests: true });
    expect(keys.filter((k) => k.endsWith('.json.gz')).length).toBeGreaterThan(0);
    expect(keys.some((k) => k.includes('manifest'))).toBe(true);
    expect((await health()).status).toBe(200);
  });
});

describe('an unreachable archive of sealed hours', () => {
  it("is Spillway's storage failing: the job waits, no try, no alarm, not the bucket's permissions", async () => {
    const database = await freshDatabase();
    try {
      const { db } = database;
      const seed = await seedOrg(db, 'archive');
      await ingestAt(db, seed.project.apiKey!, sampleEvents(50, 'arch'), H + 60_000);
      const bucket = await newBucket('archive-down');
      const dest = await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket, createdBy: seed.admin.id });
      // nothing listens on port 9 of loopback
      const archive = { bucket: 'sealed', prefix: '', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', forcePathStyle: true };
      const config = testConfig({ maxTries: 1, graceMs: 0, archive, endpoints: undefined });
      const sum = await tick(db, config, { budgetMs: 20_000 });
      expect(sum).toMatchObject({ failed: 0, emailsQueued: 0, storageFaults: 1 });
      const job = (await db.select().from(s.exportJobs).where(eq(s.exportJobs.destinationId, dest.id))).find((j) => j.hour === H);
      expect(job).toMatchObject({ state: 'retry', tries: 0, errorKind: 'storage' });
      expect(job!.errorMessage).toMatch(/archive of sealed hours \(SPILLWAY_ARCHIVE_URL\) cannot be reached/);
      expect(await db.select().from(s.alarms)).toEqual([]);
    } finally {
      database.close();
    }
  });
});
