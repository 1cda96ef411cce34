// The coverage view and the integrity check in the browser: an exported hour shows as a cell; a part
// deleted from the bucket is found by "Check the bucket now", written again, and the cell says
// "repaired"; the hour's manifest is in the bucket; empty hours are cells, not table rows.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { expect, test } from '@playwright/test';
import { HOUR_MS } from '../lib/util/hours';
import { bucketPolicy } from '../lib/destinations/policy';
import { eventFileKey } from '../lib/export/files/naming';
import { adminS3, listKeys, newBucket, rgwEnv, setBucketPolicy } from '../test/support/rgw';
import { openDatabase } from '../lib/db/client';
import { ingestAt, sampleEvents } from '../test/support/engine';
import { apiCall, hourStart, rgwFields, shot, signIn } from './helpers';
import { state } from './state';

test('a deleted part is found by the integrity check and repaired; the coverage view shows it', async ({ page }) => {
  const s = state();
  await signIn(page);
  const bucket = await newBucket('cov');
  await setBucketPolicy(bucket, bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn }));
  // a project of its own: the other tests' connections export the e2e project's recent hours
  const { project } = await apiCall<{ project: { id: number; apiKey: string } }>(page, 'POST', '/api/projects', { name: 'Coverage' });
  const hour = hourStart(Date.now()) - 2 * HOUR_MS;
  const { db, close } = await openDatabase({ url: s.dbUrl, migrationsFolder: 'drizzle' });
  try {
    await ingestAt(db, project.apiKey, sampleEvents(6, 'cov'), hour + 4000);
  } finally {
    close();
  }
  const { id } = await apiCall<{ id: number }>(page, 'POST', '/api/destinations', rgwFields(bucket, { projectId: project.id }));
  await page.goto(`${s.url}/destinations/${id}`);

  const cell = page.locator(`.coverage [data-hour="${hour}"]`);
  await expect(cell).toHaveAttribute('data-state', 'exported', { timeout: 60_000 });
  const key = eventFileKey('', project.id, hour, 1);
  await expect.poll(() => listKeys(bucket)).toContain(key);
  const manifest = `_spillway/manifests/${project.id}_${new Date(hour).toISOString().slice(0, 10)}_${new Date(hour).getUTCHours()}.json`;
  expect(await listKeys(bucket, '_spillway/', { manifests: true })).toContain(manifest);
  // empty hours are cells of the grid, not rows of the table (unless asked)
  await expect(page.locator(`.coverage [data-hour="${hour - HOUR_MS}"]`)).toHaveAttribute('data-state', /empty|exported/);
  await expect(page.locator('table[aria-label]').last()).not.toContainText('0 B');

  // someone deletes the hour's file from the bucket
  await adminS3('user1').send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  await page.getByRole('button', { name: 'Check the bucket now' }).click();
  await expect(page.getByTestId('integrity-report')).toContainText('1 hour(s) found wrong and queued again');
  await expect(page.getByTestId('integrity-report')).toContainText('part 1 is missing');
  await expect(cell).toHaveAttribute('data-state', 'repaired', { timeout: 60_000 });
  await expect(cell).toHaveAttribute('title', /repaired.*part 1 is missing/);
  expect(await listKeys(bucket)).toContain(key);
  await shot(page, '15-coverage-repaired');

  // the cell opens the hour's jobs
  await cell.click();
  await expect(page.locator(`tr[data-hour="${hour}"][data-kind="events"]`)).toHaveAttribute('data-state', 'done');

  // look inside the file: its key (with the # that URLs must encode) and its first lines
  await page.getByRole('button', { name: /files of .* events/ }).click();
  const files = page.getByRole('dialog', { name: /Files of/ });
  await expect(files.getByTestId('file-key')).toHaveText(`s3://${bucket}/${key}`);
  await expect(files).toContainText(`${bucket}/${key.replace('#', '%23')}`);
  await files.getByRole('button', { name: 'Preview' }).click();
  const table = files.getByRole('table', { name: 'First lines of the file' });
  await expect(table.locator('tbody tr')).toHaveCount(6);
  await expect(table).toContainText('cov-');
  await shot(page, '16-file-preview');
  await page.keyboard.press('Escape');

  // ready-to-paste snippets that read the files
  await page.getByText('Read the files').click();
  await expect(page.getByTestId('snippet')).toContainText(`read_json('s3://${bucket}/${project.id}_*.json.gz'`);
  await page.getByRole('tab', { name: 'Athena / Glue' }).click();
  await expect(page.getByTestId('snippet')).toContainText('org.openx.data.jsonserde.JsonSerDe');
  await page.getByRole('tab', { name: 'AWS CLI' }).click();
  // built from the connection's real files (lib/destinations/snippets.int.test.ts runs them)
  await expect(page.getByTestId('snippet')).toContainText(`aws s3 ls --endpoint-url ${rgwEnv().endpoint} s3://${bucket}/${project.id}_`);
  await expect(page.getByTestId('snippet')).toContainText(`s3://${bucket}/${project.id}_${new Date(hour).toISOString().slice(0, 10)}_`);
  await shot(page, '17-snippets');
});
