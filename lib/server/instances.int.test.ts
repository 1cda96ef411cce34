// Two app instances on one database file under concurrent ingestion, sign-ins and cron ticks (each
// also runs its own scheduler): both keep answering, every acknowledged event is stored exactly
// once, and an alarm email goes out once.
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client';
import * as s from '../db/schema';
import { bucketPolicy } from '../destinations/policy';
import { HOUR_MS } from '../util/hours';
import { startApp, type RunningApp } from '../../test/support/app';
import { freshDbUrl } from '../../test/support/db';
import { ingestAt, rgwDestination } from '../../test/support/engine';
import { newBucket, rgwEnv, serverIdentityEnv, setBucketPolicy } from '../../test/support/rgw';
import { seedOrg } from '../../test/support/seed';
import { startSmtp } from '../../test/support/smtp';

const RUN_MS = 20_000;
const CRON_SECRET = 'cron-secret-for-the-instances-test';
let database: Database;
let apps: RunningApp[] = [];
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let seed: Awaited<ReturnType<typeof seedOrg>>;
let bucket: string;

beforeAll(async () => {
  const url = freshDbUrl();
  database = await openDatabase({ url });
  seed = await seedOrg(database.db, 'multi');
  smtp = await startSmtp();
  // a connection whose bucket refuses s3:PutObject: its export fails and raises one alarm
  bucket = await newBucket('multi');
  const e = rgwEnv();
  const policy = bucketPolicy({ bucket, prefix: '', principal: e.user2.arn });
  policy.Statement[1].Action = ['s3:DeleteObject'];
  await setBucketPolicy(bucket, policy);
  await ingestAt(database.db, seed.project.apiKey!, [{ user_id: 'alarm-user', event_type: 'x', device_id: 'alarm-device' }], Date.now() - HOUR_MS);
  await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket, createdBy: seed.admin.id });
  const env = {
    DATABASE_URL: url,
    SPILLWAY_SCHEDULER: 'on',
    SPILLWAY_TICK_INTERVAL_MS: '1000',
    EXPORT_GRACE_MS: '0',
    EXPORT_RETRY_BASE_MS: '0',
    EXPORT_MAX_TRIES: '2',
    ...serverIdentityEnv('user2'),
    SMTP_URL: smtp.url,
    CRON_SECRET,
    INGEST_MAX_EPS_PER_API_KEY: '10000000',
    INGEST_WRITE_WAIT_MS: '2000',
  };
  apps = await Promise.all([startApp(env), startApp(env)]);
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await smtp?.close();
  database?.close();
});

describe('two instances, one database', () => {
  it('/api/health says 503 while the database takes no write, and 200 again after', async () => {
    const app = apps[0];
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    // another process holds the write lock past the health check's 2 s
    const tx = await database.client.transaction('write');
    try {
      const r = await fetch(`${app.url}/api/health`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ ok: false, database: expect.stringMatching(/^not writable/) });
    } finally {
      await tx.rollback();
    }
    const again = await fetch(`${app.url}/api/health`);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ ok: true, database: 'writable', scheduler: expect.stringMatching(/ticking|starting/) });
  });

  it('both keep serving; every acknowledged event once; the alarm email once', async () => {
    const acked = new Set<string>();
    const statuses: Record<string, number> = {};
    const note = (what: string, status: number) => (statuses[`${what} ${status}`] = (statuses[`${what} ${status}`] ?? 0) + 1);
    const until = Date.now() + RUN_MS;
    let batch = 0;
    const ingestLoop = async (app: RunningApp, client: number) => {
      while (Date.now() < until) {
        const id = `${app.url}-${client}-${batch++}`;
        // devices and users of their own per batch: the per-device limit (30 events/s) is not what is tested
        const events = Array.from({ length: 100 }, (_, i) => ({
          device_id: `dev-${id}-${i % 20}`,
          user_id: `user-${id}-${i % 10}`,
          event_type: 'load',
          insert_id: `${id}-${i}`,
        }));
        try {
          const r = await fetch(`${app.url}/2/httpapi`, {
            method: 'POST',
            body: JSON.stringify({ api_key: seed.project.apiKey, events }),
            signal: AbortSignal.timeout(15_000),
          });
          note('ingest', r.status);
          if (r.status === 200) for (const e of events) acked.add(e.insert_id);
          if (r.status === 503) expect(r.headers.get('retry-after')).toBeTruthy();
        } catch {
          note('ingest', 0);
        }
      }
    };
    const signInLoop = async (app: RunningApp) => {
      while (Date.now() < until) {
        const r = await fetch(`${app.url}/api/auth/signin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: app.url },
          body: JSON.stringify({ email: seed.admin.email, password: seed.password }),
        });
        note('signin', r.status);
        await new Promise((res) => setTimeout(res, 300));
      }
    };
    const cronLoop = async (app: RunningApp) => {
      while (Date.now() < until) {
        const r = await fetch(`${app.url}/api/cron`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
        note('cron', r.status);
        await new Promise((res) => setTimeout(res, 700));
      }
    };
    await Promise.all(apps.flatMap((a, i) => [ingestLoop(a, 2 * i), ingestLoop(a, 2 * i + 1), signInLoop(a), cronLoop(a)]));

    console.log('answers during the run:', statuses);
    // both still serve, and say so
    for (const app of apps) {
      const health = await fetch(`${app.url}/api/health`);
      expect(health.status, (await health.text()).slice(0, 300)).toBe(200);
      const r = await fetch(`${app.url}/2/httpapi`, {
        method: 'POST',
        body: JSON.stringify({ api_key: seed.project.apiKey, events: [{ device_id: 'after-load', event_type: 'after', insert_id: `after-${app.url}` }] }),
      });
      expect(r.status).toBe(200);
      acked.add(`after-${app.url}`);
    }
    expect(statuses['ingest 200'] ?? 0).toBeGreaterThan(20);
    expect(statuses['signin 200'] ?? 0).toBeGreaterThan(10);
    expect(Object.keys(statuses).filter((k) => / (500|0)$/.test(k))).toEqual([]);

    // every acknowledged event exactly once
    const dupes = await database.db
      .select({ id: s.events.insertId, n: count() })
      .from(s.events)
      .where(eq(s.events.projectId, seed.project.id))
      .groupBy(s.events.insertId)
      .having(sql`count(*) > 1`);
    expect(dupes).toEqual([]);
    const stored = new Set((await database.db.select({ id: s.events.insertId }).from(s.events)).map((r) => r.id));
    const missing = [...acked].filter((id) => !stored.has(id));
    expect(missing).toEqual([]);

    // the alarm: one email, however many instances drain the outbox
    await expect.poll(() => smtp.messages.filter((m) => m.subject?.includes(bucket)).length, { timeout: 30_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(smtp.messages.filter((m) => m.subject?.includes(bucket))).toHaveLength(1);
  });
});
