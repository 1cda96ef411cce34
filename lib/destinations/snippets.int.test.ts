// "Read the files" snippets run as pasted (issue: the AWS CLI's merged-ID line failed, its hour was made
// up, grep and the Snowflake pattern took merged-ID and other projects' files, Athena refused the `$`
// column names). A real hour is exported to radosgw; the AWS CLI lines run in a shell against it, the
// DuckDB query runs over the downloaded files, and the Snowflake pattern and Athena DDL are checked.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { gunzipSync, gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/db';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { adminS3, getBytes, listKeys, newBucket, rgwEnv } from '../../test/support/rgw';
import { seedOrg } from '../../test/support/seed';
import type { Database } from '../db/client';
import { floorHour, HOUR_MS } from '../util/hours';
import { tick } from '../jobs/tick';
import { snippetsFor } from './files';

const H = floorHour(Date.now()) - 2 * HOUR_MS;
let database: Database;
let bucket: string;
let snippets: Awaited<ReturnType<typeof snippetsFor>>;
let projectId: number;
let orgId: number;
let eventKeys: string[];
const decoy = () => `p/${projectId}1_${new Date(H).toISOString().slice(0, 10)}_3#1.json.gz`;

beforeAll(async () => {
  database = await freshDatabase();
  const seed = await seedOrg(database.db, 'snip');
  [projectId, orgId] = [seed.project.id, seed.org.id];
  await ingestAt(database.db, seed.project.apiKey!, [{ device_id: 'snip-device-A', user_id: 'snip-user', event_type: 'login' }], H + 1000);
  await ingestAt(database.db, seed.project.apiKey!, [{ device_id: 'snip-device-B', event_type: 'anon' }], H + 2000);
  await ingestAt(database.db, seed.project.apiKey!, [{ device_id: 'snip-device-B', user_id: 'snip-user', event_type: 'merge' }], H + 3000);
  await ingestAt(database.db, seed.project.apiKey!, sampleEvents(40, 'snip'), H + 4000);
  bucket = await newBucket('snippets');
  const dest = await rgwDestination(database.db, { orgId, projectId, bucket, prefix: 'p/', exportMerged: true });
  await tick(database.db, testConfig({ partBytes: 20_000 }), { budgetMs: 60_000 });
  // another project's file whose name ends like this one's: no snippet may take it
  await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: decoy(), Body: gzipSync(new TextEncoder().encode('{"event_type":"not ours"}\n')) }));
  eventKeys = (await listKeys(bucket)).filter((k) => k.startsWith(`p/${projectId}_`));
  expect(eventKeys.length).toBeGreaterThan(1);
  snippets = await snippetsFor(database.db, dest);
});
afterAll(() => database?.close());

const lines = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));

describe('the snippets, as pasted', () => {
  it('AWS CLI: lists this project’s event files only, prints an exported file, and saves a merged-ID file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spillway-snippet-'));
    const e = rgwEnv();
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: e.user1.accessKeyId,
      AWS_SECRET_ACCESS_KEY: e.user1.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      PATH: `/usr/bin:${process.env.PATH}`,
    };
    const [ls, cp, getObject] = lines(snippets.awsCli);
    const run = (line: string) => execFileSync('bash', ['-c', line], { cwd: dir, env, encoding: 'utf8' });
    const listed = run(ls)
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).at(-1));
    expect(listed.sort()).toEqual(eventKeys.map((k) => k.slice(2)).sort());
    const head = run(cp).trim().split('\n');
    expect(head).toHaveLength(3);
    for (const l of head) expect(JSON.parse(l)).toHaveProperty('event_type');
    run(getObject);
    const saved = readdirSync(dir).filter((f) => f.startsWith('-'));
    expect(saved).toEqual([`-${orgId}_${new Date(H).toISOString().slice(0, 10)}_${new Date(H).getUTCHours()}.json.gz`]);
    expect(JSON.parse(new TextDecoder().decode(gunzipSync(readFileSync(join(dir, saved[0])))).split('\n')[0])).toHaveProperty('merged_amplitude_id');
  });

  it('DuckDB: counts the events of the downloaded files, and of nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spillway-duckdb-'));
    for (const key of await listKeys(bucket)) {
      mkdirSync(dirname(join(dir, key)), { recursive: true });
      writeFileSync(join(dir, key), await getBytes(bucket, key));
    }
    // the same query over the files downloaded as they are in the bucket (httpfs would need the internet)
    const sql = snippets.duckdb.split('\n').slice(1).join('\n').replace(`s3://${bucket}/`, `${dir}/`);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (await db.runAndReadAll(sql)).getRows();
    expect(rows.reduce((n, r) => n + Number(r[1]), 0)).toBe(43);
    expect(rows.map((r) => r[0])).not.toContain('not ours');
  });

  it("Snowflake: the pattern takes this project's event files, not merged-ID files nor another project's", async () => {
    const pattern = new RegExp(`^${/PATTERN = '([^']+)'/.exec(snippets.snowflake)![1]}$`);
    const all = await listKeys(bucket);
    expect(all.filter((k) => pattern.test(k)).sort()).toEqual([...eventKeys].sort());
    expect(all.some((k) => k.includes(`-${orgId}_`))).toBe(true);
    expect(pattern.test(decoy())).toBe(false);
  });

  it('Athena: every column has a name Athena allows; the $ keys are mapped', () => {
    const columns = [...snippets.athena.matchAll(/^ {2}`([^`]+)` \w+/gm)].map((m) => m[1]);
    expect(columns.length).toBe(55);
    for (const c of columns) expect(c).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(snippets.athena).toContain("'mapping.insert_id' = '$insert_id'");
    expect(snippets.athena).toContain("'mapping.schema_version' = '$schema'");
  });
});
