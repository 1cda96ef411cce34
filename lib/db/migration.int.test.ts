// Migration 0007 on a database written by the releases before it: events (49 columns) become compact
// rows, and every event still exports the same bytes; insert ids keep deduplicating; devices keep their
// amplitude_id. Old rows are made as the old ingestion made them.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { expect, it } from 'vitest';
import { freshDbUrl } from '../../test/support/db';
import { oracleSql } from '../../test/support/oracle';
import { LINE_SELECT, renderLine, rowPosition } from '../export/files/render';
import { ingest } from '../ingest/ingest';
import { Throttle } from '../ingest/throttle';
import { validateRequest, type ValidRequest } from '../ingest/validate';
import { queryRows } from './bulk';
import { openDatabase } from './client';
import { LocalClient } from './local-client';
import * as schema from './schema';
import type { Db } from './types';

/** A migrations folder that stops before `tag`. */
function migrationsBefore(tag: string): string {
  const dir = resolve('.tmp/migrations-before-' + tag);
  mkdirSync(dir, { recursive: true });
  cpSync(resolve('drizzle'), dir, { recursive: true });
  const journal = JSON.parse(readFileSync(`${dir}/meta/_journal.json`, 'utf8'));
  journal.entries = journal.entries.slice(
    0,
    journal.entries.findIndex((e: { tag: string }) => e.tag === tag),
  );
  writeFileSync(`${dir}/meta/_journal.json`, JSON.stringify(journal));
  return dir;
}

const OLD_COLUMNS = `project_id, event_id, uuid, event_type, amplitude_event_type, amplitude_id, user_id, device_id, session_id, insert_id,
  server_received_time, server_upload_time, processed_time, client_upload_time, client_event_time, event_time, user_creation_time,
  version_name, start_version, platform, os_name, os_version, device_brand, device_manufacturer, device_model, device_family, device_type,
  device_carrier, country, region, city, dma, language, location_lat, location_lng, ip_address, library, idfa, adid, paying,
  is_attribution_event, amplitude_attribution_ids, event_properties, user_properties, groups, group_properties, data`;

it('keeps every event exporting the same bytes, and insert ids and devices working', async () => {
  const url = freshDbUrl();
  const path = url.slice('file:'.length);
  // the database as the release before 0007 left it
  const oldClient = new LocalClient(path, 250);
  const oldDb = drizzle(oldClient, { schema }) as unknown as Db;
  await migrate(oldDb, { migrationsFolder: migrationsBefore('0007_compact_events') });
  // the old schema's own columns (today's drizzle schema has more)
  await oldClient.execute("insert into organizations (id, name) values (1, 'old inc')");
  await oldClient.execute("insert into projects (id, org_id, name, api_key) values (1, 1, 'old project', 'old-api-key-0123456789')");
  const project = { id: 1, apiKey: 'old-api-key-0123456789' };

  let seed = 7;
  const r = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const text = () => pick(['a', 'Zé', 'x"y', 'tab\there', '\u0001', '中文', '😀', 'nul\u0000in']);
  const base = Date.UTC(2026, 10, 20, 10);
  const paths = ['/2/httpapi', '/batch', '/', '/httpapi'];
  for (let i = 0; i < 300; i++) {
    const received = base + Math.floor(r() * 3_600_000);
    const upload = received + Math.floor(r() * 50);
    const eventTime = received - Math.floor(r() * 1e6);
    const data: Record<string, unknown> = { path: pick(paths) };
    if (r() < 0.3) data.first_event = true;
    if (r() < 0.3) data.user_properties_updated = true;
    if (r() < 0.1) data.merged_amplitude_id = 5 + i;
    data.group_first_event = {};
    data.group_ids = {};
    const eventType = pick(['Page Viewed', '$identify', text()]);
    const values = [
      project.id,
      r() < 0.5 ? i + 1 : 1_000_000 + i,
      crypto.randomUUID(),
      eventType,
      eventType.startsWith('$') ? eventType : null,
      100 + i,
      r() < 0.2 ? null : `user-${text()}-${i}`,
      `device-${text()}-${i}`,
      pick([-1, 1_700_000_000_000 + i]),
      r() < 0.5 ? null : `ins-${i}`,
      received,
      upload,
      upload,
      received - Math.floor(r() * 100),
      eventTime,
      eventTime,
      eventTime - Math.floor(r() * 1e9),
      r() < 0.5 ? null : '5.1.0',
      null,
      pick([null, 'Web', 'iOS']),
      pick([null, 'Chrome']),
      pick([null, '131.0.0']),
      null,
      r() < 0.5 ? null : 'Apple',
      pick([null, 'iPhone16,2', text()]),
      null,
      null,
      r() < 0.8 ? null : 'Orange',
      pick([null, 'France', text()]),
      pick([null, 'Île-de-France']),
      pick([null, 'Paris']),
      null,
      pick([null, 'fr-FR']),
      r() < 0.5 ? null : 48.85 + r(),
      r() < 0.5 ? null : 2 + r(),
      pick([null, '203.0.113.9']),
      pick([null, 'amplitude-ts/2.0']),
      null,
      null,
      pick([null, 1, 0]),
      pick([null, 1, 0]),
      null,
      JSON.stringify(pick([{}, { a: 1, s: text() }, { note: 'x'.repeat(300) }])),
      JSON.stringify(pick([{}, { plan: 'pro' }])),
      JSON.stringify(pick([{}, { company: 'Acme' }])),
      JSON.stringify(pick([{}, { company: { Acme: { size: 50 } } }])),
      JSON.stringify(data),
    ];
    await oldClient.execute({ sql: `insert into events (${OLD_COLUMNS}) values (${values.map(() => '?').join(', ')})`, args: values as never });
  }
  // a device that logged in, and an insert id seen an hour ago
  await oldClient.execute({
    sql: 'insert into amplitude_users (amplitude_id, project_id, user_id, created_time) values (100, ?, ?, ?)',
    args: [project.id, 'alice', base],
  });
  await oldClient.execute({
    sql: "insert into devices (project_id, device_id, amplitude_id, last_user_id) values (?, 'dev-alice', 100, 'alice')",
    args: [project.id],
  });
  await oldClient.execute({
    sql: "insert into insert_ids (project_id, id_key, insert_id, seen_at) values (?, 'd:dev-alice', 'seen-1', ?)",
    args: [project.id, Date.now() - 3_600_000],
  });
  const before = await oldDb
    .select({ id: schema.events.id, line: oracleSql })
    .from(schema.events)
    .orderBy(sql`${schema.events.id}`);
  oldClient.close();

  const { db, close } = await openDatabase({ url });
  try {
    const rows = await queryRows(db, `select ${LINE_SELECT} from event_rows order by id`, []);
    expect(rows.map((row) => ({ id: rowPosition(row).id, line: renderLine(row) }))).toEqual(before);
    // the view still presents the old columns
    const again = await db
      .select({ id: schema.events.id, line: oracleSql })
      .from(schema.events)
      .orderBy(sql`${schema.events.id}`);
    expect(again).toEqual(before);
    expect(await db.select().from(schema.devices)).toEqual([{ projectId: project.id, deviceId: 'dev-alice', amplitudeId: 100 }]);

    // the old insert id still drops its duplicate; the device still belongs to alice
    const send = (events: Record<string, unknown>[]) =>
      ingest(db, validateRequest({ api_key: project.apiKey, events }, 10) as ValidRequest, {
        path: '/batch',
        receivedAt: Date.now(),
        ip: null,
        payloadBytes: 1,
        throttle: new Throttle(),
      });
    await send([
      { device_id: 'dev-alice', event_type: 'again', insert_id: 'seen-1' },
      { device_id: 'dev-alice', event_type: 'new', insert_id: 'seen-2' },
    ]);
    const added = await db
      .select()
      .from(schema.events)
      .where(sql`${schema.events.id} > 300`);
    expect(added.map((e) => [e.eventType, e.amplitudeId])).toEqual([['new', 100]]);
    // the converted key where it was put, the new one in the first level (lib/ingest/dedupe.ts)
    expect(await db.select({ n: sql<number>`count(*)` }).from(schema.insertIds)).toEqual([{ n: 1 }]);
    expect(await db.select({ n: sql<number>`count(*)` }).from(schema.dedupeL0)).toEqual([{ n: 1 }]);
  } finally {
    close();
  }
});
