// Multi-row writes as one statement with one parameter: the rows travel as a JSON array and SQLite
// unpacks them with json_each. Building a 250-row insert with 12,000 bound values cost more in the
// query builder and statement preparation than the insert itself. Runtime-neutral.
import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { DbOrTx } from './types';

// JSON.stringify escapes only lone surrogates; SQLite would store them as invalid UTF-8
const LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

/** Inserts `rows` (values in `columns` order); `tail` may add an ON CONFLICT clause. */
export async function bulkInsert(db: DbOrTx, table: SQLiteTable, columns: SQLiteColumn[], rows: unknown[][], tail: SQL = sql``) {
  if (rows.length === 0) return;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const picks = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ');
  const payload = JSON.stringify(rows).replace(LONE_SURROGATE, '$1\\ufffd');
  // "where true" lets an upsert clause follow a SELECT (SQLite's parsing rule)
  await db.run(sql`insert into ${table} (${sql.raw(names)}) select ${sql.raw(picks)} from json_each(${payload}) where true ${tail}`);
}
