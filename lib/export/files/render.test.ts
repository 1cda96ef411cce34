// The export line rendered in JavaScript from the compact row, against the SQL that wrote every line
// before it (SQLite's json_object over the old 49 columns, which the `events` view still presents):
// byte for byte, on hand-picked rows and on thousands of random ones.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/bulk';
import type { Database } from '../../db/client';
import { EVENT_ROW_COLUMNS, FLAGS, PATHS, REC_FIELDS, REC_SEP, REC_STRINGS, type RecField } from '../../db/event-layout';
import { events } from '../../db/schema';
import { packProperties } from '../../ingest/event-rows';
import { freshDatabase } from '../../../test/support/db';
import { seedOrg } from '../../../test/support/seed';
import { oracleSql } from '../../../test/support/oracle';
import { EVENT_KEYS } from './format';
import { LINE_SELECT, realJson, renderLine, timestampJson } from './render';

/** The documented export timestamp text, computed independently of both renderers. */
function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2020-02-15T01:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

let database: Database;
let projectId: number;
beforeAll(async () => {
  database = await freshDatabase();
  projectId = (await seedOrg(database.db)).project.id;
});
afterAll(() => database.close());

type RowValues = Partial<Record<(typeof EVENT_ROW_COLUMNS)[number], unknown>>;
const STORED = EVENT_ROW_COLUMNS;

async function store(values: RowValues): Promise<number> {
  const row = {
    project_id: projectId,
    server_upload_time: 0,
    amplitude_id: 99,
    received_ago: 0,
    uuid: new Uint8Array(16),
    flags: 0,
    user_properties: '{}',
    event_properties: '{}',
    rec: rec({ event_type: '"x"', session_id: '-1', client_event: '0', event_time: '0' }),
    ...values,
  } as Record<string, unknown>;
  const r = await database.client.execute({
    sql: `insert into event_rows (${STORED.join(', ')}) values (${STORED.map(() => '?').join(', ')}) returning id`,
    args: STORED.map((col) => (row[col] ?? null) as never),
  });
  return Number(r.rows[0].id);
}

/** `rec` with its event_id set to `id` when it has none (a second row that renders as the first). */
function sameId(value: string, id: number): string {
  const parts = value.split(REC_SEP);
  while (parts.length <= 6) parts.push('null');
  if (parts[6] === 'null') parts[6] = String(id);
  return parts.join(REC_SEP);
}

/** A `rec` value from JSON literals by field (the absent are null). */
function rec(o: Partial<Record<RecField, string>>): string {
  const parts = REC_FIELDS.map((f) => o[f] ?? 'null');
  while (parts[parts.length - 1] === 'null') parts.pop();
  return parts.join(REC_SEP);
}

const rendered = async (id: number) => renderLine((await queryRows(database.db, `select ${LINE_SELECT} from event_rows where id = ?`, [id]))[0]);

async function lines(id: number) {
  const [{ line }] = await database.db
    .select({ line: oracleSql })
    .from(events)
    .where(sql`${events.id} = ${id}`);
  return { rendered: await rendered(id), oracle: line };
}

const uuidBytes = (u: string) => Uint8Array.from(u.replace(/-/g, '').match(/../g)!, (h) => parseInt(h, 16));

describe('event export line', () => {
  it('writes every schema key in the spec order, with the stored values, as the SQL did', async () => {
    const received = Date.UTC(2020, 1, 15, 1, 0, 0, 123);
    const id = await store({
      uuid: uuidBytes('0f8fad5b-d9cb-469f-a165-70867728950e'),
      user_id: 'u\u00e9-1 \u2028 😀',
      device_id: 'dev-1',
      server_upload_time: received + 1,
      received_ago: 1,
      user_created: Date.UTC(2020, 1, 15, 0, 59, 0) - Date.UTC(2020, 1, 1),
      flags: (0 << FLAGS.pathShift) | (2 << FLAGS.payingShift) | (1 << FLAGS.attributionShift),
      event_properties: '{"a":[1,{"b":null}],"n":1.25e-7,"big":12345678901234567890}',
      rec: rec({
        event_type: JSON.stringify('Play "quoted" <b>\n\t\u0001'),
        session_id: '-1',
        client_event: String(Date.UTC(2020, 1, 15, 0, 59, 0) - received),
        event_time: String(Date.UTC(2020, 1, 15, 0, 59, 0) - received),
        $insert_id: '"ins"',
        event_id: '7',
        version_name: '"1.0"',
        platform: '"Web"',
        country: '"FR"',
        location_lat: '48.5',
        location_lng: '-122.4194155',
      }),
    });
    const { rendered, oracle } = await lines(id);
    expect(rendered).toBe(oracle);
    const parsed = JSON.parse(rendered);
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
      processed_time: '2020-02-15 01:00:00.124000',
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
      data: { path: '/2/httpapi', group_first_event: {}, group_ids: {} },
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
      expect(timestampJson(t)).toBe(`"${formatTimestamp(t)}"`);
    }
    expect(formatTimestamp(Date.UTC(2020, 1, 5, 9, 8, 7, 6))).toBe('2020-02-05 09:08:07.006000');
  });

  it('renders random rows byte for byte as the SQL did, compressed properties included', async () => {
    let seed = 20261130;
    const r = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const POOL = [
      'a',
      'Z',
      '0',
      ' ',
      '"',
      '\\',
      '/',
      '\n',
      '\t',
      '\u0000',
      '\u0001',
      '\u001f',
      '\u007f',
      'é',
      '\u2028',
      '\u2029',
      '😀',
      '中',
      '\ufeff',
      '<',
      '&',
    ];
    const text = (max = 12) => Array.from({ length: Math.floor(r() * max) }, () => pick(POOL)).join('');
    const float = () => {
      const b = new DataView(new ArrayBuffer(8));
      for (;;) {
        b.setUint32(0, (r() * 2 ** 32) >>> 0);
        b.setUint32(4, (r() * 2 ** 32) >>> 0);
        const x = b.getFloat64(0);
        if (Number.isFinite(x)) return pick([x, Math.round(x * 1e6) / 1e6, 37.774929, -122.419416, 48, 0.5, 1e15, 1e-5, 123456.789, 1 + 1 / 32768]);
      }
    };
    const time = () =>
      pick([
        Math.floor(r() * 4e12),
        Math.floor(r() * 253402300799999),
        253402300799999,
        253402300800000,
        -Math.floor(r() * 2e14),
        -210866760000000,
        -210866760001000,
        0,
      ]);
    const value = (depth: number): unknown =>
      depth > 2 || r() < 0.5
        ? pick([text(), Math.floor(r() * 1e6), float(), -0, 1e21, true, null])
        : r() < 0.5
          ? Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1))
          : Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [text(6), value(depth + 1)]));
    const dict = () => JSON.stringify(Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [text(6), value(1)])));
    let compressedRows = 0;
    for (let k = 0; k < 600; k++) {
      const sut = time();
      const present: Partial<Record<RecField, string>> = Object.fromEntries(REC_STRINGS.filter(() => r() < 0.4).map(([f]) => [f, JSON.stringify(text())]));
      if (r() < 0.3) present.location_lat = JSON.stringify(float());
      if (r() < 0.3) present.location_lng = JSON.stringify(float());
      const props = r() < 0.3 ? JSON.stringify({ note: 'x'.repeat(200 + Math.floor(r() * 300)), v: value(1) }) : dict();
      const values: RowValues = {
        server_upload_time: sut,
        received_ago: pick([0, 1, 17, Math.floor(r() * 1e6)]),
        amplitude_id: Math.floor(r() * 1e9),
        user_id: r() < 0.3 ? null : text(),
        device_id: r() < 0.1 ? null : text(),
        user_created: r() < 0.2 ? null : time() - sut,
        uuid: crypto.getRandomValues(new Uint8Array(16)),
        flags:
          (r() < 0.5 ? FLAGS.firstEvent : 0) |
          (r() < 0.5 ? FLAGS.propertiesUpdated : 0) |
          (Math.floor(r() * PATHS.length) << FLAGS.pathShift) |
          (Math.floor(r() * 3) << FLAGS.payingShift) |
          (Math.floor(r() * 3) << FLAGS.attributionShift),
        merged_amplitude_id: r() < 0.8 ? null : Math.floor(r() * 1e9),
        user_properties: dict(),
        group_properties: r() < 0.6 ? null : dict(),
        event_properties: props,
        rec: rec({
          ...present,
          event_type: JSON.stringify(pick(['$identify', '$groupidentify', text(), 'Page Viewed']) || 'e'),
          session_id: String(pick([-1, 1_700_000_000_000, Math.floor(r() * 2 ** 53)])),
          client_event: String(time() - sut),
          event_time: String(time() - sut),
          client_upload: r() < 0.2 ? 'null' : String(time() - sut),
          $insert_id: r() < 0.5 ? 'null' : JSON.stringify(text()),
          event_id: r() < 0.5 ? 'null' : String(Math.floor(r() * 1e12)),
          groups: r() < 0.6 ? 'null' : dict(),
        }),
      };
      const plainId = await store(values);
      const plain = await lines(plainId);
      if (plain.rendered !== plain.oracle) {
        let i = 0;
        while (plain.rendered[i] === plain.oracle[i]) i++;
        expect(plain.rendered.slice(i - 60, i + 60), `row ${k}`).toBe(plain.oracle.slice(i - 60, i + 60));
      }
      const packed = packProperties(props);
      if (typeof packed !== 'string') {
        // the line is the same whichever way the properties were kept
        const compressed = await rendered(await store({ ...values, event_properties: packed, rec: sameId(values.rec as string, plainId) }));
        expect(compressed).toBe(plain.rendered);
        compressedRows++;
      }
    }
    expect(compressedRows).toBeGreaterThan(100);
  });

  it('prints REAL values as SQLite does', async () => {
    for (const x of [
      48.8,
      48,
      0.1 + 0.2,
      1e21,
      1e-7,
      123456789012345678,
      -0,
      1e100,
      5e-324,
      1.7976931348623157e308,
      1e15,
      1e14,
      0.0001,
      123456789,
      1 + 1 / 32768,
    ]) {
      const [[oracle]] = await queryRows(database.db, 'select json_quote(cast(? as real))', [x]);
      expect(realJson(x), String(x)).toBe(oracle);
    }
  });
});
