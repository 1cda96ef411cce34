// $insert_id dedupe: an event whose (device, insert_id) was seen in the last 7 days, or earlier in the
// same request, is dropped. Amplitude keys it by device_id (user_id when the event has none). Each key
// is kept as 16 bytes of its SHA-256 (lib/ingest/prepare.ts dedupeKey). One read finds the request's keys
// seen inside the window (duplicates are rare: it mostly finds nothing), then the others are remembered
// as seen now: new, or seen before the window.
//
// The keys are random: they are kept in levels (lib/ingest/levels.ts), new keys in dedupe_l0, then l1,
// l2 and dedupe_ids, the largest. A read looks in every level, in the two large ones only for the keys a
// filter in memory may hold (lib/ingest/level-filter.ts), one filter per database client.
import { sql } from 'drizzle-orm';
import { queryRows, readRows, runRows } from '../db/bulk';
import type { Db, Tx } from '../db/types';
import { withWriteLock, writeTx } from '../db/write';
import { toHex } from '../util/hash';
import { yieldToEventLoop } from '../util/yield';
import { LevelFilter } from './level-filter';
import { everyLevel, LEVEL_CHUNK, recountLevels, renewFilterToken, settleLevels, type FilteredLevels } from './levels';
import type { PreparedEvent } from './prepare';

export const DEDUPE_WINDOW_MS = 7 * 24 * 3600_000;

/** The levels, newest and smallest first. */
export const DEDUPE_LEVELS = ['dedupe_l0', 'dedupe_l1', 'dedupe_l2', 'dedupe_ids'] as const;
/** Keys a level holds before it gives a chunk to the next (each 8 times the one before; the last has no limit). */
export const LEVEL_KEYS = [8_000, 64_000, 512_000];

const DEDUPE: FilteredLevels = {
  tables: DEDUPE_LEVELS,
  limits: LEVEL_KEYS,
  book: 'dedupe_levels',
  key: 'key',
  values: ['seen_at'],
  keyText: (column) => `hex(${column})`,
  keyParam: 'unhex(?)',
  // a key seen again after the window is in two levels: the latest time stays
  onConflict: 'seen_at = max(seen_at, excluded.seen_at)',
  filtered: 2,
};

const filters = new WeakMap<object, LevelFilter>();
/** The dedupe filter of a database client (its build starts with it). */
export function dedupeFilter(client: object): LevelFilter {
  let f = filters.get(client);
  if (!f) filters.set(client, (f = new LevelFilter(DEDUPE)));
  return f;
}

/** Keeps a client's dedupe filter in the database for the next process on the file (a clean stop); false when it has none exact now. */
export async function keepDedupeFilter(db: Db): Promise<boolean> {
  const f = filters.get(db.$client as object);
  return f ? writeTx(db, (tx) => f.keep(tx, db.$client)) : false;
}

// the keys travel as one JSON array of hex: one statement on every client (a read first and a plain
// upsert cost less than an upsert that returns the keys it wrote, measured); every level, one statement
const SEEN = everyLevel(DEDUPE, (t) => `select hex(key) from ${t} where project_id = ? and seen_at > ? and key in (select unhex(value) from json_each(?))`);

/** The events not seen before, in request order; their keys are remembered as seen now. */
export async function keepNew(tx: Tx, client: unknown, projectId: number, all: PreparedEvent[], now: number): Promise<PreparedEvent[]> {
  // a key twice in the request: the first stays, the others are dropped
  const firsts = new Map<string, PreparedEvent>();
  for (const e of all) {
    if (e.dedupeKey === null) continue;
    const k = toHex(e.dedupeKey);
    if (!firsts.has(k)) firsts.set(k, e);
  }
  if (firsts.size === 0) return all;
  const keys = [...firsts.keys()];
  const maybe = await dedupeFilter(client as object).mayHold(tx, client, keys);
  const since = now - DEDUPE_WINDOW_MS;
  const seen = await readRows(
    tx,
    client,
    SEEN.sql,
    SEEN.args((level) => [projectId, since, JSON.stringify(level < DEDUPE.filtered ? keys : maybe)]),
  );
  for (const [hex] of seen) firsts.delete((hex as string).toLowerCase());
  // a key seen before the window is seen again now (its old copy goes with the prune)
  await runRows(
    tx,
    client,
    DEDUPE.tables[0],
    ['project_id', 'key', 'seen_at'],
    [...firsts.values()].map((e) => [projectId, e.dedupeKey, now]),
    'on conflict (project_id, key) do update set seen_at = excluded.seen_at',
  );
  if (firsts.size > 0) await tx.run(sql`update ${sql.raw(DEDUPE.book)} set keys = keys + ${firsts.size} where level = 0`);
  const kept = new Set(firsts.values());
  return all.filter((e) => e.dedupeKey === null || kept.has(e));
}

/** One step of moving the keys down the levels (lib/ingest/levels.ts), in the caller's write transaction. */
export function settleDedupeLevels(tx: Tx, client: unknown, limits = LEVEL_KEYS, chunk = LEVEL_CHUNK): Promise<number> {
  return settleLevels(tx, client, DEDUPE, limits, chunk, dedupeFilter(client as object));
}

// keys read per step of the prune: a short read by primary key, outside the write lock (2,000: a writer waits
// at most ~25 ms behind a step, `npm run bench:prune`)
const PRUNE_STEP = 2_000;
const prunePage = (table: string) => `select project_id, hex(key), seen_at from ${table}
  where (project_id, key) > (?, unhex(?)) order by project_id, key limit ?`;
// deletes a project's listed keys that are still expired (one may have been seen again since it was
// read); by project and key, so each key is one seek of the primary key
const pruneDelete = (table: string) => `delete from ${table} where project_id = ? and key in (select unhex(value) from json_each(?)) and seen_at < ?`;

/**
 * Forgets insert ids older than the dedupe window (the scheduler runs it hourly). The table is walked
 * by its primary key a few thousand keys at a time, and each step's expired keys are deleted in a write
 * of their own: ingestion's writes go between them (one DELETE of millions of keys held the write lock
 * for seconds). Returns how many were forgotten.
 */
export async function pruneInsertIds(db: Db, now: number, step = PRUNE_STEP): Promise<number> {
  let forgotten = 0;
  let large = 0;
  for (const [level, table] of DEDUPE_LEVELS.entries()) {
    const n = await pruneLevel(db, table, now - DEDUPE_WINDOW_MS, step);
    forgotten += n;
    if (level >= DEDUPE.filtered) large += n;
  }
  // the filters of the large levels are built again without the keys gone, so they shrink with them
  if (large > 0) await renewFilterToken(db, DEDUPE);
  // the levels' sizes counted again: their running counts drift by the keys seen again after the window
  await recountLevels(db, DEDUPE);
  return forgotten;
}

async function pruneLevel(db: Db, table: string, cutoff: number, step: number): Promise<number> {
  let after: [number, string] = [-1, ''];
  let forgotten = 0;
  for (;;) {
    const rows = (await queryRows(db, prunePage(table), [...after, step])) as [number, string, number][];
    if (rows.length === 0) break;
    const expired = new Map<number, string[]>();
    for (const [project, hex, seenAt] of rows) {
      if (Number(seenAt) >= cutoff) continue;
      const keys = expired.get(Number(project));
      if (keys) keys.push(hex);
      else expired.set(Number(project), [hex]);
    }
    if (expired.size > 0) {
      forgotten += await withWriteLock(db, async () => {
        let n = 0;
        for (const [project, keys] of expired)
          n += (await db.$client.execute({ sql: pruneDelete(table), args: [project, JSON.stringify(keys), cutoff] })).rowsAffected;
        return n;
      });
    }
    const last = rows[rows.length - 1];
    after = [Number(last[0]), last[1]];
    if (rows.length < step) break;
    await yieldToEventLoop();
  }
  return forgotten;
}
