// The export line as SQLite builds it, from a row stored in a fresh libSQL file.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/client';
import * as s from '../db/schema';
import { freshDatabase } from '../../test/support/db';
import { seedOrg } from '../../test/support/seed';
import { EVENT_KEYS, eventJsonSql, mergeToJson } from './format';

/** The documented export timestamp text, computed independently of the SQL that writes it. */
function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2020-02-15T01:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

let database: Database;
beforeEach(async () => {
  database = await freshDatabase();
});
afterEach(() => database.close());

async function lineOf(row: Partial<typeof s.events.$inferInsert>) {
  const { db } = database;
  const { project } = await seedOrg(db);
  const base = {
    projectId: project.id,
    eventId: 7,
    uuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
    eventType: 'x',
    amplitudeId: 99,
    serverReceivedTime: 0,
    serverUploadTime: 0,
    processedTime: 0,
    clientEventTime: 0,
    eventTime: 0,
  };
  const [{ id }] = await db
    .insert(s.events)
    .values({ ...base, ...row })
    .returning({ id: s.events.id });
  const [{ line }] = await db.select({ line: eventJsonSql }).from(s.events).where(eq(s.events.id, id));
  return { line, projectId: project.id };
}

describe('event export line', () => {
  it('writes every schema key in the spec order, with the stored values', async () => {
    const { line, projectId } = await lineOf({
      eventType: 'Play "quoted" <b>\n\t\u0001',
      userId: 'u\u00e9-1 \u2028 😀',
      deviceId: 'dev-1',
      sessionId: -1,
      insertId: 'ins',
      serverReceivedTime: Date.UTC(2020, 1, 15, 1, 0, 0, 123),
      serverUploadTime: Date.UTC(2020, 1, 15, 1, 0, 0, 124),
      processedTime: Date.UTC(2020, 1, 15, 1, 0, 0, 125),
      clientEventTime: Date.UTC(2020, 1, 15, 0, 59, 0),
      eventTime: Date.UTC(2020, 1, 15, 0, 59, 0),
      userCreationTime: Date.UTC(2020, 1, 1),
      appVersion: '1.0',
      platform: 'Web',
      country: 'FR',
      locationLat: 48.5,
      locationLng: -122.4194155,
      isAttributionEvent: false,
      paying: true,
      eventProperties: '{"a":[1,{"b":null}],"n":1.25e-7,"big":12345678901234567890}',
      data: '{"path":"/2/httpapi"}',
    });
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(Object.keys(parsed)).toEqual([...EVENT_KEYS]);
    expect(EVENT_KEYS).toHaveLength(49);
    expect(parsed).toEqual({
      server_received_time: '2020-02-15 01:00:00.123000',
      app: projectId,
      device_carrier: null,
      $schema: 12,
      city: null,
      user_id: 'u\u00e9-1 \u2028 😀',
      uuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
      event_time: '2020-02-15 00:59:00.000000',
      platform: 'Web',
      os_version: null,
      amplitude_id: 99,
      processed_time: '2020-02-15 01:00:00.125000',
      user_creation_time: '2020-02-01 00:00:00.000000',
      version_name: '1.0',
      ip_address: null,
      paying: true,
      dma: null,
      group_properties: {},
      user_properties: {},
      client_upload_time: null,
      $insert_id: 'ins',
      event_type: 'Play "quoted" <b>\n\t\u0001',
      library: null,
      amplitude_attribution_ids: null,
      device_type: null,
      device_manufacturer: null,
      start_version: null,
      location_lng: -122.4194155,
      server_upload_time: '2020-02-15 01:00:00.124000',
      event_id: 7,
      location_lat: 48.5,
      os_name: null,
      amplitude_event_type: null,
      device_brand: null,
      groups: {},
      event_properties: { a: [1, { b: null }], n: 1.25e-7, big: 12345678901234567890 },
      data: { path: '/2/httpapi' },
      device_id: 'dev-1',
      language: null,
      device_model: null,
      country: 'FR',
      region: null,
      is_attribution_event: false,
      adid: null,
      session_id: -1,
      device_family: null,
      sample_rate: null,
      idfa: null,
      client_event_time: '2020-02-15 00:59:00.000000',
    });
  });

  it('formats timestamps exactly as the documented UTC format, at any millisecond', async () => {
    for (const t of [Date.UTC(2020, 1, 5, 9, 8, 7, 6), Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2026, 10, 25, 0, 0, 0, 0), 1_700_000_000_001]) {
      const { line } = await lineOf({ eventTime: t });
      expect(JSON.parse(line).event_time).toBe(formatTimestamp(t));
    }
    expect(formatTimestamp(Date.UTC(2020, 1, 5, 9, 8, 7, 6))).toBe('2020-02-05 09:08:07.006000');
  });

  it('writes merged ids with epoch-ms times', () => {
    const m = { id: 1, projectId: 3, scope: 3, mergeTime: 1000, mergeServerTime: 2000, amplitudeId: 5, mergedAmplitudeId: 4 };
    expect(JSON.parse(mergeToJson(m))).toEqual({ scope: 3, merge_time: 1000, merge_server_time: 2000, amplitude_id: 5, merged_amplitude_id: 4 });
    expect(Object.keys(JSON.parse(mergeToJson(m)))).toEqual(['scope', 'merge_time', 'merge_server_time', 'amplitude_id', 'merged_amplitude_id']);
  });
});
