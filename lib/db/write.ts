// Every write goes through here. libSQL's embedded driver runs statements synchronously, so a second
// writer in this process would block the event loop in SQLite's busy handler while the first waits on
// it: writers queue on an async lock instead. Contention with other processes (SQLITE_BUSY after the
// short native busy timeout) is retried asynchronously. Runtime-neutral: no node: imports.
import { isBusy } from './storage-fault';
import type { Db, Tx } from './types';

const queues = new WeakMap<object, Promise<unknown>>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withRetry<T>(fn: () => Promise<T>, maxWaitMs: number): Promise<T> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isBusy(e) || Date.now() - start > maxWaitMs) throw e;
      await sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

/** Runs fn holding this process's write lock for db (FIFO). */
export function withWriteLock<T>(db: Db, fn: () => Promise<T>, maxWaitMs = 30_000): Promise<T> {
  const prev = queues.get(db) ?? Promise.resolve();
  const run = prev.then(
    () => withRetry(fn, maxWaitMs),
    () => withRetry(fn, maxWaitMs),
  );
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

/** A write transaction (BEGIN IMMEDIATE) under the write lock. */
export function writeTx<T>(db: Db, fn: (tx: Tx) => Promise<T>, maxWaitMs?: number): Promise<T> {
  return withWriteLock(db, () => db.transaction(fn), maxWaitMs);
}
