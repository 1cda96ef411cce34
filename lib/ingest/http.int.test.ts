// Ingestion over real HTTP against `next start`: the official Amplitude Node SDK, and every error code
// with nothing written.
import { gzipSync } from 'node:zlib';
import { createInstance, Identify } from '@amplitude/analytics-node';
import { asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client';
import * as s from '../db/schema';
import { createProject } from '../projects/projects';
import { startApp, type RunningApp } from '../testing/app';
import { freshDbUrl } from '../testing/db';
import { seedOrg } from '../testing/seed';

let app: RunningApp;
let database: Database;
let apiKey: string;
let projectId: number;

beforeAll(async () => {
  const url = freshDbUrl();
  database = await openDatabase({ url });
  const seed = await seedOrg(database.db);
  apiKey = seed.project.apiKey!;
  projectId = seed.project.id;
  app = await startApp({ DATABASE_URL: url });
});
afterAll(async () => {
  await app?.stop();
  database?.close();
});

const eventCount = async () => (await database.db.select({ n: count() }).from(s.events))[0].n;

async function post(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the official @amplitude/analytics-node SDK', () => {
  it('tracks and identifies through /2/httpapi', async () => {
    const client = createInstance();
    await client.init(apiKey, { serverUrl: `${app.url}/2/httpapi`, flushIntervalMillis: 50, logLevel: 0 }).promise;
    const opts = { user_id: 'sdk-user-1', device_id: 'sdk-device-1' };
    const tracked = await client.track('Song Played', { title: 'Blue' }, opts).promise;
    const ident = new Identify().set('plan', 'pro').add('plays', 1);
    const identified = await client.identify(ident, opts).promise;
    await client.flush().promise;
    expect(tracked.code).toBe(200);
    expect(identified.code).toBe(200);

    const rows = await database.db.select().from(s.events).where(eq(s.events.projectId, projectId)).orderBy(asc(s.events.id));
    const mine = rows.filter((r) => r.userId === 'sdk-user-1');
    expect(mine.map((r) => r.eventType)).toEqual(['Song Played', '$identify']);
    const [play, id] = mine;
    expect(play.amplitudeId).toBe(id.amplitudeId);
    expect(play.deviceId).toBe('sdk-device-1');
    expect(JSON.parse(play.eventProperties)).toEqual({ title: 'Blue' });
    expect(play.library).toMatch(/^amplitude-node/);
    expect(play.insertId).toBeTruthy();
    expect(JSON.parse(id.userProperties)).toEqual({ plan: 'pro', plays: 1 });
    expect(play.clientUploadTime).not.toBeNull();
  });
});

describe('Amplitude error codes, nothing written', () => {
  it('200 carries events_ingested, payload_size_bytes and server_upload_time', async () => {
    const body = JSON.stringify({ api_key: apiKey, events: [{ device_id: 'http-dev-1', event_type: 'a' }] });
    const r = await post('/2/httpapi', body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ code: 200, events_ingested: 1, payload_size_bytes: Buffer.byteLength(body) });
    expect(Math.abs((r.body.server_upload_time as number) - Date.now())).toBeLessThan(60_000);
  });

  it('rejects bad requests with Amplitude bodies', async () => {
    const before = await eventCount();
    const cases: [string, unknown, number, Record<string, unknown>][] = [
      ['/2/httpapi', '{not json', 400, { code: 400 }],
      ['/2/httpapi', { events: [{ device_id: 'dev-00001', event_type: 'a' }] }, 400, { missing_field: 'api_key' }],
      ['/2/httpapi', { api_key: 'nope-not-a-key', events: [{ device_id: 'dev-00001', event_type: 'a' }] }, 400, { error: 'Invalid API key: nope-not-a-key' }],
      ['/batch', { api_key: apiKey }, 400, { missing_field: 'events' }],
      ['/2/httpapi', { api_key: apiKey, events: [{ device_id: 'dev-00001', event_type: 'ok' }, { device_id: 'dev-00001' }] }, 400, { events_with_missing_fields: { event_type: [1] } }],
      ['/2/httpapi', { api_key: apiKey, events: [{ device_id: 'dev-00001', event_type: 'ok' }, { user_id: 'null', event_type: 'a' }] }, 400, { events_with_invalid_fields: { user_id: [1] } }],
      ['/2/httpapi', { api_key: apiKey, events: [{ user_id: 'abc', event_type: 'a' }] }, 400, { events_with_invalid_id_lengths: { user_id: [0] } }],
    ];
    for (const [path, body, status, expected] of cases) {
      const r = await post(path, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body).toMatchObject({ code: status, ...expected });
    }
    expect(await eventCount()).toBe(before);
  });

  it('answers 413 past the size and count limits, per endpoint', async () => {
    const before = await eventCount();
    const big = { api_key: apiKey, events: [{ device_id: 'dev-big-1', event_type: 'a', event_properties: Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, 'v'.repeat(1000)])) }] };
    const r = await post('/2/httpapi', big);
    expect(r).toMatchObject({ status: 413, body: { code: 413, error: 'Payload too large' } });
    const many = { api_key: apiKey, events: Array.from({ length: 2001 }, (_, i) => ({ device_id: `dev-many-${i}`, event_type: 'a' })) };
    expect((await post('/batch', many)).status).toBe(413);
    expect(await eventCount()).toBe(before);
    // /batch takes up to 20 MB
    expect((await post('/batch', big)).status).toBe(200);
  });

  it('answers 429 when a device sends more than 30 events per second, naming them', async () => {
    const before = await eventCount();
    const events = Array.from({ length: 31 }, () => ({ device_id: 'dev-hot-1', event_type: 'tap' }));
    const r = await post('/2/httpapi', { api_key: apiKey, events });
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ code: 429, eps_threshold: 30, throttled_events: [30] });
    expect((r.body.throttled_devices as Record<string, number>)['dev-hot-1']).toBe(31);
    expect(await eventCount()).toBe(before);
  });

  it('accepts gzip bodies and any content type (sendBeacon posts text/plain)', async () => {
    const body = JSON.stringify({ api_key: apiKey, events: [{ device_id: 'dev-gzip-1', event_type: 'g' }] });
    expect((await post('/2/httpapi', gzipSync(body), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post('/2/httpapi', body, { 'content-type': 'text/plain;charset=UTF-8' })).status).toBe(200);
  });

  it('portfolio projects have no key and so receive nothing', async () => {
    const [org] = await database.db.select().from(s.organizations).limit(1);
    const portfolio = await createProject(database.db, org.id, 'All apps', { isPortfolio: true });
    expect(portfolio.apiKey).toBeNull();
  });
});
