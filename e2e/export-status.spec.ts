// Manual export (backfill) from the Export Data modal with live progress to completion and the files
// in the bucket; the disable toggle in Manage Export Settings; deletion keeps the files.
import { expect, test } from '@playwright/test';
import { gunzipSync } from 'fflate';
import { eventFileKey } from '../lib/export/files/naming';
import { DAY_MS, HOUR_MS } from '../lib/util/hours';
import { bucketPolicy } from '../lib/destinations/policy';
import { getBytes, listKeys, newBucket, rgwEnv, setBucketPolicy } from '../test/support/rgw';
import { apiCall, hourStart, ingestPast, rgwFields, shot, signIn } from './helpers';
import { state } from './state';

async function connection(page: import('@playwright/test').Page, label: string) {
  const bucket = await newBucket(label);
  await setBucketPolicy(bucket, bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn }));
  const { id } = await apiCall<{ id: number }>(page, 'POST', '/api/destinations', rgwFields(bucket));
  return { bucket, id };
}

test('Export Data backfills a past range with progress; the files land once each', async ({ page }) => {
  const s = state();
  await signIn(page);
  const startedAt = Date.now();
  const { bucket, id } = await connection(page, 'bf');
  // three hours, four days ago: before where hourly exports of a new connection start
  const day = Math.floor((Date.now() - 4 * DAY_MS) / DAY_MS) * DAY_MS;
  const hours = [day + 3 * HOUR_MS, day + 4 * HOUR_MS, day + 17 * HOUR_MS];
  for (const [i, h] of hours.entries()) await ingestPast(h + 1000, 10 + i, `bf${i}`);

  await page.goto(`${s.url}/destinations/${id}`);
  await page.getByRole('button', { name: 'Export Data' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export Data' });
  await expect(dialog.getByText('Overlapping earlier exports is safe')).toBeVisible();
  const date = new Date(day).toISOString().slice(0, 10);
  await dialog.getByLabel('From (UTC)').fill(date);
  await dialog.getByLabel('To (UTC, included)').fill(date);
  await shot(page, '10-export-data-modal');
  await dialog.getByRole('button', { name: 'Start Export' }).click();
  await expect(dialog.getByTestId('backfill-progress')).toContainText('of 24 hour files');
  await shot(page, '11-export-data-progress');
  await expect(dialog.getByTestId('backfill-state')).toHaveText('done', { timeout: 90_000 });
  await expect(dialog.getByTestId('backfill-progress')).toContainText('24 of 24 hour files done (100%) · 33 events');
  await shot(page, '12-export-data-done');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('table', { name: 'Manual exports' })).toContainText('done');

  // a connection exports from the hour before it was made: when the run crosses an hour's end, the
  // scheduler's export of it (the other tests' events) may land beside the backfill's files
  const scheduled = [-1, 0, 1].map((k) => eventFileKey('', s.projectId, hourStart(startedAt) + k * HOUR_MS, 1));
  const keys = (await listKeys(bucket)).filter((k) => !k.startsWith('spillway-access-check') && !scheduled.includes(k));
  expect(keys).toEqual(hours.map((h) => eventFileKey('', s.projectId, h, 1)).sort());
  const ids = new Set<string>();
  let lines = 0;
  for (const k of keys) {
    for (const line of new TextDecoder()
      .decode(gunzipSync(await getBytes(bucket, k, 'user2')))
      .trim()
      .split('\n')) {
      ids.add(JSON.parse(line).$insert_id);
      lines++;
    }
  }
  expect(lines).toBe(33);
  expect(ids.size).toBe(33);
  // every hour of the range from the project's first event on has its manifest, listing its files
  // (hours before a project's first event have nothing to export, and no manifest)
  const manifests = await listKeys(bucket, '_spillway/manifests/', { manifests: true });
  for (let h = 3; h < 24; h++) expect(manifests).toContain(`_spillway/manifests/${s.projectId}_${date}_${h}.json`);
  const third = JSON.parse(new TextDecoder().decode(await getBytes(bucket, `_spillway/manifests/${s.projectId}_${date}_17.json`, 'user2')));
  expect(third).toMatchObject({ complete: true, events: 12, parts: [{ key: eventFileKey('', s.projectId, hours[2], 1), lines: 12 }] });

  // the same range again overlaps: still one file per hour, same events
  await apiCall(page, 'POST', `/api/destinations/${id}/backfills`, { from: date, to: date });
  await expect(page.getByRole('table', { name: 'Manual exports' }).locator('tr', { hasText: 'running' })).toHaveCount(0, { timeout: 90_000 });
  expect((await listKeys(bucket)).filter((k) => !k.startsWith('spillway-access-check'))).toEqual(keys);
});

test('Manage Export Settings: the disable toggle, then deleting the connection keeps the files', async ({ page }) => {
  const s = state();
  await signIn(page);
  // events first: the hour is then exported with them (an empty hour shows in the coverage view only)
  const prevHour = hourStart(Date.now()) - HOUR_MS;
  await ingestPast(prevHour + 5000, 3, 'tog');
  const { bucket, id } = await connection(page, 'tog');
  await page.goto(`${s.url}/destinations/${id}`);
  await expect(page.locator(`tr[data-hour="${prevHour}"][data-kind="events"]`)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });

  await page.getByRole('button', { name: 'Manage Export Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Manage Export Settings' });
  const toggle = dialog.getByRole('switch');
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await expect(dialog.getByText('Automatic hourly exports off')).toBeVisible();
  await shot(page, '13-manage-disabled');
  const off = await apiCall<{ destination: { enabled: boolean; disabledAt: number } }>(page, 'GET', `/api/destinations/${id}`);
  expect(off.destination.enabled).toBe(false);
  await page.keyboard.press('Escape');
  await expect(page.locator('h2 .badge')).toHaveText('disabled');

  await page.getByRole('button', { name: 'Manage Export Settings' }).click();
  await dialog.getByRole('switch').check();
  await expect(dialog.getByText('Automatic hourly exports on')).toBeVisible();
  // back on within 24 hours: no gap offered
  await expect(dialog.getByText('was not exported')).toHaveCount(0);

  // the line format: current for a new connection; switched to 2020 documented, saved
  await expect(dialog.getByRole('radio', { name: /^Current/ })).toBeChecked();
  await dialog.getByRole('radio', { name: /^2020 documented/ }).check();
  await dialog.getByRole('button', { name: 'Save settings' }).click();
  await expect(dialog.getByText('Saved.')).toBeVisible();
  await shot(page, '14-manage-line-format');
  const switched = await apiCall<{ destination: { lineFormat: string } }>(page, 'GET', `/api/destinations/${id}`);
  expect(switched.destination.lineFormat).toBe('documented');

  // date folders: a template that would mix hours is refused under its field, the suggested one saved
  await dialog.getByRole('radio', { name: /^Date folders/ }).check();
  const template = dialog.getByLabel(/Folder template/);
  await expect(template).toHaveValue('{project}/{kind}/dt={date}/hour={HH}/');
  await template.fill('dt={date}/');
  await dialog.getByRole('button', { name: 'Save settings' }).click();
  await expect(dialog.locator('#keyFolders-error')).toContainText('must hold the hour');
  await template.fill('{project}/{kind}/dt={date}/hour={HH}/');
  await expect(dialog.getByText(`${s.projectId}/events/dt=2026-01-31/hour=09/${s.projectId}_2026-01-31_9#1.json.gz`)).toBeVisible();
  await expect(dialog.getByText('Files already exported stay where they are')).toBeVisible();
  await dialog.getByRole('button', { name: 'Save settings' }).click();
  await expect(dialog.getByText('Saved.')).toBeVisible();
  await shot(page, '15-manage-date-folders');
  const foldered = await apiCall<{ destination: { keyFolders: string | null } }>(page, 'GET', `/api/destinations/${id}`);
  expect(foldered.destination.keyFolders).toBe('{project}/{kind}/dt={date}/hour={HH}/');

  // an event filter: a * inside an entry is refused under the field; a prefix is saved, canonical
  await dialog.getByRole('radio', { name: 'Only these event types' }).check();
  const types = dialog.getByLabel(/^Event types/);
  await types.fill('Page Viewed\nCh*eckout');
  await dialog.getByRole('button', { name: 'Save settings' }).click();
  await expect(dialog.locator('#eventFilter-error')).toContainText('may only end an entry');
  await types.fill('Page Viewed\nCheck*');
  await dialog.getByRole('button', { name: 'Save settings' }).click();
  await expect(dialog.getByText('Saved.')).toBeVisible();
  await shot(page, '16-manage-event-filter');
  const filtered = await apiCall<{ destination: { eventFilter: unknown } }>(page, 'GET', `/api/destinations/${id}`);
  expect(filtered.destination.eventFilter).toEqual({ mode: 'include', types: ['Check*', 'Page Viewed'] });

  // Parquet event files
  await dialog.getByRole('radio', { name: /^Parquet, Snappy/ }).check();
  await dialog.getByRole('button', { name: 'Save settings' }).click();
  await expect(dialog.getByText('Saved.')).toBeVisible();
  const parquet = await apiCall<{ destination: { fileFormat: string } }>(page, 'GET', `/api/destinations/${id}`);
  expect(parquet.destination.fileFormat).toBe('parquet');

  await dialog.getByRole('button', { name: 'Delete connection…' }).click();
  await dialog.getByRole('button', { name: 'Yes, delete the connection' }).click();
  await expect(page).toHaveURL(/\/destinations$/);
  expect((await listKeys(bucket)).filter((k) => !k.startsWith('spillway-access-check'))).toEqual([eventFileKey('', s.projectId, prevHour, 1)]);
  const r = await page.request.get(`${s.url}/api/destinations/${id}`);
  expect(r.status()).toBe(404);
});
