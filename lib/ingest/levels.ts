// Tables keyed by random values (dedupe hashes, device ids) kept in levels, so that they stay cheap to
// write as they grow. In one large index every new key dirties a page of its own: at 3 million dedupe
// keys 1,000 events wrote 5 MB of WAL (bench:scale). In levels, new rows go to a small first table, whose
// few pages a transaction's rows share; a level past its size moves a sorted chunk, per write
// transaction, into the next (each 8 times the one before), ending in the last and largest, where a
// chunk's rows fall on few pages as well: each row is written once per level, a few pages per thousand
// rows in all. A read looks in every level; a key in two levels takes the newer level's row
// (`onConflict` decides how a moved row meets it).
import { sql } from 'drizzle-orm';
import { readRows } from '../db/bulk';
import type { Db, Tx } from '../db/types';
import { withWriteLock } from '../db/write';

export interface Levels {
  /** the tables, newest and smallest first: (project_id, key column, value columns), the same key */
  tables: readonly string[];
  /** rows a level holds before it gives a chunk to the next (the last has no limit) */
  limits: readonly number[];
  /** (level, keys, after_project, after_key): each level's size, and where its next chunk starts */
  book: string;
  key: string;
  values: readonly string[];
  /** a key as SQL text, and back: a blob key travels as hex */
  keyText: (column: string) => string;
  keyParam: string;
  /** what a moved row sets where its key is in the next level already */
  onConflict: string;
  /**
   * the first of the large levels a filter in memory may cover (lib/ingest/level-filter.ts): its book
   * row's filter_token changes with every move into or between them; the keys must be hashes (keyText: hex)
   */
  filtered?: number;
}

/** Levels with a filter in memory of the large ones (lib/ingest/level-filter.ts). */
export type FilteredLevels = Levels & { filtered: number };

/** Where a filter of the large levels stands: a move calls it with the book's token before and after. */
export interface MoveWatcher {
  moved(before: number, after: number, keys: string[] | null): void;
}

/** A new filter_token: random, so that no two writers, nor a rolled-back write, ever name the same state. */
const newFilterToken = () => Math.floor(Math.random() * 2 ** 53);
/** Writes a new filter_token (its value, then the filtered level) in the levels' book: after a move or a prune. */
const setFilterToken = (levels: Levels) => `update ${levels.book} set filter_token = ? where level = ?`;

/**
 * A read of every level in one statement: `select` is one level's SELECT, given its table and number;
 * `args` gives each level its parameters (the same for all, or per level).
 */
export function everyLevel(levels: Levels, select: (table: string, level: number) => string) {
  return {
    sql: levels.tables.map(select).join(' union all '),
    args: (args: unknown[] | ((level: number) => unknown[])) => levels.tables.flatMap((_, level) => (typeof args === 'function' ? args(level) : args)),
  };
}

/** Rows moved per write transaction from a level past its size: a few hundred pages, milliseconds. */
export const LEVEL_CHUNK = 4_000;

/**
 * One step of moving rows down the levels, inside the caller's write transaction (ingestion runs it
 * after each group it writes): every level past its size gives rows to the next, at least `chunk` and
 * as many as it is over (at most 4 chunks), deepest level first, so that each level keeps up with what
 * flows in. A level's chunks go round its key space from where the last one ended: each is a narrow
 * range of keys, which falls on few pages of the next level (always its lowest keys made the chunks
 * span most of the key space once the low end was thin). Returns the rows moved.
 */
export async function settleLevels(
  tx: Tx,
  client: unknown,
  levels: Levels,
  limits = levels.limits,
  chunk = LEVEL_CHUNK,
  watcher?: MoveWatcher,
): Promise<number> {
  const token = levels.filtered === undefined ? '0' : 'filter_token';
  const book = await readRows(tx, client, `select level, keys, after_project, ${levels.keyText('after_key')}, ${token} from ${levels.book} order by level`, []);
  let before = Number(book.find((r) => Number(r[0]) === levels.filtered)?.[4] ?? 0);
  let moved = 0;
  for (let level = limits.length - 1; level >= 0; level--) {
    const row = book.find((r) => Number(r[0]) === level);
    const over = Number(row?.[1] ?? 0) - limits[level];
    if (over <= 0) continue;
    const after: [number, string] = [Number(row?.[2] ?? -1), String(row?.[3] ?? '')];
    const { rows, keys } = await moveChunk(tx, client, levels, level, after, Math.min(Math.max(chunk, over), 4 * chunk));
    moved += rows;
    if (levels.filtered === undefined || level + 1 < levels.filtered || rows === 0) continue;
    const next = newFilterToken();
    await tx.run(bound(setFilterToken(levels), [next, levels.filtered]));
    watcher?.moved(before, next, keys);
    before = next;
  }
  return moved;
}

/**
 * The `n` rows of a level's table after `after` (fewer at the end of its key space) as a range of its
 * primary key: SQL text with its arguments, and the key where it ends (undefined: at the end).
 */
async function chunkOf(tx: Tx, client: unknown, levels: Levels, table: string, after: [number, string], n: number) {
  const { key, keyParam } = levels;
  const [last] = await readRows(
    tx,
    client,
    `select project_id, ${levels.keyText(key)} from ${table} where (project_id, ${key}) > (?, ${keyParam}) order by project_id, ${key} limit 1 offset ?`,
    [...after, n - 1],
  );
  // past the last key: the rest of the key space now, the start of it next time
  const range = `(project_id, ${key}) > (?, ${keyParam})${last ? ` and (project_id, ${key}) <= (?, ${keyParam})` : ''}`;
  const args = last ? [...after, Number(last[0]), String(last[1])] : after;
  return { range, args, last: last ? ([Number(last[0]), String(last[1])] as [number, string]) : undefined };
}

/**
 * Moves the `n` rows of a level after `after` (fewer at the end of its key space) into the next one;
 * the last level has no row in the book, so its count is left alone. Returns the rows moved, and their
 * keys when they enter the filtered levels from above them.
 */
async function moveChunk(tx: Tx, client: unknown, levels: Levels, level: number, after: [number, string], n: number) {
  const { key, keyParam, book } = levels;
  const from = levels.tables[level];
  const to = levels.tables[level + 1];
  const columns = ['project_id', key, ...levels.values].join(', ');
  const { range, args, last } = await chunkOf(tx, client, levels, from, after, n);
  await tx.run(
    sql`insert into ${sql.raw(to)} (${sql.raw(columns)}) select ${sql.raw(columns)} from ${sql.raw(from)} where ${bound(range, args)}
    order by project_id, ${sql.raw(key)} on conflict (project_id, ${sql.raw(key)}) do update set ${sql.raw(levels.onConflict)}`,
  );
  let keys: string[] | null = null;
  let moved: number;
  if (level + 1 === levels.filtered) {
    keys = (await readRows(tx, client, `delete from ${from} where ${range} returning ${levels.keyText(key)}`, args)).map((r) => String(r[0]));
    moved = keys.length;
  } else moved = (await tx.run(sql`delete from ${sql.raw(from)} where ${bound(range, args)}`)).rowsAffected;
  const [nextProject, nextKey] = last ?? [-1, ''];
  await tx.run(
    sql`update ${sql.raw(book)} set keys = max(0, keys - ${moved}), after_project = ${nextProject}, after_key = ${bound(keyParam, [nextKey])} where level = ${level}`,
  );
  await tx.run(sql`update ${sql.raw(book)} set keys = keys + ${moved} where level = ${level + 1}`);
  return { rows: moved, keys };
}

/** SQL text with `?` placeholders and their values, as one drizzle fragment. */
function bound(text: string, args: unknown[]) {
  const parts = text.split('?');
  if (parts.length !== args.length + 1) throw new Error(`levels: ${parts.length - 1} placeholders for ${args.length} values`);
  return sql.join(
    parts.flatMap((p, i) => (i < args.length ? [sql.raw(p), sql`${args[i]}`] : [sql.raw(p)])),
    sql.raw(''),
  );
}

/** Sets aside every process's filter of the large levels (after a prune of them, so that they are built again without the keys gone). */
export async function renewFilterToken(db: Db, levels: FilteredLevels): Promise<void> {
  await withWriteLock(db, () => db.$client.execute({ sql: setFilterToken(levels), args: [newFilterToken(), levels.filtered] }));
}

/**
 * Counts each level's rows again, one level per hold of the write lock (the hourly upkeep runs it): the
 * running counts drift by rows that met an older copy of their key in the next level.
 */
export async function recountLevels(db: Db, levels: Levels): Promise<void> {
  for (const [level, table] of levels.tables.slice(0, levels.limits.length).entries())
    await withWriteLock(db, () =>
      db.$client.execute({ sql: `update ${levels.book} set keys = (select count(*) from ${table}) where level = ?`, args: [level] }),
    );
}
