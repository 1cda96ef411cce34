// This process as one of possibly several app instances on one database: its id, and the signs of
// life a load balancer needs (the database takes a write, the scheduler ticks). Kept on globalThis:
// Next.js loads the instrumentation hook and the route handlers as separate bundles of one process.
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { storageFault } from '../db/storage-fault';
import { withWriteLock } from '../db/write';
import { schedulerSettings } from './config';
import { storageProblem } from './storage-health';

interface InstanceState {
  id: string;
  startedAt: number;
  schedulerOn: boolean;
  lastTickAt: number | null;
  /** when this instance last forgot expired insert ids */
  lastPruneAt: number;
}

const KEY = Symbol.for('spillway.instance');

export function thisInstance(): InstanceState {
  const g = globalThis as { [KEY]?: InstanceState };
  return (g[KEY] ??= { id: crypto.randomUUID(), startedAt: Date.now(), schedulerOn: false, lastTickAt: null, lastPruneAt: 0 });
}

/** Records a sign of life in the database (and a finished tick, when given). */
export async function heartbeat(db: Db, tickAt?: number, waitMs = 10_000) {
  const me = thisInstance();
  const now = Date.now();
  if (tickAt !== undefined) me.lastTickAt = tickAt;
  await withWriteLock(
    db,
    () =>
      db
        .insert(s.instances)
        .values({ id: me.id, startedAt: me.startedAt, seenAt: now, lastTickAt: me.lastTickAt })
        .onConflictDoUpdate({ target: s.instances.id, set: { seenAt: now, lastTickAt: me.lastTickAt } }),
    waitMs,
  );
}

export interface Health {
  ok: boolean;
  instance: string;
  database: 'writable' | string;
  scheduler: 'off' | 'ticking' | 'starting' | string;
}

/**
 * Whether this instance can serve: a real write within 2 s, the storage able to take ingestion's writes
 * (storage-health.ts), and a scheduler that ticked recently.
 */
export async function checkHealth(db: Db, url: string, now = Date.now()): Promise<Health> {
  const me = thisInstance();
  let database = 'writable';
  try {
    // a committed upsert is the proof: the write lock was taken and the page written within 2 s
    await heartbeat(db, undefined, 2_000);
    const problem = await storageProblem(db, url, me.id, now);
    if (problem) database = `not writable: ${problem}`;
  } catch (e) {
    const fault = storageFault(e);
    database = `not writable: ${fault ? fault.reason : ((e as Error)?.message?.slice(0, 200) ?? e)}`;
  }
  let scheduler = 'off';
  if (me.schedulerOn) {
    const { intervalMs, budgetMs } = schedulerSettings();
    const limit = 2 * intervalMs + budgetMs;
    if (me.lastTickAt !== null) scheduler = now - me.lastTickAt <= limit ? 'ticking' : `no tick for ${Math.round((now - me.lastTickAt) / 1000)} s`;
    else scheduler = now - me.startedAt <= limit ? 'starting' : `no tick since the start ${Math.round((now - me.startedAt) / 1000)} s ago`;
  }
  return { ok: database === 'writable' && ['off', 'ticking', 'starting'].includes(scheduler), instance: me.id, database, scheduler };
}
