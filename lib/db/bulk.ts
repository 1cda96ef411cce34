// Multi-row statements inside the caller's write transaction. On a `file:` database (LocalClient) the
// rows go ROWS_PER_STATEMENT at a time through cached prepared statements (reads come back as arrays).
// Elsewhere (a remote libSQL) the rows travel as one JSON array that SQLite unpacks with json_each, one
// round trip; bytes travel as hex inside it. Runtime-neutral: the native path is found by duck typing.
import { sql } from 'drizzle-orm';
import { toHex } from '../util/hash';
import type { Db, DbOrTx } from './types';

// JSON.stringify escapes only lone surrogates; SQLite would store them as invalid UTF-8
const LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

/** A client that runs prepared statements per row inside the write transaction it holds (lib/db/local-client.ts). */
export interface NativeRows {
  runRows(sql: string, rows: unknown[][]): void;
  readRowsInTransaction(sql: string, args?: unknown[]): unknown[][];
  readRows(sql: string, args?: unknown[]): unknown[][];
}

/** A BLOB as the driver gives it (a Buffer natively, an ArrayBuffer through @libsql/client), as bytes. */
export const bytesOf = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer));

export const isNative = (c: unknown): c is NativeRows => typeof (c as NativeRows | undefined)?.runRows === 'function';

/** A row value inside the JSON payload: bytes as {"h": hex}, unpacked by `pick`. */
const jsonValue = (v: unknown) => (v instanceof Uint8Array ? { h: toHex(v) } : v);
const pick = (i: number) =>
  `(case json_type(value, '$[${i}]') when 'object' then unhex(json_extract(value, '$[${i}].h')) else json_extract(value, '$[${i}]') end)`;

// rows per statement on the native path: one statement of many rows binds and steps as one call,
// ~a third cheaper per row than a statement per row (bench:ingest)
export const ROWS_PER_STATEMENT = 32;

/** Runs `insert into table (columns) values (…) tail` for every row, inside the caller's write transaction. */
export async function runRows(tx: DbOrTx, client: unknown, table: string, columns: readonly string[], rows: unknown[][], tail = ''): Promise<void> {
  if (rows.length === 0) return;
  const into = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')})`;
  if (isNative(client)) {
    const one = `(${columns.map(() => '?').join(', ')})`;
    const whole = rows.length - (rows.length % ROWS_PER_STATEMENT);
    if (whole > 0) {
      const chunks: unknown[][] = [];
      const width = columns.length;
      for (let i = 0; i < whole; i += ROWS_PER_STATEMENT) {
        const flat = new Array(width * ROWS_PER_STATEMENT);
        for (let r = 0; r < ROWS_PER_STATEMENT; r++) {
          const row = rows[i + r];
          for (let c = 0; c < width; c++) flat[r * width + c] = row[c];
        }
        chunks.push(flat);
      }
      client.runRows(`${into} values ${Array(ROWS_PER_STATEMENT).fill(one).join(', ')} ${tail}`, chunks);
    }
    if (whole < rows.length) client.runRows(`${into} values ${one} ${tail}`, rows.slice(whole));
    return;
  }
  const payload = JSON.stringify(rows.map((r) => r.map(jsonValue))).replace(LONE_SURROGATE, '$1\\ufffd');
  // "where true" lets an upsert clause follow a SELECT (SQLite's parsing rule)
  await tx.run(sql`${sql.raw(into)} select ${sql.raw(columns.map((_, i) => pick(i)).join(', '))} from json_each(${payload}) where true ${sql.raw(tail)}`);
}

// @libsql/client's rows are indexed like arrays but are not arrays (not iterable)
const asArrays = (rows: unknown[]): unknown[][] => rows.map((r) => Array.prototype.slice.call(r));

const bound = (query: string, args: unknown[]) => {
  const parts = query.split('?');
  return sql.join(parts.flatMap((p, i) => (i === 0 ? [sql.raw(p)] : [sql`${args[i - 1]}`, sql.raw(p)])));
};

/** A read inside the write transaction, rows as arrays. `args` are bound positionally to `?`. */
export async function readRows(tx: DbOrTx, client: unknown, query: string, args: unknown[]): Promise<unknown[][]> {
  if (isNative(client)) return client.readRowsInTransaction(query, args);
  return asArrays(await tx.values(bound(query, args)));
}

/** A read of committed data, rows as arrays (no row objects on the native path: exports read millions). */
export async function queryRows(db: Db, query: string, args: unknown[]): Promise<unknown[][]> {
  const client: unknown = db.$client;
  if (isNative(client)) return client.readRows(query, args);
  return asArrays(await db.values(bound(query, args)));
}
