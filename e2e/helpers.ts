// Shared e2e steps: sign in, call the app's API as the signed-in user, put events in past hours.
import { expect, type Page } from '@playwright/test';
import { openDatabase } from '../lib/db/client';
import { HOUR_MS } from '../lib/util/hours';
import { ingestAt, sampleEvents } from '../test/support/engine';
import { rgwEnv } from '../test/support/rgw';
import { state } from './state';

export const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

export async function signIn(page: Page, who: 'admin' | 'member' | 'otherAdmin' = 'admin') {
  const s = state();
  await page.goto(`${s.url}/signin`);
  await page.getByLabel('Email').fill(s[who]);
  await page.getByLabel('Password').fill(s.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Projects' })).toBeVisible();
}

/** The app's JSON API with the page's session cookie (and the Origin header its CSRF check wants). */
export async function apiCall<T = Record<string, unknown>>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const s = state();
  const r = await page.request.fetch(`${s.url}${path}`, { method, data: body, headers: { origin: s.url } });
  const json = await r.json();
  if (!r.ok()) throw new Error(`${method} ${path}: ${r.status()} ${JSON.stringify(json)}`);
  return json as T;
}

/** Events stored as if received at `at` (the export partitions by server upload time). */
export async function ingestPast(at: number, n: number, tag: string) {
  const s = state();
  const { db, close } = await openDatabase({ url: s.dbUrl, migrationsFolder: 'drizzle' });
  try {
    await ingestAt(db, s.apiKey, sampleEvents(n, tag), at);
  } finally {
    close();
  }
}

/** The wizard's fields for a bucket on the loopback radosgw. */
export function rgwFields(bucket: string, extra: Record<string, unknown> = {}) {
  return {
    projectId: state().projectId,
    exportEvents: true,
    exportMerged: false,
    awsAccountId: '',
    bucket,
    region: 'us-east-1',
    prefix: '',
    kmsKeyArn: '',
    endpoint: rgwEnv().endpoint,
    ...extra,
  };
}

export const hourStart = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
