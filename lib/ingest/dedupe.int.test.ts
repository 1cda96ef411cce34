import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { createClient } from '@libsql/client';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '../db/types';
import type { Database } from '../db/client';
import { dedupeHash } from '../db/dedupe-key';
import * as s from '../db/schema';
import { freshDatabase } from '../../test/support/db';
import { DEDUPE_LEVELS, DEDUPE_WINDOW_MS, pruneInsertIds, settleDedupeLevels } from './dedupe';
import { writeTx } from '../db/write';
import { seedOrg } from '../../test/support/seed';
import { ingestAt } from '../../test/support/engine';

let database: Database;
beforeEach(async () => {
  database = await freshDatabase();
});
afterEach(() => database.close());

it('pruning forgets insert ids past the dedupe window and keeps the others', async () => {
  const now = Date.now();
  await database.db.insert(s.insertIds).values([
    { projectId: 1, key: dedupeHash('d:a', 'old'), seenAt: now - DEDUPE_WINDOW_MS - 1 },
    { projectId: 1, key: dedupeHash('d:a', 'recent'), seenAt: now - DEDUPE_WINDOW_MS + 60_000 },
  ]);
  await pruneInsertIds(database.db, now);
  expect((await database.db.select().from(s.insertIds)).map((r) => Buffer.from(r.key).toString('hex'))).toEqual([
    Buffer.from(dedupeHash('d:a', 'recent')).toString('hex'),
  ]);
});

it('prunes a step at a time across projects, each expired key once', async () => {
  const now = Date.now();
  const old = now - DEDUPE_WINDOW_MS - 1;
  const rows = [];
  for (const projectId of [1, 2, 3])
    for (let i = 0; i < 25; i++) rows.push({ projectId, key: dedupeHash(`d:${i}`, `id-${i}`), seenAt: i % 3 === 0 ? now : old });
  await database.db.insert(s.insertIds).values(rows);
  const expired = rows.filter((r) => r.seenAt === old).length;
  // steps of 4 keys: every step boundary crossed, within a project and between projects
  expect(await pruneInsertIds(database.db, now, 4)).toBe(expired);
  const left = await database.db.select().from(s.insertIds);
  expect(left).toHaveLength(rows.length - expired);
  expect(left.every((r) => r.seenAt === now)).toBe(true);
  expect(await pruneInsertIds(database.db, now, 4)).toBe(0);
});

// the levels (issue: at 3 million keys in one table every new key dirtied a page of its own)
const keyCount = async (table: string) => Number((await database.client.execute(`select count(*) from ${table}`)).rows[0][0]);
const levelCounts = async () => (await database.db.select().from(s.dedupeLevels).orderBy(s.dedupeLevels.level)).map((r) => r.keys);

it('finds a key seen in the window in any level, and only there', async () => {
  const now = Date.now();
  const seed = await seedOrg(database.db, 'levels');
  const events = (ids: string[]) => ids.map((id) => ({ device_id: 'device-1', event_type: 'view', insert_id: id }));
  const send = (ids: string[]) => ingestAt(database.db, seed.project.apiKey!, events(ids), now);
  // one key in each level, put there as the moves would
  for (const [i, table] of DEDUPE_LEVELS.entries())
    await database.client.execute({
      sql: `insert into ${table} (project_id, key, seen_at) values (?, ?, ?)`,
      args: [seed.project.id, dedupeHash('d:device-1', `in-${i}`), now - 60_000],
    });
  // and one in the last level past the window: new again, remembered in the first level
  await database.client.execute({
    sql: 'insert into dedupe_ids (project_id, key, seen_at) values (?, ?, ?)',
    args: [seed.project.id, dedupeHash('d:device-1', 'expired'), now - DEDUPE_WINDOW_MS - 1],
  });
  const r = await send(['in-0', 'in-1', 'in-2', 'in-3', 'expired', 'new']);
  expect(r.status).toBe(200);
  const stored = await database.db.select({ rec: s.eventRows.rec }).from(s.eventRows);
  expect(stored).toHaveLength(2);
  expect(await keyCount('dedupe_l0')).toBe(3);
  expect(await levelCounts()).toEqual([2, 0, 0]);
});

it('moves a level past its size to the next a sorted chunk at a time, every key kept once with its latest time', async () => {
  const now = Date.now();
  const keys = Array.from({ length: 40 }, (_, i) => dedupeHash('d:x', `k${i}`));
  // ten keys already in level 1, five of them seen again later (in level 0 too, with the later time)
  await database.db.insert(s.dedupeL1).values(keys.slice(0, 10).map((key) => ({ projectId: 1, key, seenAt: now - 1000 })));
  await database.db.insert(s.dedupeL0).values(keys.slice(5).map((key) => ({ projectId: 1, key, seenAt: now })));
  await database.client.execute('update dedupe_levels set keys = 35 where level = 0');
  await database.client.execute('update dedupe_levels set keys = 10 where level = 1');
  const settle = () => writeTx(database.db, (tx) => settleDedupeLevels(tx, database.db.$client, [10, 20, 30], 8));
  // level 0 (35 keys) past 10 by 25: that many of its lowest keys move at once; then level 1 (35) past 20
  expect(await settle()).toBe(25);
  expect(await levelCounts()).toEqual([10, 35, 0]);
  expect(await settle()).toBe(15);
  expect(await levelCounts()).toEqual([10, 20, 15]);
  expect(await settle()).toBe(0);
  // a level further over than 4 chunks gives 4 a step
  await database.client.execute('update dedupe_levels set keys = 100 where level = 1');
  expect(await writeTx(database.db, (tx) => settleDedupeLevels(tx, database.db.$client, [10, 20, 30], 2))).toBe(8);
  await database.client.execute('update dedupe_levels set keys = 12 where level = 1');
  const all = async () => {
    const rows: { key: string; seenAt: number; table: string }[] = [];
    for (const table of DEDUPE_LEVELS)
      for (const r of (await database.client.execute(`select hex(key), seen_at from ${table}`)).rows)
        rows.push({ key: String(r[0]).toLowerCase(), seenAt: Number(r[1]), table });
    return rows;
  };
  const rows = await all();
  // 40 distinct keys, none lost; a key in two levels (seen again) is found with its latest time
  expect(new Set(rows.map((r) => r.key)).size).toBe(40);
  for (const key of keys.slice(5, 10)) {
    const copies = rows.filter((r) => r.key === Buffer.from(key).toString('hex'));
    expect(Math.max(...copies.map((c) => c.seenAt))).toBe(now);
  }
  expect(rows.filter((r) => r.table === 'dedupe_l0')).toHaveLength(10);
  expect(rows.filter((r) => r.table === 'dedupe_l2').length).toBeGreaterThanOrEqual(15);
  // the prune counts the levels again (the running counts drift by keys seen twice)
  await pruneInsertIds(database.db, now);
  expect(await levelCounts()).toEqual([await keyCount('dedupe_l0'), await keyCount('dedupe_l1'), await keyCount('dedupe_l2')]);
});

it('prunes expired keys from every level', async () => {
  const now = Date.now();
  for (const [i, table] of DEDUPE_LEVELS.entries())
    await database.client.execute({
      sql: `insert into ${table} (project_id, key, seen_at) values (1, ?, ?), (1, ?, ?)`,
      args: [dedupeHash('d:a', `old${i}`), now - DEDUPE_WINDOW_MS - 1, dedupeHash('d:a', `new${i}`), now],
    });
  expect(await pruneInsertIds(database.db, now)).toBe(4);
  for (const table of DEDUPE_LEVELS) expect(await keyCount(table)).toBe(1);
});

it('moves keys between levels the same way through a remote libSQL client', async () => {
  // @libsql/client on the same file takes the path a Turso URL takes (lib/db/bulk.ts)
  const client = createClient({ url: database.url });
  const remote = drizzle(client, { schema: s }) as unknown as Db;
  try {
    const now = Date.now();
    await database.db.insert(s.dedupeL0).values(Array.from({ length: 30 }, (_, i) => ({ projectId: 1, key: dedupeHash('d:r', `k${i}`), seenAt: now })));
    await database.client.execute('update dedupe_levels set keys = 30 where level = 0');
    expect(await writeTx(remote, (tx) => settleDedupeLevels(tx, client, [10, 20, 30], 8))).toBe(20);
    expect(await writeTx(remote, (tx) => settleDedupeLevels(tx, client, [10, 20, 30], 8))).toBe(0);
    expect(await keyCount('dedupe_l0')).toBe(10);
    expect(await keyCount('dedupe_l1')).toBe(20);
    // the next run starts after the last key moved
    const [level0] = await database.db.select().from(s.dedupeLevels).where(eq(s.dedupeLevels.level, 0));
    const moved = (await database.client.execute('select hex(key) from dedupe_l1 order by key desc limit 1')).rows[0][0];
    expect(Buffer.from(level0.afterKey).toString('hex').toUpperCase()).toBe(moved);
  } finally {
    client.close();
  }
});
