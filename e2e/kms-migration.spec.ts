// The KMS migration checklist to a new verified connection whose exports are SSE-KMS encrypted, and
// the rollback checklist back to the old connection.
import { expect, test, type Page } from '@playwright/test';
import { eventFileKey } from '../lib/export/files/naming';
import { HOUR_MS } from '../lib/util/hours';
import { bucketPolicy } from '../lib/destinations/policy';
import { headObject, newBucket, rgwEnv, setBucketPolicy } from '../test/support/rgw';
import { apiCall, hourStart, ingestPast, rgwFields, shot, signIn } from './helpers';
import { state } from './state';

const step = (page: Page, n: string) => page.locator(`section[aria-labelledby="mig-title"] li[data-step="${n}"]`);
const rollbackStep = (page: Page, n: string) => page.locator(`section[aria-labelledby="rb-title"] li[data-step="${n}"]`);

async function oldConnection(page: Page, label: string) {
  const bucket = await newBucket(label);
  const current = bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn });
  await setBucketPolicy(bucket, current);
  const { id } = await apiCall<{ id: number }>(page, 'POST', '/api/destinations', rgwFields(bucket));
  await page.goto(`${state().url}/destinations/${id}`);
  await page.getByRole('button', { name: 'Migrate to KMS encryption…' }).click();
  await page.getByRole('button', { name: 'Start the migration' }).click();
  await expect(page).toHaveURL(/\/migrations\/\d+$/);
  return { bucket, id, current };
}

test('KMS migration checklist to a new verified, encrypted connection', async ({ page }) => {
  const s = state();
  await signIn(page);
  const prevHour = hourStart(Date.now()) - HOUR_MS;
  await ingestPast(prevHour + 2000, 5, 'kms');
  const { bucket, id: oldId, current } = await oldConnection(page, 'kms');
  await shot(page, '20-migration-start');

  await step(page, '1').getByLabel('I created the KMS key').check();
  await expect(step(page, '1')).toHaveAttribute('data-done', 'true');
  await expect(step(page, '2')).toHaveAttribute('data-done', 'true');
  await step(page, '3').getByRole('button', { name: 'Disable the old connection' }).click();
  await expect(step(page, '3')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });

  await page.getByLabel('KMS key ARN').fill(rgwEnv().kmsKeyId);
  await step(page, '5').getByRole('button', { name: 'Generate policies' }).click();
  await expect(step(page, '5')).toHaveAttribute('data-done', 'true');
  const updated = JSON.parse((await page.getByTestId('policy-bucket-policy-kms-json').textContent())!);
  await expect(page.getByRole('heading', { name: 'KMS key policy' })).toBeVisible();

  await page.getByLabel(/Current bucket policy/).fill(JSON.stringify(current));
  await step(page, '6').getByRole('button', { name: 'Save backup' }).click();
  await expect(step(page, '6')).toHaveAttribute('data-done', 'true');

  await setBucketPolicy(bucket, updated);
  await step(page, '7').getByRole('checkbox').check();
  await step(page, '8').getByRole('checkbox').check();
  await shot(page, '21-migration-policies');

  await step(page, '9').getByRole('button', { name: 'Verify access and create connection' }).click();
  await expect(step(page, '9')).toHaveAttribute('data-done', 'true');
  await expect(step(page, '4')).toHaveAttribute('data-done', 'true');
  await expect(step(page, '9').locator('[data-check="kms:GenerateDataKey"]')).toHaveAttribute('data-status', 'ok');
  await expect(step(page, '10')).toHaveAttribute('data-done', 'true', { timeout: 90_000 });
  await shot(page, '22-migration-verified');

  // the new connection re-exported the previous hour under the same key, now SSE-KMS
  await expect
    .poll(async () => (await headObject(bucket, eventFileKey('', s.projectId, prevHour, 1), 'user2')).ServerSideEncryption, { timeout: 60_000 })
    .toBe('aws:kms');
  expect((await headObject(bucket, eventFileKey('', s.projectId, prevHour, 1), 'user2')).SSEKMSKeyId).toBe(rgwEnv().kmsKeyId);

  await step(page, '11').getByRole('button', { name: 'Delete the old connection…' }).click();
  await step(page, '11').getByRole('button', { name: 'Yes, delete the old connection' }).click();
  await expect(page.getByRole('status')).toContainText('complete');
  await expect(step(page, '11')).toHaveAttribute('data-done', 'true');
  await expect(page.locator('section[aria-labelledby="rb-title"]')).toHaveCount(0);
  await shot(page, '23-migration-complete');
  expect((await page.request.get(`${s.url}/api/destinations/${oldId}`)).status()).toBe(404);
});

test('rollback checklist: remove the new connection, restore the policy, re-enable the old one', async ({ page }) => {
  await signIn(page);
  const { bucket, id: oldId, current } = await oldConnection(page, 'rb');
  await step(page, '3').getByRole('button', { name: 'Disable the old connection' }).click();
  await expect(step(page, '3')).toHaveAttribute('data-done', 'true', { timeout: 60_000 });
  await page.getByLabel(/Current bucket policy/).fill(JSON.stringify(current));
  await step(page, '6').getByRole('button', { name: 'Save backup' }).click();
  await page.getByLabel('KMS key ARN').fill(rgwEnv().kmsKeyId);
  await step(page, '9').getByRole('button', { name: 'Verify access and create connection' }).click();
  await expect(step(page, '9')).toHaveAttribute('data-done', 'true');
  // nothing of the rollback is done before it starts
  for (const n of ['1', '2', '3', '4', '5']) await expect(rollbackStep(page, n)).toHaveAttribute('data-done', 'false');
  await shot(page, '24-rollback-before');

  await rollbackStep(page, '1').getByRole('button', { name: 'Remove the new connection' }).click();
  await expect(rollbackStep(page, '1')).toHaveAttribute('data-done', 'true');
  expect(JSON.parse((await rollbackStep(page, '2').getByTestId('policy-bucket-policy-backup-json').textContent())!)).toEqual(current);
  await setBucketPolicy(bucket, current);
  await rollbackStep(page, '2').getByRole('checkbox').check();
  await rollbackStep(page, '3').getByRole('checkbox').check();
  await rollbackStep(page, '4').getByRole('button', { name: 'Re-enable the old connection' }).click();
  await expect(page.getByRole('status')).toContainText('rolled back');
  const old = await apiCall<{ destination: { enabled: boolean } }>(page, 'GET', `/api/destinations/${oldId}`);
  expect(old.destination.enabled).toBe(true);
  await shot(page, '25-rollback-done');
});
