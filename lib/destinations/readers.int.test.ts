// Files shaped for the readers, together (issue: date folders, event filters, Parquet): three
// connections of one project (flat JSON; date-folder JSON with a filter; date-folder Parquet) export
// the same hours to radosgw. DuckDB reads each with the UI's own snippet and gets the expected counts;
// the Parquet rows equal the JSON lines of the same hours, value for value; an overlapping export
// leaves every bucket byte-identical; a Parquet part is previewed as its lines.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBTimestampValue } from '@duckdb/node-api';
import { gunzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { getBytes, listKeys, newBucket, snapshot } from '../../test/support/rgw';
import { freshSeeded, type Seed } from '../../test/support/seed';
import type { Database } from '../db/client';
import { PARQUET_COLUMNS } from '../export/files/parquet';
import { startBackfill } from '../jobs/backfill';
import { tick } from '../jobs/tick';
import { floorHour, HOUR_MS } from '../util/hours';
import { parseEventFilter } from './fields';
import { filesOfHour, previewFile, snippetsFor } from './files';

const H = floorHour(Date.now()) - 4 * HOUR_MS;
const FOLDERS = '{project}/{kind}/dt={date}/hour={HH}/';
const config = testConfig({ partBytes: 40_000 });
let database: Database;
let seed: Seed;
const conns = {} as Record<'flat' | 'filtered' | 'parquet', { id: number; bucket: string }>;

const db = () => database.db;
const destRow = async (id: number) => (await db().query.destinations.findFirst({ where: (d, { eq }) => eq(d.id, id) }))!;

/** The bucket's files on disk, as they are in the bucket, and the UI's DuckDB snippet over them. */
async function duckdbOf(name: keyof typeof conns) {
  const { id, bucket } = conns[name];
  const dir = mkdtempSync(join(tmpdir(), `spillway-readers-${name}-`));
  for (const key of await listKeys(bucket)) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), await getBytes(bucket, key));
  }
  const { duckdb } = await snippetsFor(db(), await destRow(id));
  const sql = duckdb.split('\n').slice(1).join('\n').replace(`s3://${bucket}/`, `${dir}/`);
  return { sql, from: /FROM (read_\w+\(.*\))/.exec(sql)![1] };
}

beforeAll(async () => {
  ({ database, seed } = await freshSeeded('readers'));
  await ingestAt(db(), seed.project.apiKey!, sampleEvents(150, 'r0'), H + 60_000);
  await ingestAt(db(), seed.project.apiKey!, sampleEvents(40, 'r1'), H + HOUR_MS + 60_000);
  const make = async (name: keyof typeof conns, o: Record<string, unknown>) => {
    const bucket = await newBucket(`readers-${name}`);
    conns[name] = { id: (await rgwDestination(db(), { orgId: seed.org.id, projectId: seed.project.id, bucket, ...o }, H - HOUR_MS)).id, bucket };
  };
  await make('flat', {});
  await make('filtered', { keyFolders: FOLDERS, eventFilter: parseEventFilter({ mode: 'exclude', types: ['Song*'] }) });
  await make('parquet', { keyFolders: FOLDERS, fileFormat: 'parquet' });
  expect((await tick(db(), config, { budgetMs: 120_000 })).failed).toBe(0);
});
afterAll(() => database?.close());

it("DuckDB reads each connection with the UI's snippet and gets the expected counts", async () => {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const counts = async (name: keyof typeof conns) =>
    Object.fromEntries((await conn.runAndReadAll((await duckdbOf(name)).sql)).getRows().map((r) => [String(r[0]), Number(r[1])]));
  const all = await counts('flat');
  expect(Object.values(all).reduce((a, b) => a + b, 0)).toBe(190);
  const { 'Song Played': _songs, ...rest } = all;
  expect(await counts('filtered')).toEqual(rest);
  expect(await counts('parquet')).toEqual(all);
  const parquetKeys = (await listKeys(conns.parquet.bucket)).filter((k) => k.endsWith('.parquet'));
  expect(parquetKeys.length).toBeGreaterThan(2);
  for (const k of parquetKeys)
    expect(k).toMatch(new RegExp(`^${seed.project.id}/events/dt=[0-9-]+/hour=[0-9]{2}/${seed.project.id}_[0-9-]+_[0-9]+#[0-9]+\\.parquet$`));
});

it('the Parquet rows equal the JSON lines of the same hours, value for value', async () => {
  // the JSON lines as exported (gunzipped here), and the Parquet rows as DuckDB reads them
  const lines = new Map<string, Record<string, unknown>>();
  for (const key of (await listKeys(conns.flat.bucket)).filter((k) => k.includes(`${seed.project.id}_`)))
    for (const l of strFromU8(gunzipSync(await getBytes(conns.flat.bucket, key)))
      .split('\n')
      .filter(Boolean)) {
      const o = JSON.parse(l) as Record<string, unknown>;
      lines.set(o.uuid as string, o);
    }
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const rows = (await conn.runAndReadAll(`SELECT * FROM ${(await duckdbOf('parquet')).from}`)).getRowObjects();
  expect(rows).toHaveLength(lines.size);
  const asLine = (type: string, v: unknown): unknown => {
    if (v === null) return null;
    if (type === 'TIMESTAMP') return new Date(Number((v as DuckDBTimestampValue).micros / 1000n)).toISOString().replace('T', ' ').replace('Z', '000');
    if (type === 'INT64') return Number(v);
    if (type === 'JSON') return JSON.parse(String(v));
    return v;
  };
  for (const r of rows) {
    const line = lines.get(r.uuid as string)!;
    expect(line).toBeDefined();
    for (const c of PARQUET_COLUMNS) expect([c.key, asLine(c.type, r[c.name])]).toEqual([c.key, line[c.key]]);
  }
});

it('an overlapping export leaves every bucket byte-identical', async () => {
  const before = await Promise.all(Object.values(conns).map((c) => snapshot(c.bucket)));
  for (const c of Object.values(conns)) await startBackfill(db(), config, { destinationId: c.id, from: H - 2 * HOUR_MS, to: H + 2 * HOUR_MS });
  await tick(db(), config, { budgetMs: 120_000 });
  expect(await Promise.all(Object.values(conns).map((c) => snapshot(c.bucket)))).toEqual(before);
});

it('a Parquet part is previewed as the lines it holds', async () => {
  const d = await destRow(conns.parquet.id);
  const [first] = (await filesOfHour(db(), d.id, H)).filter((f) => f.kind === 'events');
  const preview = await previewFile(db(), d, first.key, config.s3);
  expect(preview.lines.length).toBeGreaterThan(0);
  expect(Object.keys(preview.lines[0]).sort()).toEqual(PARQUET_COLUMNS.map((c) => c.key).sort());
  expect(preview.lines[0]).toMatchObject({ server_upload_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/) });
  expect(typeof preview.lines[0].event_properties).toBe('object');
});
