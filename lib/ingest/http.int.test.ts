// Ingestion over real HTTP against `next start`: the official Amplitude Node SDK, and every error code
// with nothing written.
import { gzipSync } from 'node:zlib';
import { createInstance, Identify } from '@amplitude/analytics-node';
import { and, asc, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '../db/client';
import * as s from '../db/schema';
import { createProject } from '../projects/projects';
import { type RunningApp } from '../../test/support/app';
import { hostileShapes } from '../../test/support/hostile';
import { startSeededApp, stopSeededApp, type SeededApp } from '../../test/support/seeded-app';

let app: RunningApp;
let database: Database;
let apiKey: string;
let projectId: number;

let setup: SeededApp;

beforeAll(async () => {
  setup = await startSeededApp('org', {});
  ({ app, database } = setup);
  apiKey = setup.seed.project.apiKey!;
  projectId = setup.seed.project.id;
});
afterAll(() => stopSeededApp(setup));

const eventCount = async () => (await database.db.select({ n: count() }).from(s.events))[0].n;

async function post(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  });
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
      [
        '/2/httpapi',
        { api_key: apiKey, events: [{ device_id: 'dev-00001', event_type: 'ok' }, { device_id: 'dev-00001' }] },
        400,
        { events_with_missing_fields: { event_type: [1] } },
      ],
      [
        '/2/httpapi',
        {
          api_key: apiKey,
          events: [
            { device_id: 'dev-00001', event_type: 'ok' },
            { user_id: 'null', event_type: 'a' },
          ],
        },
        400,
        { events_with_invalid_fields: { user_id: [1] } },
      ],
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
    // 1,000 keys (Amplitude's limit per property object) of 1,100 characters: 1.1 MB
    const big = {
      api_key: apiKey,
      events: [
        { device_id: 'dev-big-1', event_type: 'a', event_properties: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v'.repeat(1100)])) },
      ],
    };
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

  it('fills country, region and city from the IP address, as Amplitude does; a location the client sent is kept', async () => {
    const r = await post('/2/httpapi', {
      api_key: apiKey,
      events: [
        // the address of a real Amplitude line of 2025 (city "Hemel Hempstead", country "United Kingdom")
        { device_id: 'geo-device-1', event_type: 'located', ip: '82.20.15.60' },
        { device_id: 'geo-device-1', event_type: 'own place', ip: '82.20.15.60', country: 'France', city: 'Lyon' },
        // the sender's own address (loopback here): private, so nothing to fill
        { device_id: 'geo-device-1', event_type: 'local' },
      ],
    });
    expect(r.status).toBe(200);
    const rows = await rowsOf('geo-device-1');
    expect(rows.map((x) => [x.eventType, x.country, x.region, x.city])).toEqual([
      ['located', 'United Kingdom', 'England', 'Hemel Hempstead'],
      ['own place', 'France', null, 'Lyon'],
      ['local', null, null, null],
    ]);
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

const form = (fields: Record<string, string>) => ({
  'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
  body: new URLSearchParams(fields).toString(),
});

async function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const f = form(fields);
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': f['content-type'], ...headers }, body: f.body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const rowsOf = (deviceId: string) =>
  database.db
    .select()
    .from(s.events)
    .where(and(eq(s.events.projectId, projectId), eq(s.events.deviceId, deviceId)))
    .orderBy(asc(s.events.id));

describe("Amplitude's other doors", () => {
  it('POST / takes amplitude-js and legacy mobile batches and answers success; GET / is still the app', async () => {
    const e = JSON.stringify([
      {
        device_id: 'legacy-dev-1',
        user_id: 'legacy-user-1',
        event_type: 'Opened',
        timestamp: 1_700_000_000_000,
        session_id: 1_700_000_000_000,
        platform: 'Android',
        os_name: 'android',
        os_version: '14',
        device_model: 'Pixel 8',
        language: 'fr-FR',
        library: { name: 'amplitude-android', version: '2.39.0' },
        uuid: 'uuid-legacy-1',
        event_properties: { a: 1 },
      },
      { device_id: 'legacy-dev-1', event_type: 'Tapped', timestamp: 1_700_000_001_000, uuid: 'uuid-legacy-2' },
    ]);
    const fields = { client: apiKey, e, v: '2', upload_time: String(Date.now()), checksum: 'ignored' };
    const r = await postForm('/', fields);
    expect(r).toMatchObject({ status: 200, text: 'success' });
    // the SDK re-sends a batch whose answer it lost: stored once (the uuid is the insert_id)
    expect((await postForm('/', fields)).text).toBe('success');
    const rows = await rowsOf('legacy-dev-1');
    expect(rows.map((x) => x.eventType)).toEqual(['Opened', 'Tapped']);
    expect(rows[0]).toMatchObject({
      userId: 'legacy-user-1',
      clientEventTime: 1_700_000_000_000,
      sessionId: 1_700_000_000_000,
      platform: 'Android',
      osName: 'android',
      osVersion: '14',
      deviceModel: 'Pixel 8',
      // by name, as Amplitude shows it
      language: 'French',
      library: 'amplitude-android/2.39.0',
      insertId: 'uuid-legacy-1',
      ipAddress: '127.0.0.1',
    });
    expect(rows[1].amplitudeId).toBe(rows[0].amplitudeId);
    expect(JSON.parse(rows[0].data)).toMatchObject({ path: '/' });

    const home = await fetch(`${app.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('form doors answer errors in words, with the reason in a header, and store nothing', async () => {
    const before = await eventCount();
    const e = JSON.stringify([{ device_id: 'legacy-dev-2', event_type: 'x' }]);
    expect(await postForm('/', { client: 'not-a-key', e })).toMatchObject({ status: 400, text: 'invalid_api_key' });
    expect(await postForm('/', { e })).toMatchObject({ status: 400, text: 'missing_api_key' });
    expect(await postForm('/', { client: apiKey })).toMatchObject({ status: 400, text: 'missing_event' });
    const bad = await postForm('/', { client: apiKey, e: '[{"device_id":"legacy-dev-2"}]' });
    expect(bad).toMatchObject({ status: 400, text: 'invalid_event' });
    expect(bad.headers.get('x-spillway-error')).toMatch(/missing required field/i);
    expect(await postForm('/', { client: apiKey, e: '[{' })).toMatchObject({ status: 400, text: 'invalid_event' });
    expect(await postForm('/httpapi', { api_key: apiKey, event: '{"user_id":"null","event_type":"x"}' })).toMatchObject({ status: 400 });
    expect(await eventCount()).toBe(before);
  });

  it('POST /httpapi (v1) takes one event or an array', async () => {
    expect((await postForm('/httpapi', { api_key: apiKey, event: JSON.stringify({ device_id: 'v1-dev-1', event_type: 'one' }) })).text).toBe('success');
    expect(
      (
        await postForm('/httpapi', {
          api_key: apiKey,
          event: JSON.stringify([
            { device_id: 'v1-dev-1', event_type: 'two' },
            { device_id: 'v1-dev-1', event_type: 'three' },
          ]),
        })
      ).text,
    ).toBe('success');
    expect((await rowsOf('v1-dev-1')).map((r) => [r.eventType, JSON.parse(r.data).path])).toEqual([
      ['one', '/httpapi'],
      ['two', '/httpapi'],
      ['three', '/httpapi'],
    ]);
  });

  it('/identify and /groupidentify change properties without an event; later events carry them', async () => {
    const before = await eventCount();
    const ident = [
      { user_id: 'ident-user-1', device_id: 'ident-dev-1', user_properties: { plan: 'pro', $add: { logins: 2 } }, country: 'France' },
      { user_id: 'ident-user-1', user_properties: { $set: { seats: 5 }, $add: { logins: 1 } } },
    ];
    expect(await postForm('/identify', { api_key: apiKey, identification: JSON.stringify(ident) })).toMatchObject({ status: 200, text: 'success' });
    const group = { group_type: 'company', group_value: 'Acme', group_properties: { $set: { tier: 'gold' }, $add: { deals: 3 } } };
    expect(await postForm('/groupidentify', { api_key: apiKey, identification: JSON.stringify(group) })).toMatchObject({ status: 200, text: 'success' });
    expect(await eventCount()).toBe(before);

    const r = await post('/2/httpapi', { api_key: apiKey, events: [{ device_id: 'ident-dev-1', event_type: 'After', groups: { company: 'Acme' } }] });
    expect(r.status).toBe(200);
    const [after] = await rowsOf('ident-dev-1');
    expect(after.userId).toBeNull(); // an anonymous event on the device: the device's user
    expect(JSON.parse(after.userProperties)).toEqual({ plan: 'pro', logins: 3, seats: 5, company: 'Acme' });
    expect(JSON.parse(after.groupProperties)).toEqual({ company: { Acme: { tier: 'gold', deals: 3 } } });
    const [user] = await database.db.select().from(s.amplitudeUsers).where(eq(s.amplitudeUsers.userId, 'ident-user-1'));
    expect(after.amplitudeId).toBe(user.amplitudeId);

    expect(await postForm('/groupidentify', { api_key: apiKey, identification: JSON.stringify({ group_type: 'company' }) })).toMatchObject({
      status: 400,
      text: 'invalid_event',
    });
    expect(await postForm('/identify', { api_key: apiKey, identification: JSON.stringify({ user_properties: { a: 1 } }) })).toMatchObject({ status: 400 });
  });
});

describe('CORS on the ingestion doors only', () => {
  const origin = 'https://shop.example';

  it("answers every door's preflight with what browser SDKs send", async () => {
    for (const path of ['/2/httpapi', '/batch', '/', '/httpapi', '/identify', '/groupidentify']) {
      const r = await fetch(`${app.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,content-encoding' },
      });
      expect(r.status, path).toBe(204);
      expect(r.headers.get('access-control-allow-origin'), path).toBe(origin);
      expect(r.headers.get('access-control-allow-headers'), path).toContain('content-encoding');
      expect(r.headers.get('access-control-allow-methods'), path).toContain('POST');
      expect(Number(r.headers.get('access-control-max-age')), path).toBeGreaterThan(0);
    }
  });

  it('puts the header on every answer, errors included, and never on the admin API', async () => {
    const answers = [
      await fetch(`${app.url}/2/httpapi`, {
        method: 'POST',
        headers: { origin },
        body: JSON.stringify({ api_key: apiKey, events: [{ device_id: 'cors-dev-1', event_type: 'a' }] }),
      }),
      await fetch(`${app.url}/2/httpapi`, { method: 'POST', headers: { origin }, body: '{nope' }),
      await fetch(`${app.url}/2/httpapi`, { method: 'POST', headers: { origin }, body: 'x'.repeat(1_100_000) }),
      await fetch(`${app.url}/2/httpapi`, {
        method: 'POST',
        headers: { origin },
        body: JSON.stringify({ api_key: apiKey, events: Array.from({ length: 31 }, () => ({ device_id: 'cors-hot', event_type: 'a' })) }),
      }),
      await fetch(`${app.url}/`, { method: 'POST', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'client=nope&e=%5B%5D' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 413, 429, 400]);
    for (const a of answers) expect(a.headers.get('access-control-allow-origin')).toBe(origin);
    const admin = await fetch(`${app.url}/api/projects`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
    const adminPost = await fetch(`${app.url}/api/projects`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(adminPost.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a project with allowed origins refuses the others, without CORS headers and with nothing stored', async () => {
    const [org] = await database.db.select().from(s.organizations).limit(1);
    const p = await createProject(database.db, org.id, 'Origins');
    await database.db
      .update(s.projects)
      .set({ allowedOrigins: JSON.stringify(['https://shop.example', 'https://*.cdn.example']) })
      .where(eq(s.projects.id, p.id));
    const send = (o: string | null, path = '/2/httpapi') =>
      fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: o ? { origin: o } : {},
        body: JSON.stringify({ api_key: p.apiKey, events: [{ device_id: 'origin-dev-1', event_type: `from ${o}` }] }),
      });
    const refused = await send('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(await refused.json()).toMatchObject({ code: 403 });
    const legacy = await fetch(`${app.url}/`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: new URLSearchParams({ client: p.apiKey!, e: '[{"device_id":"origin-dev-1","event_type":"x"}]' }),
    });
    expect(legacy.status).toBe(403);
    expect((await send('https://shop.example')).status).toBe(200);
    expect((await send('https://a.cdn.example')).status).toBe(200);
    expect((await send(null)).status).toBe(200); // servers and mobile apps send no Origin
    const stored = await database.db.select({ t: s.events.eventType }).from(s.events).where(eq(s.events.projectId, p.id));
    expect(stored.map((x) => x.t).sort()).toEqual(['from https://a.cdn.example', 'from https://shop.example', 'from null']);
  });
});

describe('bounded work per request', () => {
  for (const shape of hostileShapes('API_KEY').filter((x) => !x.ok)) {
    it(`refuses ${shape.label} with a 4xx while other clients are answered`, async () => {
      const body = hostileShapes(apiKey)
        .find((x) => x.label === shape.label)!
        .body();
      const before = await eventCount();
      const started = Date.now();
      const hostile = fetch(`${app.url}${shape.path}`, { method: 'POST', body }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
        ms: Date.now() - started,
      }));
      // another client, while the hostile body is being read and refused
      await new Promise((r) => setTimeout(r, 50));
      const pingStart = Date.now();
      const ping = await fetch(`${app.url}/2/httpapi`, {
        method: 'POST',
        body: JSON.stringify({ api_key: apiKey, events: [{ device_id: 'bystander-1', event_type: 'ping' }] }),
      });
      const pingMs = Date.now() - pingStart;
      const r = await hostile;
      expect(ping.status).toBe(200);
      expect(pingMs, 'the bystander waited').toBeLessThan(1000);
      expect(r.status, JSON.stringify(r.body).slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.code).toBe(r.status);
      expect(typeof r.body.error).toBe('string');
      expect(r.ms, 'refused quickly (loose bound)').toBeLessThan(10_000);
      expect(await eventCount()).toBe(before + 1);
    });
  }

  it('keeps __proto__ keys as data, in event and user properties', async () => {
    const body =
      '{"api_key":"' +
      apiKey +
      '","events":[{"device_id":"proto-dev-1","event_type":"p","event_properties":{"__proto__":{"x":1},"b":2},"user_properties":{"$set":{"__proto__":"y"}}}]}';
    expect((await post('/2/httpapi', body)).status).toBe(200);
    const [row] = await rowsOf('proto-dev-1');
    expect(row.eventProperties).toBe('{"__proto__":{"x":1},"b":2}');
    expect(row.userProperties).toBe('{"__proto__":"y"}');
  });
});
