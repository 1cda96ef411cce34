// Every page passes axe-core (WCAG 2 A and AA, and axe's best practices) at a desktop and a phone width,
// with the content a real user sees: a connection with exported hours, a KMS migration, notifications.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { bucketPolicy } from '../lib/destinations/policy';
import { HOUR_MS } from '../lib/util/hours';
import { newBucket, rgwEnv, setBucketPolicy } from '../test/support/rgw';
import { openDatabase } from '../lib/db/client';
import { ingestAt, sampleEvents } from '../test/support/engine';
import { apiCall, hourStart, rgwFields, shot, signIn } from './helpers';
import { state } from './state';

const WIDTHS = [1280, 390];

async function violations(page: Page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}

async function check(page: Page, path: string, ready: (page: Page) => Promise<void>, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${state().url}${path}`);
    await ready(page);
    expect.soft(await violations(page), `${path} at ${width} px`).toEqual([]);
    await shot(page, `a11y-${name}-${width}`);
  }
}

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
};

test('a first visit, signed out, goes to sign in without an error in the console', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${state().url}/`);
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByRole('heading', { name: /Sign in/, level: 1 })).toBeVisible();
  expect(errors).toEqual([]);
});

test('the signed-out pages', async ({ page }) => {
  await check(page, '/signin', heading(/Sign in/), 'signin');
  await check(page, '/setup', async (p) => void (await p.waitForLoadState('networkidle')), 'setup');
  await check(page, '/invite?token=not-a-token', async (p) => void (await p.waitForLoadState('networkidle')), 'invite');
});

test('every signed-in page, with data on it', async ({ page }) => {
  await signIn(page);
  // a project of its own: the other tests' connections export the e2e project's recent hours
  const { project } = await apiCall<{ project: { id: number; apiKey: string } }>(page, 'POST', '/api/projects', { name: 'Accessibility' });
  const bucket = await newBucket('a11y');
  await setBucketPolicy(bucket, bucketPolicy({ bucket, prefix: '', principal: rgwEnv().user2.arn }));
  const { id } = await apiCall<{ id: number }>(page, 'POST', '/api/destinations', rgwFields(bucket, { projectId: project.id }));
  const prev = hourStart(Date.now()) - HOUR_MS;
  const { db, close } = await openDatabase({ url: state().dbUrl, migrationsFolder: 'drizzle' });
  try {
    await ingestAt(db, project.apiKey, sampleEvents(4, 'a11y'), prev + 2000);
  } finally {
    close();
  }
  await page.goto(`${state().url}/destinations/${id}`);
  await expect(page.locator(`tr[data-hour="${prev}"][data-kind="events"]`)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const migration = await apiCall<{ id: number }>(page, 'POST', `/api/destinations/${id}/migration`);

  await check(page, '/', heading('Projects'), 'projects');
  await check(page, '/destinations', heading('Destinations'), 'destinations');
  await check(page, `/destinations/${id}`, async (p) => void (await expect(p.locator(`tr[data-hour="${prev}"]`).first()).toBeVisible()), 'destination');
  await check(page, '/destinations/new', async (p) => void (await p.waitForLoadState('networkidle')), 'new-destination');
  await check(page, `/migrations/${migration.id}`, heading(/Migrate/), 'migration');
  await check(page, '/team', heading('Team'), 'team');
  await check(page, '/notifications', heading('Notifications'), 'notifications');
});
