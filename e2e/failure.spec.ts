// Access revoked after setup: an export (here a manual one) retries, fails, the destination page shows the
// failure banner naming s3:PutObject, the admins get one email (listed under Notifications), and
// after the policy is fixed "retry now" exports the hour.
import { expect, test } from '@playwright/test';
import { HOUR_MS } from '../lib/util/hours';
import { bucketPolicy } from '../lib/destinations/policy';
import { eventFileKey } from '../lib/export/files/naming';
import { listKeys, newBucket, rgwEnv, setBucketPolicy } from '../test/support/rgw';
import { apiCall, hourStart, ingestPast, rgwFields, shot, signIn } from './helpers';
import { state } from './state';

test('a revoked s3:PutObject fails the export with a banner and one email; fixing it recovers', async ({ page }) => {
  const s = state();
  await signIn(page);
  const bucket = await newBucket('fail');
  const policy = bucketPolicy({ bucket, prefix: 'x/', principal: rgwEnv().user2.arn });
  await setBucketPolicy(bucket, policy);
  // an hour older than the 24 hours a new connection exports by itself: nothing exports it before
  // the policy loses s3:PutObject (the scheduler ticks every second), then a manual export does
  const oldHour = hourStart(Date.now()) - 30 * HOUR_MS;
  const denied = structuredClone(policy);
  denied.Statement[1].Action = ['s3:DeleteObject'];
  await ingestPast(oldHour + 3000, 4, 'fail');
  const { id } = await apiCall<{ id: number }>(page, 'POST', '/api/destinations', rgwFields(bucket, { prefix: 'x/' }));
  // without hour manifests the empty hours write nothing, so only the hour with events fails
  await apiCall(page, 'PATCH', `/api/destinations/${id}`, { writeManifest: false });
  await setBucketPolicy(bucket, denied);
  await apiCall(page, 'POST', `/api/destinations/${id}/backfills`, { from: new Date(oldHour).toISOString(), to: new Date(oldHour + HOUR_MS).toISOString() });

  await page.goto(`${s.url}/destinations/${id}`);
  const banner = page.locator('.banner[role="alert"]');
  await expect(banner).toContainText('missing s3:PutObject', { timeout: 90_000 });
  await expect(banner).toContainText('Add "s3:PutObject"');
  await page.getByLabel('State').selectOption('failed');
  await expect(page.locator(`tr[data-hour="${oldHour}"][data-kind="events"]`)).toHaveAttribute('data-state', 'failed');
  await shot(page, '30-failure-banner');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
  const row = page.getByRole('table', { name: 'Notifications' }).locator('tr', { hasText: `s3://${bucket}` });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(s.admin);
  await expect(row.locator('.badge')).toContainText('sent', { timeout: 30_000 });
  await shot(page, '31-notifications');

  await setBucketPolicy(bucket, policy);
  await page.goto(`${s.url}/destinations/${id}`);
  await page.getByRole('button', { name: 'I fixed it: retry now' }).click();
  await expect(page.locator('.banner[role="alert"]')).toHaveCount(0, { timeout: 60_000 });
  await expect.poll(() => listKeys(bucket), { timeout: 30_000 }).toContain(eventFileKey('x/', s.projectId, oldHour, 1));
});

test('the team page invites a member who can then sign in', async ({ page, browser }) => {
  const s = state();
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team' }).click();
  await page.getByLabel('Email').fill('new.member@example.com');
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const link = await page.getByTestId('invite-link').textContent();
  await shot(page, '32-team');
  const other = await browser.newContext();
  const p2 = await other.newPage();
  await p2.goto(link!);
  await expect(p2.getByText('as member')).toBeVisible();
  await p2.getByLabel(/Choose a password/).fill('a long enough password');
  await p2.getByRole('button', { name: 'Join' }).click();
  await expect(p2.getByRole('heading', { name: 'Projects' })).toBeVisible();
  await p2.goto(`${s.url}/destinations`);
  await expect(p2.getByText('Ask an admin to add one.')).toBeVisible();
  await other.close();
});
