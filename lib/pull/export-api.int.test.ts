// Amplitude's Export API on the running app: a script that follows Amplitude's documentation exactly
// (curl -u API_KEY:SECRET_KEY, unzip, gunzip, count lines) pulls a week and gets every event once;
// the documented answers for no data, a range over a year, bad and missing keys; the hour still open
// is not served; the rate per key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exportEverything } from '../../test/support/app-api';
import { ingestAt, sampleEvents } from '../../test/support/engine';
import { adminApi, startSeededApp, stopSeededApp, type SeededApp } from '../../test/support/seeded-app';
import { floorHour, HOUR_MS } from '../util/hours';

const CRON_SECRET = 'export-api-cron-secret-0123456789';
const NOW_HOUR = floorHour(Date.now());
const WEEK_AGO = NOW_HOUR - 7 * 24 * HOUR_MS;
// events in 7 hours spread over the week, and some in the hour still open
const HOURS = Array.from({ length: 7 }, (_, i) => WEEK_AGO + i * 23 * HOUR_MS);
let setup: SeededApp;
let apiKey: string;
let secretKey: string;

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 11);
const url = (start: number, end: number) => `${setup.app.url}/api/2/export?start=${stamp(start)}&end=${stamp(end)}`;
const get = (u: string, auth?: string) => fetch(u, { headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} });

beforeAll(async () => {
  setup = await startSeededApp('exportapi', { CRON_SECRET, EXPORT_GRACE_MS: '0' }, async (db, seed) => {
    for (const [i, h] of HOURS.entries()) await ingestAt(db, seed.project.apiKey!, sampleEvents(10 + i, `w${i}`), h + 60_000);
    await ingestAt(db, seed.project.apiKey!, sampleEvents(5, 'open'), Date.now());
  });
  apiKey = setup.seed.project.apiKey!;
  // sealed by the scheduler's ticks, as in production
  await exportEverything(setup.app, CRON_SECRET);
  await exportEverything(setup.app, CRON_SECRET);
  const call = await adminApi(setup);
  secretKey = (await call<{ secretKey: string }>('POST', `/api/projects/${setup.seed.project.id}/secret-key`, {})).secretKey;
});
afterAll(() => stopSeededApp(setup));

it("pulls a week with Amplitude's documented client and gets every closed hour's events once", () => {
  const dir = mkdtempSync(join(tmpdir(), 'spillway-export-api-'));
  // exactly as Amplitude's documentation says
  execFileSync('curl', ['-sS', '--fail', '-u', `${apiKey}:${secretKey}`, url(WEEK_AGO, NOW_HOUR), '-o', join(dir, 'export.zip')]);
  execFileSync('unzip', ['-q', 'export.zip'], { cwd: dir });
  const folder = join(dir, String(setup.seed.project.id));
  const files = readdirSync(folder).sort();
  expect(files.every((f) => new RegExp(`^${setup.seed.project.id}_\\d{4}-\\d{2}-\\d{2}_\\d{1,2}#\\d+\\.json\\.gz$`).test(f))).toBe(true);
  const events = files.flatMap((f) =>
    gunzipSync(readFileSync(join(folder, f)))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  );
  // the open hour's 5 are not served: it is not closed yet
  expect(events).toHaveLength(HOURS.reduce((n, _, i) => n + 10 + i, 0));
  expect(new Set(events.map((e) => e.uuid)).size).toBe(events.length);
  expect(new Set(events.map((e) => e.insert_id ?? e.$insert_id)).size).toBe(events.length);
});

it('answers as Amplitude documents: 404 for no data, 400 for a bad or too long range', async () => {
  const auth = `${apiKey}:${secretKey}`;
  expect((await get(url(WEEK_AGO - 30 * 24 * HOUR_MS, WEEK_AGO - 29 * 24 * HOUR_MS), auth)).status).toBe(404);
  expect((await get(url(WEEK_AGO - 400 * 24 * HOUR_MS, WEEK_AGO), auth)).status).toBe(400);
  expect((await get(url(NOW_HOUR, WEEK_AGO), auth)).status).toBe(400);
  const bad = await get(`${setup.app.url}/api/2/export?start=20230231T00&end=20230301T00`, auth);
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toMatch(/YYYYMMDDTHH/);
});

it('refuses missing credentials with 401 and a Basic challenge, and wrong keys with 403', async () => {
  const none = await get(url(WEEK_AGO, NOW_HOUR));
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
  expect((await get(url(WEEK_AGO, NOW_HOUR), `${apiKey}:not-the-secret`)).status).toBe(403);
  expect((await get(url(WEEK_AGO, NOW_HOUR), `unknown-key:${secretKey}`)).status).toBe(403);
});

it('limits the rate per API key, not for the others', async () => {
  const key = 'rate-limited-key';
  const statuses: number[] = [];
  for (let i = 0; i < 121; i++) statuses.push((await get(url(WEEK_AGO, NOW_HOUR), `${key}:x`)).status);
  expect(statuses.slice(0, 120).every((s) => s === 403)).toBe(true);
  expect(statuses[120]).toBe(429);
  expect((await get(url(WEEK_AGO, WEEK_AGO), `${apiKey}:${secretKey}`)).status).toBe(200);
});
