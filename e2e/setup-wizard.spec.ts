// The setup wizard in the browser: choose data, bucket information (with a field error), generated
// policies, per-permission verification (a denied s3:PutObject named), then a connection whose first
// hourly export arrives in the bucket by itself.
import { expect, test, type Page } from '@playwright/test';
import { gunzipSync } from 'fflate';
import { eventFileKey } from '../lib/export/files/naming';
import { HOUR_MS } from '../lib/util/hours';
import { getBytes, listKeys, newBucket, rgwEnv, setBucketPolicy } from '../test/support/rgw';
import { hourStart, ingestPast, shot, signIn } from './helpers';
import { state } from './state';

async function fillBucketInfo(page: Page, bucket: string, prefix: string) {
  await page.getByLabel('The bucket is on an S3-compatible store').check();
  await page.getByLabel(/^Endpoint URL/).fill(rgwEnv().endpoint);
  await page.getByLabel(/^Bucket name/).fill(bucket);
  await page.getByLabel(/^Region/).fill('us-east-1');
  await page.getByLabel(/^Prefix/).fill(prefix);
}

async function policyShown(page: Page) {
  return JSON.parse(
    (await page
      .getByTestId(/policy-.*bucket-policy/)
      .first()
      .textContent())!,
  );
}

test('setup wizard to a verified connection, then the first hourly export arrives', async ({ page }) => {
  const s = state();
  const bucket = await newBucket('wiz');
  const prevHour = hourStart(Date.now()) - HOUR_MS;
  await ingestPast(prevHour + 60_000, 25, 'wizard');

  await signIn(page);
  // the home page counts the events of each project per hour
  await expect(page.getByRole('table', { name: 'Events per project and hour' })).toContainText(':00');
  await shot(page, '00-projects');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Destinations' }).click();
  await shot(page, '01-destinations-empty');
  await page.getByRole('link', { name: 'Add Amazon S3' }).click();

  // 1) choose data
  await expect(page.getByLabel('Project')).toHaveValue(String(s.projectId));
  await page.getByLabel('Export all merged Amplitude IDs').check();
  await shot(page, '02-wizard-choose-data');
  await page.getByRole('button', { name: 'Next' }).click();

  // 2) bucket information, with a bad bucket name and a bad prefix first: both are named at once
  await fillBucketInfo(page, 'Not_A_Bucket', 'exports ?/');
  await page.getByRole('button', { name: 'Generate Bucket Policy' }).click();
  await expect(page.locator('#bucket-error')).toContainText('lowercase letters');
  await expect(page.locator('#prefix-error')).toContainText('letters, digits and');
  await shot(page, '03-wizard-field-error');
  await page.getByLabel(/^Bucket name/).fill(bucket);
  await page.getByLabel(/^Prefix/).fill('exports/');
  await page.getByRole('button', { name: 'Generate Bucket Policy' }).click();

  // 3) the generated policy trusts the server's principal, on this bucket and prefix only
  await expect(page.getByRole('heading', { name: 'Bucket policy' })).toBeVisible();
  const policy = await policyShown(page);
  expect(policy.Statement[1].Resource).toBe(`arn:aws:s3:::${bucket}/exports/*`);
  expect(policy.Statement[0].Principal.AWS).toBe(rgwEnv().user2.arn);
  await shot(page, '04-wizard-policy');
  await setBucketPolicy(bucket, policy); // what the user does in the AWS console

  // 4) verify
  await page.getByRole('button', { name: 'Next: verify access' }).click();
  await expect(page.getByText('Every permission works')).toBeVisible();
  for (const id of ['bucket', 's3:ListBucket', 's3:GetBucketLocation', 's3:PutObject', 's3:PutObjectAcl', 's3:DeleteObject']) {
    await expect(page.locator(`[data-check="${id}"]`)).toHaveAttribute('data-status', 'ok');
  }
  await shot(page, '05-wizard-verified');

  // 5) connected; hourly exports start at once
  await page.getByRole('button', { name: 'Create connection' }).click();
  await expect(page.getByRole('heading', { name: 'Connected' })).toBeVisible();
  await page.getByRole('link', { name: 'See export status' }).click();
  await expect(page.getByRole('heading', { name: 'Export status' })).toBeVisible();

  const key = eventFileKey('exports/', s.projectId, prevHour, 1);
  await expect(page.locator(`tr[data-hour="${prevHour}"][data-kind="events"]`)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await shot(page, '06-destination-status');
  const keys = await listKeys(bucket);
  expect(keys).toContain(key);
  expect(keys.filter((k) => k.endsWith('.txt'))).toEqual([]); // the access check cleaned up after itself
  // other tests share the project: this test's events are the ones with its insert_ids
  const lines = new TextDecoder()
    .decode(gunzipSync(await getBytes(bucket, key, 'user2')))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines.filter((l) => String(l.$insert_id).startsWith('wizard-'))).toHaveLength(25);
  expect(lines.every((l) => l.app === s.projectId)).toBe(true);

  // phone-sized screen
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, '07-destination-status-phone');
});

test('a denied permission is named in step 4, and verifying again after the fix passes', async ({ page }) => {
  const bucket = await newBucket('deny');
  await signIn(page);
  await page.goto(`${state().url}/destinations/new`);
  await page.getByRole('button', { name: 'Next' }).click();
  await fillBucketInfo(page, bucket, '');
  await page.getByRole('button', { name: 'Generate Bucket Policy' }).click();
  const policy = await policyShown(page);
  // the user pastes a policy that lacks s3:PutObject
  const withoutPut = structuredClone(policy);
  withoutPut.Statement[1].Action = withoutPut.Statement[1].Action.filter((a: string) => a !== 's3:PutObject');
  await setBucketPolicy(bucket, withoutPut);

  await page.getByRole('button', { name: 'Next: verify access' }).click();
  const put = page.locator('[data-check="s3:PutObject"]');
  await expect(put).toHaveAttribute('data-status', 'failed');
  await expect(put).toContainText('Missing permission s3:PutObject');
  await expect(put).toContainText(`"arn:aws:s3:::${bucket}/*"`);
  await expect(page.locator('[data-check="s3:ListBucket"]')).toHaveAttribute('data-status', 'ok');
  await expect(page.getByRole('button', { name: 'Create connection' })).toBeDisabled();
  await shot(page, '08-wizard-denied-putobject');

  await setBucketPolicy(bucket, policy);
  await page.getByRole('button', { name: 'Verify again' }).click();
  await expect(page.getByText('Every permission works')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create connection' })).toBeEnabled();
});
