// Webhooks on the Notifications page: an admin adds one (Slack-compatible), sees its signing secret,
// and deletes it; a URL that is not http(s) is refused with the reason.
import { expect, test } from '@playwright/test';
import { shot, signIn } from './helpers';
import { state } from './state';

test('an admin adds a webhook, sees its secret, and deletes it', async ({ page }) => {
  const s = state();
  await signIn(page);
  await page.goto(`${s.url}/notifications`);
  await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
  await page.getByLabel('Webhook URL').fill('ftp://hooks.example.com/x');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'https://' })).toBeVisible();
  await page.getByLabel('Webhook URL').fill('http://127.0.0.1:9/spillway-e2e');
  await page.getByLabel(/Slack-compatible/).check();
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const row = page.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: 'http://127.0.0.1:9/spillway-e2e' });
  await expect(row).toBeVisible();
  await expect(row.getByText('Slack-compatible')).toBeVisible();
  await expect(row.locator('code')).toHaveText(/^[0-9a-f]{48}$/);
  await shot(page, '17-notifications-webhooks');
  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(row).toHaveCount(0);
});
