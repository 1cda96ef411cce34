import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../db/client';
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
    { projectId: 1, idKey: 'd:a', insertId: 'old', seenAt: now - DEDUPE_WINDOW_MS - 1 },
    { projectId: 1, idKey: 'd:a', insertId: 'recent', seenAt: now - DEDUPE_WINDOW_MS + 60_000 },
  ]);
  await pruneInsertIds(database.db, now);
  expect((await database.db.select().from(s.insertIds)).map((r) => r.insertId)).toEqual(['recent']);
});
