// Ingestion against a real libSQL file (fresh per test): identities, merges, dedupe, user properties.
import { asc, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as s from '../db/schema';
import type { Database } from '../db/client';
import type { Db } from '../db/types';
import { freshDatabase } from '../../test/support/db';
import { seedOrg } from '../../test/support/seed';
import { DEDUPE_LEVELS } from './dedupe';
import { ingest } from './ingest';
import { isIngestResult } from './responses';
import { Throttle } from './throttle';
import { validateRequest } from './validate';

/** Every dedupe key, in whichever level it is, as if seen `ms` earlier. */
const ageDedupeKeys = async (ms: number) => {
  for (const table of DEDUPE_LEVELS) await database.client.execute(`update ${table} set seen_at = seen_at - ${ms}`);
};

let database: Database;
let apiKey: string;
let projectId: number;

beforeEach(async () => {
  database = await freshDatabase();
  const seed = await seedOrg(database.db);
  apiKey = seed.project.apiKey!;
  projectId = seed.project.id;
});
afterEach(() => database.close());

async function send(events: Record<string, unknown>[], extra: Record<string, unknown> = {}, db: Db = database.db) {
  const req = validateRequest({ api_key: apiKey, events, ...extra }, 2000);
  if (isIngestResult(req)) throw new Error(JSON.stringify(req.body));
  return ingest(db, req, { path: '/2/httpapi', receivedAt: Date.now(), ip: '203.0.113.9', payloadBytes: 1, throttle: new Throttle() });
}
const rows = () => database.db.select().from(s.events).orderBy(asc(s.events.id));

describe('identity resolution', () => {
  it('anonymous device then login keeps the amplitude_id', async () => {
    await send([{ device_id: 'device-A', event_type: 'view' }]);
    await send([{ device_id: 'device-A', user_id: 'alice', event_type: 'login' }]);
    await send([{ device_id: 'device-A', event_type: 'after' }]);
    const r = await rows();
    expect(new Set(r.map((x) => x.amplitudeId)).size).toBe(1);
    expect(JSON.parse(r[0].data)).toMatchObject({ first_event: true, path: '/2/httpapi' });
    expect(JSON.parse(r[1].data).first_event).toBeUndefined();
    expect(await database.db.select().from(s.merges)).toHaveLength(0);
    const [u] = await database.db.select().from(s.amplitudeUsers);
    expect(u.userId).toBe('alice');
  });

  it('two devices of one user: the second anonymous id merges into the user', async () => {
    await send([{ device_id: 'device-A', user_id: 'bobby', event_type: 'a', time: 1_700_000_000_000 }]);
    await send([{ device_id: 'device-B', event_type: 'b' }]);
    const anon = (await rows())[1].amplitudeId;
    await send([{ device_id: 'device-B', user_id: 'bobby', event_type: 'c', time: 1_700_000_100_000 }]);
    await send([{ device_id: 'device-B', event_type: 'd' }]);
    const r = await rows();
    const bobId = r[0].amplitudeId;
    expect(anon).not.toBe(bobId);
    // exported rows keep their original amplitude_id; later ones use the user's
    expect(r.map((x) => x.amplitudeId)).toEqual([bobId, anon, bobId, bobId]);
    const merges = await database.db.select().from(s.merges);
    expect(merges).toHaveLength(1);
    expect(merges[0]).toMatchObject({ amplitudeId: anon, mergedAmplitudeId: bobId, scope: projectId, mergeTime: 1_700_000_100_000 });
    expect(merges[0].mergeServerTime).toBe(r[2].serverUploadTime);
    expect(JSON.parse(r[2].data).merged_amplitude_id).toBe(anon);
  });

  it('two known users on one device are never merged', async () => {
    await send([{ device_id: 'shared-1', user_id: 'carol', event_type: 'a' }]);
    await send([{ device_id: 'other-1', user_id: 'david', event_type: 'a' }]);
    await send([{ device_id: 'shared-1', user_id: 'david', event_type: 'b' }]);
    await send([{ device_id: 'shared-1', event_type: 'anon' }]);
    const r = await rows();
    expect(r[2].amplitudeId).toBe(r[1].amplitudeId);
    // an anonymous event goes to the device's last known user
    expect(r[3].amplitudeId).toBe(r[1].amplitudeId);
    expect(r[0].amplitudeId).not.toBe(r[1].amplitudeId);
    expect(await database.db.select().from(s.merges)).toHaveLength(0);
  });

  it('a user_id without device_id gets a device_id derived from it', async () => {
    await send([{ user_id: 'erin@example.com', event_type: 'a' }]);
    await send([{ user_id: 'erin@example.com', event_type: 'b' }]);
    const r = await rows();
    expect(r[0].deviceId).toMatch(/^[0-9a-f]{32}$/);
    expect(r[1].deviceId).toBe(r[0].deviceId);
    expect(r[1].amplitudeId).toBe(r[0].amplitudeId);
  });
});

describe('dedupe and fields', () => {
  it('stores an $insert_id once per device within 7 days, but accepts the request', async () => {
    const e = { device_id: 'device-D', event_type: 'buy', insert_id: 'ins-1' };
    const first = await send([e, e]);
    const again = await send([e, { ...e, device_id: 'device-E' }]);
    expect(first.body.events_ingested).toBe(2);
    expect(again.status).toBe(200);
    const r = await rows();
    expect(r.map((x) => x.deviceId)).toEqual(['device-D', 'device-E']);
  });

  it('accepts an $insert_id again once its 7 days have passed, and many keys at once (statements of many rows)', async () => {
    const batch = Array.from({ length: 100 }, (_, i) => ({ device_id: `dev-${i % 7}`, event_type: 'view', insert_id: `k-${i % 70}` }));
    // 70 distinct keys, 30 repeated inside the request
    expect((await send(batch)).body.events_ingested).toBe(100);
    expect(await rows()).toHaveLength(70);
    await send(batch);
    expect(await rows()).toHaveLength(70);
    // keys seen 8 days ago are past the window: the events are new again
    await ageDedupeKeys(8 * 24 * 3600_000);
    await send(batch.slice(0, 40));
    expect(await rows()).toHaveLength(110);
  });

  it('dedupes the same way through a remote libSQL client (rows as one JSON array, the written keys returned)', async () => {
    // @libsql/client on the same file takes the path a Turso URL takes (lib/db/bulk.ts)
    const client = createClient({ url: database.url });
    const remote = drizzle(client, { schema: s }) as unknown as Db;
    try {
      const batch = Array.from({ length: 100 }, (_, i) => ({
        device_id: `dev-${i % 7}`,
        user_id: `user-${i % 5}`,
        event_type: 'view',
        insert_id: `r-${i % 70}`,
        user_properties: { $set: { plan: 'pro' }, $add: { views: 1 } },
        event_properties: { note: 'x'.repeat(300 + i) },
      }));
      expect((await send(batch, {}, remote)).body.events_ingested).toBe(100);
      await send(batch, {}, remote);
      const stored = await rows();
      expect(stored).toHaveLength(70);
      // identities, property operations and compressed properties came through that path too
      expect(new Set(stored.map((r) => r.amplitudeId)).size).toBe(5);
      expect(JSON.parse(stored.at(-1)!.userProperties)).toEqual({ plan: 'pro', views: 14 });
      expect(JSON.parse(stored.at(-1)!.eventProperties).note).toHaveLength(369);
      await ageDedupeKeys(8 * 24 * 3600_000);
      await send(batch.slice(0, 40), {}, remote);
      expect(await rows()).toHaveLength(110);
    } finally {
      client.close();
    }
  });

  it('stamps server times, event_time skew correction and the client fields', async () => {
    const before = Date.now();
    const res = await send(
      [
        {
          user_id: 'frank',
          device_id: 'dev-frank',
          event_type: 'x',
          time: 1_600_000_000_000,
          platform: 'iOS',
          os_name: 'ios',
          country: 'FR',
          carrier: 'Orange',
          ip: '$remote',
          location_lat: 48.8,
          location_lng: 2.3,
          price: 9.5,
          revenue: 9.5,
          session_id: 123,
          app_version: '1.2.3',
          library: 'amplitude-ts/2.0',
        },
      ],
      { client_upload_time: new Date(before - 3_600_000).toISOString() },
    );
    const [r] = await rows();
    expect(res.body.server_upload_time).toBe(r.serverUploadTime);
    expect(r.serverUploadTime).toBeGreaterThanOrEqual(r.serverReceivedTime);
    expect(r.clientEventTime).toBe(1_600_000_000_000);
    // the device clock was an hour behind: event_time is corrected by the skew
    expect(r.eventTime - r.clientEventTime).toBeGreaterThan(3_590_000);
    expect(r).toMatchObject({
      platform: 'iOS',
      deviceCarrier: 'Orange',
      ipAddress: '203.0.113.9',
      sessionId: 123,
      appVersion: '1.2.3',
      paying: true,
      userCreationTime: r.eventTime,
    });
    expect(JSON.parse(r.eventProperties)).toEqual({ $price: 9.5, $revenue: 9.5 });
    expect(r.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.eventId).toBe(r.id);
  });

  it('defaults session_id to -1 and times to the server time', async () => {
    await send([{ device_id: 'device-G', event_type: 'x' }]);
    const [r] = await rows();
    expect(r.sessionId).toBe(-1);
    expect(r.clientEventTime).toBe(r.serverReceivedTime);
    expect(r.eventTime).toBe(r.serverReceivedTime);
  });
});

describe('user and group properties', () => {
  it('each event carries the properties after its own operations', async () => {
    await send([
      { user_id: 'ginger', event_type: '$identify', user_properties: { $set: { plan: 'free' }, $add: { logins: 1 } } },
      { user_id: 'ginger', event_type: 'upgrade', user_properties: { plan: 'pro' } },
      { user_id: 'ginger', event_type: 'nothing' },
      { user_id: 'ginger', event_type: '$identify', user_properties: { $unset: { plan: '-' }, $add: { logins: 1 } } },
    ]);
    const r = await rows();
    expect(r.map((x) => JSON.parse(x.userProperties))).toEqual([
      { plan: 'free', logins: 1 },
      { plan: 'pro', logins: 1 },
      { plan: 'pro', logins: 1 },
      { logins: 2 },
    ]);
    expect(r[0].amplitudeEventType).toBe('$identify');
    expect(JSON.parse(r[2].data).user_properties_updated).toBeUndefined();
    const [u] = await database.db.select().from(s.amplitudeUsers).where(eq(s.amplitudeUsers.userId, 'ginger'));
    expect(JSON.parse(u.userProperties)).toEqual({ logins: 2 });
  });

  it('group identify updates group properties shown on later events of the group', async () => {
    await send([
      { user_id: 'hankster', event_type: '$groupidentify', groups: { company: 'Acme' }, group_properties: { $set: { size: 50 } } },
      { user_id: 'hankster', event_type: 'use', groups: { company: 'Acme' } },
    ]);
    const r = await rows();
    expect(JSON.parse(r[1].groupProperties)).toEqual({ company: { Acme: { size: 50 } } });
    // as Amplitude's lines carry groups: an array of strings per type
    expect(JSON.parse(r[1].groups)).toEqual({ company: ['Acme'] });
    expect(JSON.parse(r[1].userProperties)).toEqual({ company: 'Acme' });
  });
});
