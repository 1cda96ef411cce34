// The official browser SDKs on a web page of another origin than Spillway, in Debian's Chromium:
// @amplitude/analytics-browser 2.x over fetch (plain and gzip), XHR and sendBeacon, and the legacy
// amplitude-js 8.x posting forms to `/`. Every event is stored once, with the fields the SDK sent,
// and the Projects page counts them.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openDatabase } from '../lib/db/client';
import { LINE_SELECT, propertiesJson, renderCurrentLine } from '../lib/export/files/render';
import { BROWSER_SDK_2025 } from '../test/fixtures/amplitude-lines';
import { posthogMismatch } from '../test/support/posthog-amplitude';
import { freePort } from '../test/support/app';
import { shot, signIn } from './helpers';
import { state } from './state';

const SCRIPTS: Record<string, string> = {
  '/analytics-browser.js': 'node_modules/@amplitude/analytics-browser/lib/scripts/amplitude-min.umd.js',
  '/amplitude-js.js': 'node_modules/amplitude-js/amplitude.umd.min.js',
};

let site: Server;
let siteUrl: string;

test.beforeAll(async () => {
  // the customer's web site: another port is another origin
  const port = await freePort();
  site = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (SCRIPTS[path]) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(resolve(SCRIPTS[path])));
    } else if (path.endsWith('.html')) {
      const script = path === '/legacy.html' ? '/amplitude-js.js' : '/analytics-browser.js';
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>shop</title><h1>A shop</h1><script src="${script}"></script>`);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => site.listen(port, '127.0.0.1', r));
  siteUrl = `http://localhost:${port}`;
});
test.afterAll(() => new Promise<void>((r) => site.close(() => r())));

async function storedEvents(where: string) {
  const { client, close } = await openDatabase({ url: state().dbUrl, migrationsFolder: 'drizzle' });
  try {
    return (await client.execute(`select * from events where ${where} order by id`)).rows as unknown as Record<string, string | number | null>[];
  } finally {
    close();
  }
}

/** Waits until `n` events match (sendBeacon gives no answer to wait for). */
async function eventsOnce(where: string, n: number) {
  await expect.poll(async () => (await storedEvents(where)).length, { timeout: 20_000 }).toBe(n);
  await new Promise((r) => setTimeout(r, 1500)); // a retry would arrive now: still exactly n
  const rows = await storedEvents(where);
  expect(rows).toHaveLength(n);
  return rows;
}

function watchRequests(page: Page) {
  const seen: { url: string; method: string; status: number; encoding?: string }[] = [];
  page.on('requestfinished', async (req) => {
    const res = await req.response();
    seen.push({ url: req.url(), method: req.method(), status: res?.status() ?? 0, encoding: req.headers()['content-encoding'] });
  });
  return seen;
}

for (const [transport, compress] of [
  ['fetch', false],
  ['fetch', true],
  ['xhr', false],
  ['xhr', true],
  ['beacon', false],
] as const) {
  const tag = `ab-${transport}${compress ? '-gzip' : ''}`;
  test(`@amplitude/analytics-browser over ${transport}${compress ? ' with gzip' : ''} from another origin`, async ({ page }) => {
    const s = state();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const requests = watchRequests(page);
    await page.goto(`${siteUrl}/shop.html`);
    const results = await page.evaluate(
      async ({ apiKey, serverUrl, transport, compress, tag }) => {
        const amp = (window as unknown as { amplitude: { createInstance(): any } }).amplitude.createInstance();
        await amp.init(apiKey, `${tag}-user`, {
          serverUrl,
          transport,
          enableRequestBodyCompression: compress,
          autocapture: false,
          flushIntervalMillis: 100,
          deviceId: `${tag}-device`,
          logLevel: 0,
        }).promise;
        // a big property so that the body passes the SDK's 2 KB gzip threshold
        const results = [];
        for (let i = 0; i < 3; i++) results.push(amp.track(`${tag} ${i}`, { i, note: 'x'.repeat(1500) }).promise);
        amp.flush();
        return (await Promise.all(results)).map((r: { code: number }) => r.code);
      },
      { apiKey: s.apiKey, serverUrl: `${s.url}/2/httpapi`, transport, compress, tag },
    );
    expect(results).toEqual([200, 200, 200]);
    const rows = await eventsOnce(`event_type like '${tag} %'`, 3);
    for (const r of rows) {
      expect(r.user_id).toBe(`${tag}-user`);
      expect(r.device_id).toBe(`${tag}-device`);
      expect(String(r.library)).toMatch(/^amplitude-ts\/2\./);
      expect(r.platform).toBe('Web');
      expect(r.os_name).toBe('Chrome Headless');
      // filled on the server from the user agent and the locale, as Amplitude does (headless Chromium on Linux, en-US)
      expect([r.device_family, r.device_type, r.device_model]).toEqual(['Linux', 'Linux', null]);
      expect(r.language).toBe('English');
      expect(r.ip_address).toBe('127.0.0.1');
      expect(Number(r.session_id)).toBeGreaterThan(1_600_000_000_000);
      expect(r.insert_id).toMatch(/^[0-9a-f-]{36}$/);
      // stored as text, or LZ4-compressed bytes when that is smaller
      expect(JSON.parse(propertiesJson(r.event_properties)).note).toHaveLength(1024);
    }
    expect(new Set(rows.map((r) => r.insert_id)).size).toBe(3);
    if (transport !== 'beacon') {
      const posts = requests.filter((r) => r.url.startsWith(s.url) && r.method === 'POST');
      expect(posts.length).toBeGreaterThan(0);
      expect(posts.every((p) => p.status === 200)).toBe(true);
      if (compress) expect(posts.some((p) => p.encoding === 'gzip')).toBe(true);
    }
    expect(errors.filter((e) => /CORS|blocked/i.test(e))).toEqual([]);
  });
}

test('a line of the current format from the browser SDK: 55 keys, enriched, read by PostHog types', async ({ page }) => {
  const s = state();
  await page.goto(`${siteUrl}/shop.html`);
  const code = await page.evaluate(
    async ({ apiKey, serverUrl }) => {
      const amp = (window as unknown as { amplitude: { createInstance(): any } }).amplitude.createInstance();
      await amp.init(apiKey, 'golden-user', { serverUrl, autocapture: false, flushIntervalMillis: 100, deviceId: 'golden-device', logLevel: 0 }).promise;
      // the page is on loopback: the address of a real Amplitude line of 2025 stands in for a public one
      const r = amp.track('golden', { n: 1 }, { ip: '82.20.15.60' }).promise;
      amp.flush();
      return (await r).code as number;
    },
    { apiKey: s.apiKey, serverUrl: `${s.url}/2/httpapi` },
  );
  expect(code).toBe(200);
  await eventsOnce(`device_id = 'golden-device'`, 1);
  // the line the hour's seal will write for a connection in the current format, from the stored row
  const { client, close } = await openDatabase({ url: s.dbUrl, migrationsFolder: 'drizzle' });
  let line: Record<string, unknown>;
  try {
    const row = (await client.execute({ sql: `select ${LINE_SELECT} from event_rows where device_id = 'golden-device'`, args: [] })).rows[0];
    line = JSON.parse(renderCurrentLine(Object.values(row))) as Record<string, unknown>;
  } finally {
    close();
  }
  expect(Object.keys(line)).toEqual(Object.keys(JSON.parse(BROWSER_SDK_2025)));
  expect(line).toMatchObject({
    country: 'United Kingdom',
    city: 'Hemel Hempstead',
    device_family: 'Linux',
    device_type: 'Linux',
    language: 'English',
    platform: 'Web',
    $schema: null,
    data_type: 'event',
  });
  expect(String(line.library)).toMatch(/^amplitude-ts\/2\./);
  expect(posthogMismatch(line)).toBeNull();
});

test('legacy amplitude-js 8.x posts forms to / from another origin, identify included', async ({ page }) => {
  const s = state();
  const requests = watchRequests(page);
  await page.goto(`${siteUrl}/legacy.html`);
  const appHost = new URL(s.url).host;
  await page.evaluate(
    async ({ apiKey, appHost }) => {
      const amp = (window as unknown as { amplitude: { getInstance(name: string): any; Identify: any } }).amplitude;
      const client = amp.getInstance('legacy');
      client.init(apiKey, 'legacy-user', { apiEndpoint: appHost, forceHttps: false, deviceId: 'legacy-device', batchEvents: false, saveEvents: false });
      await new Promise<void>((r) => client.logEvent('legacy 0', { n: 0 }, () => r()));
      await new Promise<void>((r) => client.logEvent('legacy 1', { n: 1 }, () => r()));
      await new Promise<void>((r) => client.identify(new amp.Identify().set('plan', 'gold'), () => r()));
    },
    { apiKey: s.apiKey, appHost },
  );
  const rows = await eventsOnce(`device_id = 'legacy-device'`, 3);
  expect(rows.map((r) => r.event_type)).toEqual(['legacy 0', 'legacy 1', '$identify']);
  for (const r of rows) {
    expect(r.user_id).toBe('legacy-user');
    expect(String(r.library)).toMatch(/^amplitude-js\/8\./);
    expect(r.platform).toBe('Web');
    expect(r.language).toBeTruthy();
    expect(r.ip_address).toBe('127.0.0.1');
    expect(Number(r.session_id)).toBeGreaterThan(1_600_000_000_000);
    expect(r.insert_id).toBeTruthy(); // the client's uuid: a re-sent batch is stored once
    expect(JSON.parse(String(r.data)).path).toBe('/');
  }
  expect(JSON.parse(String(rows[2].user_properties))).toMatchObject({ plan: 'gold' });
  const posts = requests.filter((r) => r.url.startsWith(s.url) && r.method === 'POST');
  expect(posts.map((p) => [new URL(p.url).pathname, p.status])).toEqual([
    ['/', 200],
    ['/', 200],
    ['/', 200],
  ]);

  // the events are counted on the Projects page
  await signIn(page);
  await expect(page.getByRole('table', { name: 'Events per project and hour' })).toBeVisible();
  await shot(page, '20-projects-after-browser-sdks');
});

test('a project limited to other origins refuses the page, set from the Projects page', async ({ page }) => {
  const s = state();
  await signIn(page);
  await page.getByRole('button', { name: 'Origins…' }).first().click();
  const form = page.getByRole('form', { name: /Allowed origins of/ });
  await form.getByLabel('Allowed origins', { exact: true }).fill('shop.example');
  await form.getByRole('button', { name: 'Save origins' }).click();
  await expect(form.getByText(/is not an origin/)).toBeVisible();
  await form.getByLabel('Allowed origins', { exact: true }).fill('https://shop.example\nhttps://*.shop.example');
  await shot(page, '21-projects-allowed-origins');
  await form.getByRole('button', { name: 'Save origins' }).click();
  await expect(page.getByRole('table', { name: 'Projects' })).toContainText('https://shop.example, https://*.shop.example');

  try {
    await page.goto(`${siteUrl}/shop.html`);
    const code = await page.evaluate(
      async ({ apiKey, serverUrl }) => {
        const amp = (window as unknown as { amplitude: { createInstance(): any } }).amplitude.createInstance();
        await amp.init(apiKey, 'refused-user', { serverUrl, autocapture: false, flushMaxRetries: 1, logLevel: 0 }).promise;
        return (await amp.track('refused origin').promise).code;
      },
      { apiKey: s.apiKey, serverUrl: `${s.url}/2/httpapi` },
    );
    expect(code).not.toBe(200);
    expect(await storedEvents(`event_type = 'refused origin'`)).toHaveLength(0);
  } finally {
    await signIn(page);
    await page.getByRole('button', { name: 'Origins…' }).first().click();
    await page.getByLabel('Allowed origins', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Save origins' }).click();
    await expect(page.getByRole('table', { name: 'Projects' }).getByRole('cell', { name: 'any', exact: true }).first()).toBeVisible();
  }
});
