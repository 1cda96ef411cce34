// The dedupe filter of the large levels (lib/ingest/level-filter.ts) against a real file, with two
// database clients on it standing for two processes: it must never let a duplicate through.
import { resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client';
import * as schema from '../db/schema';
import type { Db } from '../db/types';
import { dedupeHash } from '../db/dedupe-key';
import { writeTx } from '../db/write';
import { freshDbUrl } from '../../test/support/db';
import { seedOrg } from '../../test/support/seed';
import { toHex } from '../util/hash';
import { dedupeFilter, DEDUPE_WINDOW_MS, keepDedupeFilter, keepNew, pruneInsertIds, settleDedupeLevels } from './dedupe';
import { groupWrite } from './group-commit';
import type { PreparedEvent } from './prepare';

let a: Database;
let b: Database;
let url: string;
let project: number;
const now = Date.now();
beforeEach(async () => {
  url = freshDbUrl();
  a = await openDatabase({ url, migrationsFolder: resolve('drizzle') });
  b = await openDatabase({ url, migrationsFolder: resolve('drizzle') });
  project = (await seedOrg(a.db, 'filter')).project.id;
});
afterEach(() => {
  a.close();
  b.close();
});

/** A process that comes to the file next: a client of its own for `fn` (a remote libSQL client: statements as JSON, reads through drizzle). */
async function nextProcess<T>(fn: (d: Database) => Promise<T>, remote = false): Promise<T> {
  if (remote) {
    const client = createClient({ url });
    try {
      return await fn({ db: drizzle(client, { schema }) as unknown as Db, client } as unknown as Database);
    } finally {
      client.close();
    }
  }
  const d = await openDatabase({ url, migrationsFolder: resolve('drizzle') });
  try {
    return await fn(d);
  } finally {
    d.close();
  }
}

const key = (id: string) => dedupeHash('d:device', id);
const events = (ids: string[]) => ids.map((id) => ({ dedupeKey: key(id) }) as PreparedEvent);
const count = async (d: Database, table: string) => Number((await d.client.execute(`select count(*) from ${table}`)).rows[0][0]);

/** The events of `ids` that client `d` keeps as new (remembering them), then its levels settled with tiny limits: every key ends in the large levels. */
async function send(d: Database, ids: string[], at = now): Promise<number> {
  return writeTx(d.db, async (tx) => {
    const kept = await keepNew(tx, d.client, project, events(ids), at);
    for (let i = 0; i < 4; i++) await settleDedupeLevels(tx, d.client, [0, 0, 0], 1_000);
    return kept.length;
  });
}
async function build(d: Database) {
  while (await writeTx(d.db, (tx) => dedupeFilter(d.client).step(tx, d.client, 7)));
}
const mayHold = (d: Database, ids: string[]) =>
  writeTx(d.db, (tx) =>
    dedupeFilter(d.client).mayHold(
      tx,
      d.client,
      ids.map((id) => toHex(key(id))),
    ),
  );
const ids = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}${i}`);
/** A client's first write transaction: it takes the filter a stopped process kept, if still exact. */
const begin = (d: Database) => writeTx(d.db, (tx) => dedupeFilter(d.client).begin(tx, d.client));

it('reads the large levels only for keys the filter may hold, and still finds every duplicate', async () => {
  expect(await send(a, ids('k', 40))).toBe(40);
  expect(await count(a, 'dedupe_l0')).toBe(0);
  expect(dedupeFilter(a.client).size).toBeNull();
  await build(a);
  expect(dedupeFilter(a.client).size).toBe(40);
  expect(await mayHold(a, ids('absent', 20))).toEqual([]);
  expect(await mayHold(a, ['k3', 'absent'])).toHaveLength(1);
  // keys this client moves down later are followed, no build needed
  expect(await send(a, ids('m', 10))).toBe(10);
  expect(dedupeFilter(a.client).size).toBe(50);
  expect(await send(a, [...ids('k', 40), ...ids('m', 10), 'new'])).toBe(1);
});

it('sets the filter aside when another process moves keys into the large levels', async () => {
  await send(a, ids('k', 20));
  await build(a);
  // b stands for another process: its keys reach the large levels without a's filter seeing them
  expect(await send(b, ids('b', 15))).toBe(15);
  expect(await mayHold(a, ['b0'])).toHaveLength(1);
  expect(dedupeFilter(a.client).size).toBeNull();
  expect(await send(a, ids('b', 15))).toBe(0);
  // built again, it holds b's keys too
  await build(a);
  expect(dedupeFilter(a.client).size).toBeGreaterThanOrEqual(35);
  expect(await mayHold(a, ['b7'])).toHaveLength(1);
});

it('sets the filter aside after a move of its own that rolled back', async () => {
  await send(a, ids('k', 20));
  await build(a);
  await expect(
    writeTx(a.db, async (tx) => {
      await keepNew(tx, a.client, project, events(ids('gone', 5)), now);
      for (let i = 0; i < 4; i++) await settleDedupeLevels(tx, a.client, [0, 0, 0], 1_000);
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  // the filter followed the move that is now undone: its token is not the file's any more
  expect(await mayHold(a, ['k1'])).toHaveLength(1);
  expect(dedupeFilter(a.client).size).toBeNull();
  expect(await send(a, ids('gone', 5))).toBe(5);
});

it('is built again after the prune forgot keys of the large levels, without them', async () => {
  await send(a, ids('old', 30), now - DEDUPE_WINDOW_MS - 60_000);
  await send(a, ids('k', 10));
  await build(a);
  expect(dedupeFilter(a.client).size).toBe(40);
  expect(await pruneInsertIds(a.db, now)).toBe(30);
  await mayHold(a, ['k1']);
  expect(dedupeFilter(a.client).size).toBeNull();
  await build(a);
  expect(dedupeFilter(a.client).size).toBe(10);
  expect(await send(a, [...ids('k', 10), ...ids('old', 3)])).toBe(3);
});

it('works the same through a remote libSQL client (statements as JSON, reads through drizzle)', async () => {
  await nextProcess(async (remote) => {
    expect(await send(remote, ids('r', 30))).toBe(30);
    await build(remote);
    expect(dedupeFilter(remote.client).size).toBe(30);
    expect(await mayHold(remote, ids('absent', 20))).toEqual([]);
    expect(await send(remote, [...ids('r', 30), 'new'])).toBe(1);
    // a's moves change the token the remote client's filter was built for
    expect(await send(a, ids('a', 9))).toBe(9);
    expect(await send(remote, ids('a', 9))).toBe(0);
    expect(dedupeFilter(remote.client).size).toBeNull();
  }, true);
});

it('is kept at a clean stop and taken by the next process on the file while the token holds', async () => {
  await send(a, ids('k', 40));
  expect(await keepDedupeFilter(a.db)).toBe(false);
  await build(a);
  expect(await keepDedupeFilter(a.db)).toBe(true);
  // the next process, here remote: the kept bytes come back through drizzle
  await nextProcess(async (next) => {
    await begin(next);
    expect(dedupeFilter(next.client).size).toBe(40);
    expect(await mayHold(next, ids('absent', 20))).toEqual([]);
    expect(await send(next, [...ids('k', 40), 'new'])).toBe(1);
    // kept through the remote client too (the bytes as hex in its JSON), and taken by the next one
    expect(await keepDedupeFilter(next.db)).toBe(true);
  }, true);
  await nextProcess(async (c) => {
    await begin(c);
    expect(dedupeFilter(c.client).size).toBe(41);
  });
});

it('is built again when the levels changed after it was kept', async () => {
  await send(a, ids('k', 20));
  await build(a);
  expect(await keepDedupeFilter(a.db)).toBe(true);
  // another process moves keys into the large levels: the kept filter misses them
  expect(await send(b, ids('b', 9))).toBe(9);
  await nextProcess(async (c) => {
    await begin(c);
    expect(dedupeFilter(c.client).size).toBeNull();
    await build(c);
    expect(dedupeFilter(c.client).size).toBe(29);
    expect(await send(c, [...ids('b', 9), ...ids('k', 20)])).toBe(0);
  });
});

it('is taken by a process whose first write moves keys into the large levels', async () => {
  await send(a, ids('k', 30));
  await build(a);
  expect(await keepDedupeFilter(a.db)).toBe(true);
  await nextProcess(async (c) => {
    // ingestion's write (lib/ingest/group-commit.ts): the kept filter is taken before the request's move
    await groupWrite(c.db, 5, { waitMs: 1_000 }, async (tx, at) => {
      await keepNew(tx, c.client, project, events(ids('n', 5)), at);
      for (let i = 0; i < 4; i++) await settleDedupeLevels(tx, c.client, [0, 0, 0], 1_000);
    });
    expect(dedupeFilter(c.client).size).toBe(35);
    expect(await count(c, 'dedupe_l0')).toBe(0);
    expect(await send(c, [...ids('k', 30), ...ids('n', 5), 'new'])).toBe(1);
  });
});
