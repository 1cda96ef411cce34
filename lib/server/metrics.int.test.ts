// Metrics for operators (issue: alerts where operators look): the running app's /api/metrics, scraped
// and parsed with a Prometheus text-format parser. The export lag of a connection whose bucket refuses
// rises from scrape to scrape and falls to 0 once the bucket is fixed and the hour exported; ingestion
// answers are counted by door and status; the token guards it.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportEverything } from '../../test/support/app-api';
import { ingestAt, rgwDestination, sampleEvents } from '../../test/support/engine';
import { newBucket, rgwEnv, serverIdentityEnv, setBucketPolicy } from '../../test/support/rgw';
import { adminApi, startSeededApp, stopSeededApp, type SeededApp } from '../../test/support/seeded-app';
import { bucketPolicy } from '../destinations/policy';
import { floorHour, HOUR_MS } from '../util/hours';

const CRON_SECRET = 'metrics-cron-secret-0123456789';
const TOKEN = 'metrics-token-0123456789';
const H = floorHour(Date.now()) - 2 * HOUR_MS;
let setup: SeededApp;
let bucket: string;
let destinationId: number;

let lastText = '';
const scrape = async () => {
  const r = await fetch(`${setup.app.url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(r.status).toBe(200);
  lastText = await r.text();
  return parsePrometheusTextFormat(lastText);
};
// the parser folds a histogram's labelled series into one (it keeps no labels): a series' count is read
// from its `_count` sample of the last scrape instead
const histogramCount = (name: string, labels: string) => Number(new RegExp(`^${name}_count\\{${labels}\\} (\\d+)$`, 'm').exec(lastText)?.[1]);
const sample = (families: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string> = {}) =>
  families.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

beforeAll(async () => {
  setup = await startSeededApp(
    'metrics',
    { CRON_SECRET, SPILLWAY_METRICS_TOKEN: TOKEN, EXPORT_GRACE_MS: '0', EXPORT_MAX_TRIES: '1', ...serverIdentityEnv('user2') },
    async (db, seed) => {
      await ingestAt(db, seed.project.apiKey!, sampleEvents(20, 'm'), H + 60_000);
      // the server's identity (user2) may not write here until the bucket's policy says so
      bucket = await newBucket('metrics');
      destinationId = (await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket, createdBy: seed.admin.id }, H - HOUR_MS)).id;
    },
  );
});
afterAll(() => stopSeededApp(setup));

it('is guarded by its token', async () => {
  expect((await fetch(`${setup.app.url}/api/metrics`)).status).toBe(401);
  expect((await fetch(`${setup.app.url}/api/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
});

it('counts ingestion answers by door and status, and the events stored', async () => {
  const post = (body: unknown) =>
    fetch(`${setup.app.url}/2/httpapi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await post({ api_key: setup.seed.project.apiKey, events: sampleEvents(3, 'live') })).status).toBe(200);
  expect((await post({ api_key: 'not-a-key', events: sampleEvents(1, 'bad') })).status).toBe(400);
  const m = await scrape();
  expect(Number(sample(m, 'spillway_ingest_events_accepted_total', { door: '/2/httpapi' })?.value)).toBe(3);
  expect(Number(sample(m, 'spillway_ingest_requests_total', { door: '/2/httpapi', status: '200' })?.value)).toBe(1);
  expect(Number(sample(m, 'spillway_ingest_refused_total', { door: '/2/httpapi', reason: '400' })?.value)).toBe(1);
  expect(histogramCount('spillway_ingest_request_seconds', 'door="/2/httpapi"')).toBe(2);
  expect(Number(sample(m, 'spillway_database_bytes')?.value)).toBeGreaterThan(0);
  expect(Number(sample(m, 'spillway_disk_free_bytes')?.value)).toBeGreaterThan(0);
});

it('shows the export lag rising while the bucket refuses, and falling to 0 after the fix', async () => {
  await exportEverything(setup.app, CRON_SECRET);
  const first = await scrape();
  const lag1 = Number(sample(first, 'spillway_export_lag_seconds', { destination: String(destinationId) })?.value);
  // the hour ended an hour ago: its export is that late
  expect(lag1).toBeGreaterThan(3500);
  expect(Number(sample(first, 'spillway_export_jobs', { state: 'failed' })?.value)).toBeGreaterThan(0);
  expect(histogramCount('spillway_export_run_seconds', 'kind="events",outcome="failed"')).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 1_500));
  const lag2 = Number(sample(await scrape(), 'spillway_export_lag_seconds', { destination: String(destinationId) })?.value);
  expect(lag2).toBeGreaterThan(lag1 + 1);

  await setBucketPolicy(bucket, bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn }));
  const call = await adminApi(setup);
  await call('POST', `/api/destinations/${destinationId}/retry`, {});
  await exportEverything(setup.app, CRON_SECRET);
  const fixed = await scrape();
  expect(Number(sample(fixed, 'spillway_export_lag_seconds', { destination: String(destinationId) })?.value)).toBe(0);
  expect(histogramCount('spillway_export_run_seconds', 'kind="events",outcome="done"')).toBeGreaterThan(0);
  expect(Number(sample(fixed, 'spillway_export_uploaded_bytes_total', { kind: 'events' })?.value)).toBeGreaterThan(0);
});
