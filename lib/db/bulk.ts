// Multi-row writes. On a `file:` database (LocalClient) the rows go through one cached prepared
// INSERT, run once per row inside the caller's transaction: ~25 ms per 1,000 events. Elsewhere (a
// remote libSQL) they travel as one JSON array that SQLite unpacks with json_each, one round trip;
// building a 250-row VALUES list with 12,000 bound values cost more in the query builder than the
// insert itself. Runtime-neutral: the native path is found by duck typing.
import { getTableName, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { DbOrTx } from './types';

// JSON.stringify escapes only lone surrogates; SQLite would store them as invalid UTF-8
const LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

/** A client that can run one prepared statement per row inside the open write transaction. */
export interface RowInserter {
  insertRows(sql: string, rows: unknown[][]): void;
}

const isRowInserter = (c: unknown): c is RowInserter => typeof (c as RowInserter | undefined)?.insertRows === 'function';

/**
 * Inserts `rows` (values in `columns` order) inside the caller's write transaction; `tail` may add
 * an ON CONFLICT clause (plain SQL, no parameters). `client` is the database's client (`db.$client`).
 */
export async function bulkInsert(tx: DbOrTx, client: unknown, table: SQLiteTable, columns: SQLiteColumn[], rows: unknown[][], tail = '') {
  if (rows.length === 0) return;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const into = `insert into "${getTableName(table)}" (${names})`;
  if (isRowInserter(client)) {
    client.insertRows(`${into} values (${columns.map(() => '?').join(', ')}) ${tail}`, rows);
    return;
  }
  const picks = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ');
  const payload = JSON.stringify(rows).replace(LONE_SURROGATE, '$1\\ufffd');
  // "where true" lets an upsert clause follow a SELECT (SQLite's parsing rule)
  await tx.run(sql`${sql.raw(into)} select ${sql.raw(picks)} from json_each(${payload}) where true ${sql.raw(tail)}`);
}
