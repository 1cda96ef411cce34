// A tick killed mid-hour (SIGKILL, its own process) and the next tick: the bucket ends byte-identical
// to a clean run. Also several processes ticking the same database at once.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client';
import * as s from '../db/schema';
import { floorHour, HOUR_MS } from '../util/hours';
import { freshDbUrl } from '../../test/support/db';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { newBucket, snapshot } from '../../test/support/rgw';
import { rng } from '../../test/support/fault-proxy';
import { seedOrg } from '../../test/support/seed';
import { tick } from './tick';

let database: Database;
let url: string;
beforeEach(async () => {
  url = freshDbUrl();
  database = await openDatabase({ url });
});
afterEach(() => database.close());

function child(env: Record<string, string>) {
  const proc = spawn(process.execPath, [resolve('node_modules/tsx/dist/cli.mjs'), resolve('test/support/tick-child.ts')], {
    env: { ...process.env, DATABASE_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((r) =>
    proc.on('exit', (code, signal) => r({ code, signal, out, err })),
  );
  return { proc, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const H = floorHour(Date.now()) - 2 * HOUR_MS;

describe('crash safety', () => {
  it('SIGKILL mid-hour, then the next tick finishes: byte-identical to a clean run', async () => {
    const seed = await seedOrg(database.db);
    for (let i = 0; i < 3; i++) await ingestAt(database.db, seed.project.apiKey!, sampleEvents(400, `k${i}`), H + i * 60_000);
    const config = testConfig({ partBytes: 4_000, leaseMs: 10_000 });
    const killedBucket = await newBucket('killed');
    const cleanBucket = await newBucket('clean');
    const killed = await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket: killedBucket });

    const c = child({ ENGINE_CONFIG: JSON.stringify(config) });
    // kill once a few parts of the hour are recorded
    for (let i = 0; i < 2000; i++) {
      const [{ n }] = await database.db.select({ n: count() }).from(s.exportedFiles);
      if (n >= 5) break;
      await sleep(5);
    }
    c.proc.kill('SIGKILL');
    const r = await c.done;
    expect(r.signal).toBe('SIGKILL');
    const [job] = await database.db.select().from(s.exportJobs).where(eq(s.exportJobs.hour, H));
    expect(job.state).toBe('running');
    expect(job.partsDone).toBeGreaterThan(0);

    // the dead worker's lease runs out; the next tick resumes at the next part
    const sum = await tick(database.db, config, { budgetMs: 120_000, now: () => Date.now() + 11_000 });
    expect(sum.failed).toBe(0);
    const [after] = await database.db.select().from(s.exportJobs).where(eq(s.exportJobs.hour, H));
    expect(after).toMatchObject({ state: 'done', events: 1200 });

    // a clean run of the same data into another bucket
    await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket: cleanBucket });
    await tick(database.db, config, { budgetMs: 120_000 });
    const [a, b] = [await snapshot(killedBucket), await snapshot(cleanBucket)];
    expect(a.size).toBeGreaterThan(100);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
    expect(killed.id).toBeGreaterThan(0);
  });

  it('SIGKILL at random points three times, then a restart: byte-identical to a clean run', async () => {
    const seed = await seedOrg(database.db);
    for (let i = 0; i < 3; i++) await ingestAt(database.db, seed.project.apiKey!, sampleEvents(300, `r${i}`), H - i * HOUR_MS + 60_000);
    const config = testConfig({ partBytes: 4_000, leaseMs: 10_000 });
    const killedBucket = await newBucket('rkilled');
    const cleanBucket = await newBucket('rclean');
    await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket: killedBucket, exportMerged: true });
    const random = rng(Number(process.env.CRASH_SEED ?? 7));
    let shift = 0;
    for (let k = 0; k < 3; k++) {
      // each restart comes after the killed worker's lease ran out
      shift += 11_000;
      const c = child({ ENGINE_CONFIG: JSON.stringify(config), NOW_SHIFT_MS: String(shift) });
      await sleep(400 + random() * 2500);
      c.proc.kill('SIGKILL');
      await c.done;
    }
    shift += 11_000;
    const sum = await tick(database.db, config, { budgetMs: 120_000, now: () => Date.now() + shift });
    expect(sum.failed).toBe(0);
    const jobs = await database.db.select().from(s.exportJobs);
    expect(jobs.every((j) => j.state === 'done')).toBe(true);

    await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket: cleanBucket, exportMerged: true });
    await tick(database.db, config, { budgetMs: 120_000, now: () => Date.now() + shift });
    const [a, b] = [await snapshot(killedBucket), await snapshot(cleanBucket)];
    expect(a.size).toBeGreaterThan(50);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
  });

  it('three processes ticking one database export each part exactly once', async () => {
    const seed = await seedOrg(database.db);
    for (let h = 0; h < 6; h++) await ingestAt(database.db, seed.project.apiKey!, sampleEvents(60, `p${h}`), H - h * HOUR_MS);
    const bucket = await newBucket('multiproc');
    await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket });
    const config = testConfig({ partBytes: 10_000 });
    const runs = await Promise.all([1, 2, 3].map(() => child({ ENGINE_CONFIG: JSON.stringify(config) }).done));
    const sums = runs.map((r) => {
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out.trim().split('\n').pop()!);
    });
    const keys = await snapshot(bucket);
    expect(sums.reduce((a, x) => a + x.parts, 0)).toBe(keys.size);
    const [{ n }] = await database.db.select({ n: count() }).from(s.exportJobs).where(eq(s.exportJobs.state, 'done'));
    expect(sums.reduce((a, x) => a + x.done, 0)).toBe(n);
  });
});
