// SealStore is never rewritten by a failure (issue: after a manual re-export failed for a removed
// s3:PutObject, "Last successful hour" dropped, the chart showed 0 events and the earlier manual export
// read "done · 2 failed, 0 events, 0 B" although its files were intact). The running app, signed in over
// HTTP, its cron door, real radosgw enforcing the bucket policy.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bucketPolicy } from './policy';
import { floorHour, HOUR_MS } from '../util/hours';
import { type RunningApp } from '../../test/support/app';
import { exportEverything, type Api } from '../../test/support/app-api';
import { ingestAt, rgwDestination, sampleEvents } from '../../test/support/engine';
import { listKeys, newBucket, rgwEnv, serverIdentityEnv, setBucketPolicy } from '../../test/support/rgw';
import { adminApi, startSeededApp, stopSeededApp, type SeededApp } from '../../test/support/seeded-app';

const CRON_SECRET = 'kept-history-cron-secret-0123456789';
const H0 = floorHour(Date.now()) - 3 * HOUR_MS;
const H1 = H0 + HOUR_MS;
let app: RunningApp;
let bucket: string;
let destinationId: number;
let call: Api;

let setup: SeededApp;

beforeAll(async () => {
  setup = await startSeededApp('kept', { CRON_SECRET, EXPORT_GRACE_MS: '0', EXPORT_MAX_TRIES: '1', ...serverIdentityEnv('user2') }, async (db, seed) => {
    await ingestAt(db, seed.project.apiKey!, sampleEvents(20, 'h0'), H0 + 60_000);
    await ingestAt(db, seed.project.apiKey!, sampleEvents(30, 'h1'), H1 + 60_000);
    bucket = await newBucket('kept');
    await setBucketPolicy(bucket, bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn }));
    destinationId = (await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket, createdBy: seed.admin.id }, H0 - HOUR_MS)).id;
  });
  ({ app } = setup);
  call = await adminApi(setup);
});
afterAll(() => stopSeededApp(setup));

const api = <T = Record<string, unknown>>(path: string, body?: unknown) =>
  call<T>(body === undefined ? 'GET' : 'POST', `/api/destinations/${destinationId}${path}`, body);
const exportAll = () => exportEverything(app, CRON_SECRET);

interface Progress {
  id: number;
  jobsDone: number;
  jobsFailed: number;
  events: number;
  bytes: number;
}
interface JobRow {
  hour: number;
  state: string;
  events: number;
  error: { summary: string } | null;
  lastGood: { at: number; events: number; bytes: number; parts: number } | null;
}
const range = { from: new Date(H0).toISOString(), to: new Date(H1 + HOUR_MS).toISOString() };
const view = async () => {
  const v = await api<{ destination: { lastSuccessHour: number | null }; backfills: Progress[] }>('');
  const chart = await api<{ points: { hour: number; events: number }[] }>('/chart?hours=6');
  const jobs = await api<{ jobs: JobRow[] }>('/jobs?kind=events');
  const coverage = await api<{ days: { cells: { hour: number; state: string; events: number; reason: string | null }[] }[] }>('/coverage?days=2');
  const files = await api<{ files: unknown[] }>(`/files?hour=${new Date(H0).toISOString()}`);
  return {
    last: v.destination.lastSuccessHour,
    backfills: v.backfills.map(({ jobsDone, jobsFailed, events, bytes }) => ({ jobsDone, jobsFailed, events, bytes })),
    chart: chart.points.filter((p) => p.hour === H0 || p.hour === H1).map((p) => p.events),
    jobs: jobs.jobs.filter((j) => j.hour === H0 || j.hour === H1),
    cells: coverage.days.flatMap((d) => d.cells).filter((c) => c.hour === H0 || c.hour === H1),
    files: files.files.length,
  };
};

it('a failed manual re-export leaves the last good state of every hour, the earlier export and the chart as they were', async () => {
  await exportAll();
  await api('/backfills', range);
  await exportAll();
  const good = await view();
  expect(good.last).toBe(floorHour(Date.now()) - HOUR_MS);
  expect(good.chart).toEqual([20, 30]);
  expect(good.backfills).toEqual([{ jobsDone: 2, jobsFailed: 0, events: 50, bytes: expect.any(Number) }]);
  expect(good.files).toBe(1);
  const keys = await listKeys(bucket);

  // s3:PutObject removed; a second manual export of the same hours fails
  const noPut = bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn });
  noPut.Statement[1].Action = ['s3:DeleteObject'];
  await setBucketPolicy(bucket, noPut);
  await api('/backfills', range);
  await exportAll();
  const after = await view();

  expect(after.last).toBe(good.last);
  expect(after.chart).toEqual([20, 30]);
  // the first manual export still reads as it did; the second has the failures
  expect(after.backfills).toEqual([{ jobsDone: 0, jobsFailed: 2, events: 0, bytes: 0 }, good.backfills[0]]);
  // the jobs table: the new failure, beside the last good export
  for (const [j, events] of [
    [after.jobs.find((x) => x.hour === H0)!, 20],
    [after.jobs.find((x) => x.hour === H1)!, 30],
  ] as const) {
    expect(j.state).toBe('failed');
    expect(j.error?.summary).toBe('Missing permission s3:PutObject');
    expect(j.lastGood).toMatchObject({ events, parts: 1 });
  }
  // the hours are still exported, with a note of the failure
  expect(after.cells.map((c) => [c.state, c.events])).toEqual([
    ['exported', 20],
    ['exported', 30],
  ]);
  expect(after.cells[0].reason).toMatch(/a later export of this hour failed: Missing permission s3:PutObject/);
  expect(after.files).toBe(1);
  expect(await listKeys(bucket)).toEqual(keys);
});
