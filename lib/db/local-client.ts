// The database client for `file:` URLs, on the native `libsql` driver that @libsql/client itself runs
// on, shaped as a @libsql/client Client so drizzle takes it unchanged. Remote URLs keep @libsql/client.
//
// Why not @libsql/client here: when a statement fails with SQLITE_BUSY (another process holds the
// write lock), the native driver leaves that statement un-reset until the garbage collector
// finalises it. A failed `BEGIN IMMEDIATE` then keeps its connection "in progress" (COMMIT fails,
// the write lock stays held), and a failed autocommit write keeps its read snapshot, so the WAL
// cannot be checkpointed and every later write of the process is busy: one of two instances on one
// file got stuck for good. Here no statement can fail with BUSY:
//   - transaction control (BEGIN IMMEDIATE, COMMIT, ROLLBACK) goes through `exec`, which finalises
//     what it runs even on error;
//   - every write runs inside a transaction taken that way, so it holds the lock before it starts;
//   - reads run on their own connection and step to completion (WAL readers never wait for writers).
// Statements are prepared once per connection and cached.
import Database from 'libsql';
import { SAFETY_AUTOCHECKPOINT_PAGES, startCheckpointer, type Checkpointer } from './checkpointer';
import type { Client, InArgs, InStatement, ResultSet, Row, Transaction, TransactionMode } from '@libsql/client';

type Native = InstanceType<typeof Database>;
type Statement = ReturnType<Native['prepare']>;
type Value = null | string | number | bigint | ArrayBuffer | Buffer;

const MAX_CACHED = 256;

/** The size the write-ahead log is cut back to when it starts over after a checkpoint (it kept its high-water mark). */
export const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** Every connection's settings (the ingestion benchmark's storage ceiling uses them too). */
// auto_vacuum first: it takes effect only on a file with no table yet (lib/db/free-pages.ts)
export const CONNECTION_PRAGMAS = `PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA journal_size_limit=${WAL_SIZE_LIMIT}`;
/**
 * Ingestion's writer's page cache. Most pages it writes are new event rows, written once: a larger cache
 * fills with them, not with the hot index pages (dedupe keys, devices, users), which the OS caches as
 * well. 64 MB cost 40-100 MB of peak RSS for no more events/s than 8 or 16 (bench:ingest); in a
 * 3-million-event file 128 MB bought no more events/s either and cost 120-180 MB (3 alternations).
 */
export const INGEST_WRITE_CACHE_MB = 16;
// other connections keep less: the writer of jobs and seals writes parts once, the reader's big readers
// (sealing an hour) scan once, and pages kept for nothing are memory (the OS caches the file as well)
const WRITE_CACHE_MB = 16;
const READ_CACHE_MB = 8;
const WRITING_PRAGMA = /^\s*pragma\s+(incremental_vacuum|wal_checkpoint|optimize)\b/i;

const cacheSize = (mb: number) => `; PRAGMA cache_size=-${mb * 1024}`;
// statements that change nothing: everything else is a write and takes the write path
const READ_ONLY = /^\s*(select|explain)\b/i;

function toSql(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof Date) return v.valueOf();
  if (v === undefined) throw new TypeError('undefined cannot be bound to an SQL parameter');
  return v;
}

function bind(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (!args) return [];
  if (Array.isArray(args)) return args.map(toSql);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[/^[:@$]/.test(k) ? k.slice(1) : k] = toSql(v);
  return out;
}

/** A row as @libsql/client makes it: indexable (not enumerable) and keyed by column name. */
function rowOf(values: Value[], columns: string[]): Row {
  const row: Record<string | number, unknown> = {};
  Object.defineProperty(row, 'length', { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const v = Buffer.isBuffer(values[i])
      ? (values[i] as Buffer).buffer.slice((values[i] as Buffer).byteOffset, (values[i] as Buffer).byteOffset + (values[i] as Buffer).byteLength)
      : values[i];
    Object.defineProperty(row, i, { value: v });
    if (!Object.hasOwn(row, columns[i])) Object.defineProperty(row, columns[i], { value: v, enumerable: true, configurable: true, writable: true });
  }
  return row as unknown as Row;
}

function resultSet(columns: string[], columnTypes: string[], rows: Row[], rowsAffected: number, lastInsertRowid: bigint | undefined): ResultSet {
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      columnTypes,
      rows: rows.map((r) => Array.prototype.slice.call(r)),
      rowsAffected,
      lastInsertRowid: lastInsertRowid?.toString() ?? null,
    }),
  };
}

/** One native connection with its own statement cache. */
class Connection {
  readonly db: Native;
  private readonly cache = new Map<string, Statement>();

  constructor(path: string, timeoutMs: number, pragmas = '') {
    this.db = new Database(path, { timeout: timeoutMs });
    this.db.exec(CONNECTION_PRAGMAS + pragmas);
  }

  private prepare(sql: string): Statement {
    let st = this.cache.get(sql);
    if (st) {
      this.cache.delete(sql); // most recently used goes last
    } else {
      st = this.db.prepare(sql);
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(sql, st);
    return st;
  }

  execute(stmt: InStatement): ResultSet {
    const sql = typeof stmt === 'string' ? stmt : stmt.sql;
    const args = bind(typeof stmt === 'string' ? undefined : stmt.args);
    const st = this.prepare(sql);
    try {
      if (st.reader) {
        const cols = st.columns() as { name: string; type: string | null }[];
        const names = cols.map((c) => c.name);
        const rows = (st.raw(true).all(args) as Value[][]).map((r) => rowOf(r, names));
        return resultSet(
          names,
          cols.map((c) => c.type ?? ''),
          rows,
          0,
          undefined,
        );
      }
      const info = st.run(args) as { changes: number; lastInsertRowid: number | bigint };
      return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
    } catch (e) {
      // a statement that failed mid-way is not reused: only the garbage collector can finalise it
      this.cache.delete(sql);
      throw e;
    }
  }

  /**
   * One prepared statement run once per row (the caller holds the write transaction). The rows hold
   * only what the driver binds as is (string, number, bigint, null, Uint8Array): no copy is made.
   */
  runMany(sql: string, rows: unknown[][]) {
    const st = this.prepare(sql);
    try {
      for (const row of rows) st.run(row);
    } catch (e) {
      this.cache.delete(sql);
      throw e;
    }
  }

  /** A query's rows as arrays, no row objects (hot paths). */
  readRaw(sql: string, args: unknown[]): unknown[][] {
    const st = this.prepare(sql);
    try {
      return st.raw(true).all(args.map(toSql)) as unknown[][];
    } catch (e) {
      this.cache.delete(sql);
      throw e;
    }
  }

  close() {
    this.cache.clear();
    if (this.db.open) this.db.close();
  }
}

/** FIFO mutex: one transaction (or autocommit write) on the write connection at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

class LocalTransaction implements Transaction {
  private done = false;

  constructor(
    private readonly conn: Connection,
    private readonly release: () => void,
  ) {}

  private check() {
    if (this.done) throw Object.assign(new Error('The transaction is closed'), { code: 'TRANSACTION_CLOSED' });
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    this.check();
    return this.conn.execute(stmt);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    this.check();
    return stmts.map((s) => this.conn.execute(s));
  }

  async executeMultiple(sql: string): Promise<void> {
    this.check();
    this.conn.db.exec(sql);
  }

  private finish(sql: 'COMMIT' | 'ROLLBACK') {
    if (this.done) return;
    try {
      // SQLite may already have rolled back on its own (SQLITE_FULL, SQLITE_IOERR): nothing to undo
      if (sql === 'COMMIT' || this.conn.db.inTransaction) this.conn.db.exec(sql);
    } catch (e) {
      // still open after a failed commit: undo it so the lock is not kept
      if (sql === 'COMMIT' && this.conn.db.inTransaction) this.conn.db.exec('ROLLBACK');
      throw e;
    } finally {
      // after a failed COMMIT the caller rolls back; after ROLLBACK the connection is free either way
      if (!this.conn.db.inTransaction || sql === 'ROLLBACK') {
        this.done = true;
        this.release();
      }
    }
  }

  async commit(): Promise<void> {
    this.finish('COMMIT');
  }

  async rollback(): Promise<void> {
    this.finish('ROLLBACK');
  }

  close(): void {
    if (!this.done && this.conn.db.inTransaction) this.finish('ROLLBACK');
    else if (!this.done) {
      this.done = true;
      this.release();
    }
  }

  get closed(): boolean {
    return this.done;
  }
}

export class LocalClient implements Client {
  readonly protocol = 'file';
  closed = false;
  private writer: Connection;
  private reader: Connection;
  private readonly writes = new Mutex();

  private checkpointer: Checkpointer | null = null;

  /** `backgroundCheckpoints`: WAL checkpoints run on a worker thread, not in the writer's commits (checkpointer.ts); 'process': one this client does not start. */
  constructor(
    private readonly path: string,
    private readonly timeoutMs: number,
    private readonly backgroundCheckpoints: boolean | 'process' = false,
    private readonly writeCacheMb = WRITE_CACHE_MB,
  ) {
    this.writer = this.openWriter();
    this.reader = new Connection(path, timeoutMs, cacheSize(READ_CACHE_MB));
    if (backgroundCheckpoints === true && path !== ':memory:') this.checkpointer = startCheckpointer(path);
  }

  private openWriter() {
    const checkpoints = this.backgroundCheckpoints ? `; PRAGMA wal_autocheckpoint=${SAFETY_AUTOCHECKPOINT_PAGES}` : '';
    return new Connection(this.path, this.timeoutMs, cacheSize(this.writeCacheMb) + checkpoints);
  }

  private checkOpen() {
    if (this.closed) throw Object.assign(new Error('The client is closed'), { code: 'CLIENT_CLOSED' });
  }

  /** Runs `fn` on the write connection inside BEGIN IMMEDIATE … COMMIT, holding the mutex. */
  private async inWriteTx<T>(fn: (conn: Connection) => T): Promise<T> {
    const tx = await this.transaction('write');
    try {
      const out = fn(this.writer);
      await tx.commit();
      return out;
    } finally {
      tx.close();
    }
  }

  async execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    this.checkOpen();
    const stmt: InStatement = typeof stmtOrSql === 'string' ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql;
    const sql = typeof stmt === 'string' ? stmt : stmt.sql;
    if (READ_ONLY.test(sql)) return this.reader.execute(stmt);
    // PRAGMAs that write the file (incremental_vacuum, wal_checkpoint) take the write connection and lock,
    // and run to their end (a single step of incremental_vacuum frees one page)
    if (WRITING_PRAGMA.test(sql)) {
      const release = await this.writes.lock();
      try {
        this.writer.db.exec(sql);
        return resultSet([], [], [], 0, undefined);
      } finally {
        release();
      }
    }
    // PRAGMAs that only read (page_count, table_info) need no lock; those that set take the write path
    if (/^\s*pragma\b/i.test(sql) && !sql.includes('=')) return this.reader.execute(stmt);
    if (/^\s*pragma\b/i.test(sql)) {
      // connection settings apply to both connections
      this.reader.execute(stmt);
      const release = await this.writes.lock();
      try {
        return this.writer.execute(stmt);
      } finally {
        release();
      }
    }
    return this.inWriteTx((conn) => conn.execute(stmt));
  }

  async batch(stmts: InStatement[], mode: TransactionMode = 'deferred'): Promise<ResultSet[]> {
    this.checkOpen();
    if (mode === 'read') return stmts.map((s) => this.reader.execute(s));
    return this.inWriteTx((conn) => stmts.map((s) => conn.execute(s)));
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    this.checkOpen();
    const release = await this.writes.lock();
    try {
      this.writer.db.exec('PRAGMA foreign_keys=OFF');
      this.writer.db.exec('BEGIN IMMEDIATE');
      try {
        const out = stmts.map((s) => this.writer.execute(s));
        this.writer.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.writer.db.inTransaction) this.writer.db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      this.writer.db.exec('PRAGMA foreign_keys=ON');
      release();
    }
  }

  async transaction(mode: TransactionMode = 'write'): Promise<Transaction> {
    this.checkOpen();
    const release = await this.writes.lock();
    try {
      // exec, not a prepared statement: a BUSY failure leaves nothing behind on the connection
      this.writer.db.exec(mode === 'read' ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
    } catch (e) {
      release();
      throw e;
    }
    return new LocalTransaction(this.writer, release);
  }

  async executeMultiple(sql: string): Promise<void> {
    this.checkOpen();
    const release = await this.writes.lock();
    try {
      this.writer.db.exec(sql);
    } finally {
      release();
    }
  }

  /**
   * Runs `sql` once per row inside the write transaction that the caller holds on this client (the
   * fast path of lib/db/bulk.ts). Refuses to run outside one: it would bypass the write lock. The
   * values must be string, number, bigint, null or Uint8Array (they are bound as they are).
   */
  runRows(sql: string, rows: unknown[][]): void {
    this.checkOpen();
    if (!this.writer.db.inTransaction) throw new Error('runRows runs only inside a write transaction of this client');
    this.writer.runMany(sql, rows);
  }

  /** A read as arrays, on the read connection (committed data). */
  readRows(sql: string, args: unknown[] = []): unknown[][] {
    this.checkOpen();
    return this.reader.readRaw(sql, args);
  }

  /** A read as arrays on the write connection, for the holder of its open write transaction (sees its writes). */
  readRowsInTransaction(sql: string, args: unknown[] = []): unknown[][] {
    this.checkOpen();
    if (!this.writer.db.inTransaction) throw new Error('readRowsInTransaction runs only inside a write transaction of this client');
    return this.writer.readRaw(sql, args);
  }

  async sync(): Promise<undefined> {
    return undefined;
  }

  async reconnect(): Promise<void> {
    const release = await this.writes.lock();
    try {
      this.writer.close();
      this.reader.close();
      this.writer = this.openWriter();
      this.reader = new Connection(this.path, this.timeoutMs, cacheSize(READ_CACHE_MB));
      this.closed = false;
    } finally {
      release();
    }
  }

  close(): void {
    this.closed = true;
    void this.checkpointer?.stop();
    this.checkpointer = null;
    this.writer.close();
    this.reader.close();
  }
}
