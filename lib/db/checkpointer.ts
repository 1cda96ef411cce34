// WAL checkpoints off the writer's thread (Node, `file:` databases). SQLite checkpoints inside the
// COMMIT that crosses wal_autocheckpoint: the writing thread then copies the WAL back into the database
// file and waits for its fsync, about a quarter of ingestion's write time. A worker thread with its own
// connection runs PASSIVE checkpoints instead (they never block writers or readers); the writer keeps
// a large wal_autocheckpoint only as a safety net should this thread fall behind.
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Pages of WAL past which the writer still checkpoints itself (the background one keeps it far below). */
export const SAFETY_AUTOCHECKPOINT_PAGES = 16_384;

// plain CommonJS run with eval: no bundle needed, `libsql` resolves from the app's node_modules
const SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require('libsql');
const db = new Database(workerData.path, { timeout: 0 });
db.exec('PRAGMA journal_mode=WAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let stopped = false;
parentPort.on('message', () => { stopped = true; db.close(); });
(function loop() {
  if (stopped) return;
  try { checkpoint.run(); } catch {}
  setTimeout(loop, workerData.intervalMs);
})();
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

// one thread per database file and process, however many clients open it
const running = new Map<string, { worker: Worker; users: number }>();

export function startCheckpointer(path: string, intervalMs = 100): Checkpointer {
  const key = resolve(path);
  const shared = running.get(key);
  if (shared) {
    shared.users++;
    return { stop: () => release(key) };
  }
  const worker = new Worker(SOURCE, { eval: true, workerData: { path, intervalMs } });
  worker.unref();
  // a checkpointer that dies leaves checkpoints to the writer's safety net
  worker.on('error', (e) => console.error('spillway: background checkpoints stopped:', e.message));
  running.set(key, { worker, users: 1 });
  return { stop: () => release(key) };
}

async function release(key: string) {
  const r = running.get(key);
  if (!r || --r.users > 0) return;
  running.delete(key);
  r.worker.postMessage('stop');
  await r.worker.terminate();
}
