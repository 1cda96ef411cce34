// Date folders (issue: readers scan the whole prefix): two connections of one project, Amplitude's flat
// names and `{project}/{kind}/dt={date}/hour={HH}/`, export the same hours to radosgw. The folder one
// keeps merged IDs and manifests apart, DuckDB reads it with the UI's own snippet and hive
// partitions, the integrity check lists it by day, an overlapping export leaves it byte-identical,
// and a change of layout leaves the files already written where they are.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { adminS3, getBytes, listKeys, newBucket, snapshot } from '../../test/support/rgw';
import { freshSeeded, type Seed } from '../../test/support/seed';
import type { Database } from '../db/client';
import { startBackfill } from '../jobs/backfill';
import { checkIntegrity } from '../jobs/integrity';
import { tick } from '../jobs/tick';
import { floorHour, hourParts, HOUR_MS } from '../util/hours';
import { snippetsFor } from './files';
import { updateSettings } from './settings';

const H = floorHour(Date.now()) - 3 * HOUR_MS;
const FOLDERS = '{project}/{kind}/dt={date}/hour={HH}/';
const config = testConfig({ partBytes: 30_000 });
let database: Database;
let seed: Seed;
let flat: { id: number; bucket: string };
let dated: { id: number; bucket: string };

const db = () => database.db;
const destRow = async (id: number) => (await db().query.destinations.findFirst({ where: (d, { eq }) => eq(d.id, id) }))!;
const folderOf = (hour: number, kind = 'events') => {
  const { date, h } = hourParts(hour);
  return `${seed.project.id}/${kind}/dt=${date}/hour=${String(h).padStart(2, '0')}/`;
};

beforeAll(async () => {
  ({ database, seed } = await freshSeeded('layout'));
  const key = seed.project.apiKey!;
  await ingestAt(db(), key, sampleEvents(80, 'h0'), H + 60_000);
  // a user seen on a device, then an anonymous one, then signed in there: one merge of amplitude ids
  await ingestAt(db(), key, [{ device_id: 'layout-dev-A', user_id: 'layout-user', event_type: 'a' }], H + HOUR_MS + 1000);
  await ingestAt(db(), key, [{ device_id: 'layout-dev-B', event_type: 'b' }], H + HOUR_MS + 2000);
  await ingestAt(db(), key, [{ device_id: 'layout-dev-B', user_id: 'layout-user', event_type: 'c' }], H + HOUR_MS + 3000);
  const make = async (name: string, keyFolders: string | null) => {
    const bucket = await newBucket(name);
    const d = await rgwDestination(
      db(),
      { orgId: seed.org.id, projectId: seed.project.id, bucket, prefix: 'amp/', exportMerged: true, keyFolders },
      H - HOUR_MS,
    );
    return { id: d.id, bucket };
  };
  flat = await make('layout-flat', null);
  dated = await make('layout-dated', FOLDERS);
  expect((await tick(db(), config, { budgetMs: 60_000 })).failed).toBe(0);
});
afterAll(() => database?.close());

it("writes Amplitude's file names in the hour's folders, merged IDs and manifests apart", async () => {
  const flatKeys = await listKeys(flat.bucket, '', { manifests: true });
  const keys = await listKeys(dated.bucket, '', { manifests: true });
  expect(keys).toHaveLength(flatKeys.length);
  const names = (ks: string[]) => ks.map((k) => k.split('/').at(-1)).sort();
  expect(names(keys)).toEqual(names(flatKeys));
  const parts = keys.filter((k) => k.startsWith(`amp/${folderOf(H)}`));
  expect(parts.length).toBeGreaterThan(1);
  for (const k of parts) expect(k).toMatch(new RegExp(`^amp/${folderOf(H)}${seed.project.id}_[0-9-]+_[0-9]+#[0-9]+\\.json\\.gz$`));
  expect(keys).toContain(`amp/${folderOf(H + HOUR_MS, 'merged_ids')}-${seed.org.id}_${hourParts(H + HOUR_MS).date}_${hourParts(H + HOUR_MS).h}.json.gz`);
  expect(keys).toContain(`amp/_spillway/manifests/${folderOf(H)}${seed.project.id}_${hourParts(H).date}_${hourParts(H).h}.json`);
  // the same bytes as the flat connection's files of the hour
  for (const k of parts)
    expect(Buffer.from(await getBytes(dated.bucket, k)).equals(Buffer.from(await getBytes(flat.bucket, `amp/${k.split('/').at(-1)}`)))).toBe(true);
});

it("is read by DuckDB with the UI's snippet, its dt and hour folders as columns", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spillway-layout-'));
  for (const key of await listKeys(dated.bucket)) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), await getBytes(dated.bucket, key));
  }
  const { duckdb } = await snippetsFor(db(), await destRow(dated.id));
  const sql = duckdb.split('\n').slice(1).join('\n').replace(`s3://${dated.bucket}/`, `${dir}/`);
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const rows = (await conn.runAndReadAll(sql)).getRows();
  expect(rows.reduce((n, r) => n + Number(r[1]), 0)).toBe(83);
  const from = /FROM (read_json\(.*\))/.exec(sql)![1];
  const hours = (await conn.runAndReadAll(`SELECT dt::VARCHAR, hour::VARCHAR, count(*) FROM ${from} GROUP BY ALL ORDER BY 2`)).getRows();
  expect(hours.map((r) => [String(r[0]), String(r[1]).padStart(2, '0'), Number(r[2])])).toEqual([
    [hourParts(H).date, String(hourParts(H).h).padStart(2, '0'), 80],
    [hourParts(H + HOUR_MS).date, String(hourParts(H + HOUR_MS).h).padStart(2, '0'), 3],
  ]);
});

it('is checked by day, and a missing part is found and written again', async () => {
  expect((await checkIntegrity(db(), config, await destRow(dated.id), 2)).issues).toEqual([]);
  const victim = (await listKeys(dated.bucket)).find((k) => k.startsWith(`amp/${folderOf(H)}`) && k.endsWith('#1.json.gz'))!;
  const before = await snapshot(dated.bucket);
  await adminS3().send(new DeleteObjectCommand({ Bucket: dated.bucket, Key: victim }));
  const report = await checkIntegrity(db(), config, await destRow(dated.id), 2);
  expect(report.issues.map((i) => [i.hour, i.problem])).toEqual([[H, 'part 1 is missing']]);
  await tick(db(), config, { budgetMs: 60_000 });
  expect(await snapshot(dated.bucket)).toEqual(before);
});

it('an overlapping export of the same hours leaves the bucket byte-identical', async () => {
  const before = await snapshot(dated.bucket);
  await startBackfill(db(), config, { destinationId: dated.id, from: H - HOUR_MS, to: H + 2 * HOUR_MS });
  await startBackfill(db(), config, { destinationId: dated.id, from: H, to: H + 2 * HOUR_MS });
  await tick(db(), config, { budgetMs: 60_000 });
  expect(await snapshot(dated.bucket)).toEqual(before);
});

it('a new layout applies to the hours exported next; the files already written stay', async () => {
  const before = await listKeys(flat.bucket, '', { manifests: true });
  await expect(updateSettings(db(), seed.org.id, flat.id, { keyFolders: 'dt={date}/hour={HH}/' })).rejects.toThrow(/\{kind\}/);
  await updateSettings(db(), seed.org.id, flat.id, { keyFolders: FOLDERS });
  await startBackfill(db(), config, { destinationId: flat.id, from: H, to: H + HOUR_MS });
  await tick(db(), config, { budgetMs: 60_000 });
  const after = await listKeys(flat.bucket, '', { manifests: true });
  for (const k of before) expect(after).toContain(k);
  const moved = after.filter((k) => !before.includes(k));
  expect(moved.length).toBeGreaterThan(1);
  // events' parts and manifest, and the manifest of the hour's (empty) merged IDs
  for (const k of moved) expect([folderOf(H), folderOf(H, 'merged_ids')].some((f) => k.includes(f))).toBe(true);
});
