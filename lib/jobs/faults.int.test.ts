// Exports through a fault-injecting proxy in front of radosgw (503 SlowDown, 500, connection resets
// before and after the server acted, slow answers): every hour completes, and the bucket ends with
// exactly the files of a clean run, byte for byte — none missing, none extra, none duplicated.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/client';
import * as s from '../db/schema';
import { floorHour, HOUR_MS } from '../util/hours';
import { freshDatabase } from '../../test/support/db';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { startFaultProxy } from '../../test/support/fault-proxy';
import { newBucket, rgwEnv, snapshot } from '../../test/support/rgw';
import { seedOrg } from '../../test/support/seed';
import { tick } from './tick';

let database: Database;
beforeEach(async () => {
  database = await freshDatabase();
});
afterEach(() => database.close());

describe('S3 faults', () => {
  it('random 500/503 SlowDown, resets and slow answers: exports complete, no missing and no duplicate file', async () => {
    const db = database.db;
    const seed = await seedOrg(db);
    const H = floorHour(Date.now()) - 4 * HOUR_MS;
    for (let h = 0; h < 3; h++) {
      await ingestAt(db, seed.project.apiKey!, sampleEvents(300, `f${h}`), H + h * HOUR_MS + 60_000);
    }
    const proxy = await startFaultProxy(
      rgwEnv().endpoint,
      { slowDown: 0.12, internal: 0.08, resetBefore: 0.05, resetAfter: 0.05, slow: 0.1, slowMs: 300 },
      Number(process.env.FAULT_SEED ?? 20261125),
    );
    try {
      const faulty = await newBucket('faulty');
      const clean = await newBucket('clean');
      const config = testConfig({ partBytes: 60_000, maxTries: 50, s3: { ...testConfig().s3, requestTimeoutMs: 5_000 } });
      const viaProxy = await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket: faulty, endpoint: proxy.url, exportMerged: true });
      for (let i = 0; i < 200; i++) {
        await tick(db, config, { budgetMs: 20_000 });
        const open = await db.select({ state: s.exportJobs.state }).from(s.exportJobs).where(eq(s.exportJobs.destinationId, viaProxy.id));
        if (open.every((j) => j.state === 'done')) break;
      }
      const jobs = await db.select().from(s.exportJobs).where(eq(s.exportJobs.destinationId, viaProxy.id));
      expect(jobs.every((j) => j.state === 'done')).toBe(true);
      expect(jobs.reduce((a, j) => a + j.events, 0)).toBe(900);
      // the proxy did get in the way
      expect(proxy.stats.slowDown + proxy.stats.internal + proxy.stats.resetBefore + proxy.stats.resetAfter).toBeGreaterThan(5);
      expect(jobs.some((j) => j.tries > 1)).toBe(true);

      await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket: clean, exportMerged: true });
      await tick(db, config, { budgetMs: 60_000 });
      const [a, b] = [await snapshot(faulty), await snapshot(clean)];
      expect(a.size).toBeGreaterThan(10);
      expect([...a.keys()]).toEqual([...b.keys()]);
      for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
