// The integrity check covers every hour Spillway wrote for the connection in its window, backfills
// before the connection's start included (issue: an hour 8 days old, backfilled, part 1 deleted;
// "Check the bucket now" with SPILLWAY_INTEGRITY_DAYS=10 checked 24 hours and found nothing). The
// running app over HTTP, its cron door, real radosgw.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { floorHour, HOUR_MS } from '../util/hours';
import { type RunningApp } from '../../test/support/app';
import { exportEverything, type Api } from '../../test/support/app-api';
import { ingestAt, rgwDestination, sampleEvents } from '../../test/support/engine';
import { adminS3, newBucket, serverIdentityEnv, snapshot } from '../../test/support/rgw';
import { adminApi, startSeededApp, stopSeededApp, type SeededApp } from '../../test/support/seeded-app';

const CRON_SECRET = 'integrity-cron-secret-0123456789';
const OLD = floorHour(Date.now()) - 8 * 24 * HOUR_MS;
let app: RunningApp;
let api: Api;
let bucket: string;
let destinationId: number;
let projectId: number;

let setup: SeededApp;

beforeAll(async () => {
  const env = { CRON_SECRET, SPILLWAY_INTEGRITY_DAYS: '10', EXPORT_PART_BYTES: '4000', ...serverIdentityEnv('user1') };
  setup = await startSeededApp('integrity', env, async (db, seed) => {
    projectId = seed.project.id;
    await ingestAt(db, seed.project.apiKey!, sampleEvents(60, 'old'), OLD + 1000);
    bucket = await newBucket('integrity-app');
    destinationId = (await rgwDestination(db, { orgId: seed.org.id, projectId, bucket, createdBy: seed.admin.id })).id;
  });
  ({ app } = setup);
  api = await adminApi(setup);
});
afterAll(() => stopSeededApp(setup));

it('"Check the bucket now" finds a part missing from a backfilled hour before the connection started, and the re-export restores it', async () => {
  await api('POST', `/api/destinations/${destinationId}/backfills`, { from: new Date(OLD).toISOString(), to: new Date(OLD + HOUR_MS).toISOString() });
  await exportEverything(app, CRON_SECRET);
  const before = await snapshot(bucket);
  const name = `${projectId}_${new Date(OLD).toISOString().slice(0, 10)}_${new Date(OLD).getUTCHours()}#`;
  const parts = [...before.keys()].filter((k) => k.startsWith(name)).sort();
  expect(parts.length).toBeGreaterThan(1);
  await adminS3('user1').send(new DeleteObjectCommand({ Bucket: bucket, Key: parts[0] }));

  const report = await api<{ issues: { hour: number; kind: string; repaired: boolean; problem: string }[] }>(
    'POST',
    `/api/destinations/${destinationId}/integrity`,
  );
  expect(report.issues).toEqual([expect.objectContaining({ hour: OLD, kind: 'events', repaired: true, problem: expect.stringMatching(/part 1 is missing/) })]);
  await exportEverything(app, CRON_SECRET);
  const after = await snapshot(bucket);
  for (const [k, v] of before) expect(after.get(k)?.equals(v), k).toBe(true);
});
