import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../db/client';
import { dedupeHash } from '../db/dedupe-key';
import * as s from '../db/schema';
import { freshDatabase } from '../../test/support/db';
import { DEDUPE_WINDOW_MS, pruneInsertIds } from './dedupe';

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
