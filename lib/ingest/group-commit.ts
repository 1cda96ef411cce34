// Group commit: requests that arrive while a write transaction runs are written together in the next
// one. One BEGIN/COMMIT and one write of each touched page serve several requests: the random-key
// indexes (dedupe ids, devices, users) are rewritten once per transaction, not once per request. No
// request waits for others to arrive: a transaction takes whatever queued while the previous one ran.
// Each request stays all or nothing without savepoints (a savepoint copies every page the earlier
// requests dirtied into its journal, which cost what grouping saves, measured): when one request of a
// group fails, the whole transaction rolls back and each request runs again in a transaction of its own.
import type { Db, Tx } from '../db/types';
import { writeTx } from '../db/write';
import { yieldToEventLoop } from '../util/yield';
import { dedupeFilter, settleDedupeLevels } from './dedupe';
import { settleDeviceLevels } from './identity-store';

interface Item {
  events: number;
  clock?: () => number;
  waitMs: number;
  fn: (tx: Tx, now: number) => Promise<void>;
  resolve: (now: number) => void;
  reject: (e: unknown) => void;
}

// a transaction stops taking requests past this many events (it holds the write lock meanwhile)
export const MAX_GROUP_EVENTS = 8_000;
// how long a transaction of the upkeep alone waits for the write lock: briefly, as requests queue behind
// it (the lock held by another process, the upkeep goes on after the next request)
const UPKEEP_WAIT_MS = 50;

class GroupWriter {
  private queue: Item[] = [];
  private running = false;

  constructor(private readonly db: Db) {}

  write(events: number, opts: { clock?: () => number; waitMs: number }, fn: Item['fn']): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, ...opts, fn, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** The next group: requests in arrival order up to the size limit; one with its own clock (tests) goes alone. */
  private take(): Item[] {
    const first = this.queue.shift()!;
    const group = [first];
    let events = first.events;
    while (first.clock === undefined && this.queue.length > 0) {
      const next = this.queue[0];
      if (next.clock !== undefined || events + next.events > MAX_GROUP_EVENTS) break;
      group.push(this.queue.shift()!);
      events += next.events;
    }
    return group;
  }

  /** Starts the writer's own work (the dedupe filter's build) before any request. */
  warm() {
    if (!this.running) void this.drain();
  }

  private async drain() {
    this.running = true;
    try {
      // while nothing is queued, a build of the dedupe filter goes on in transactions of its own (after
      // one failed, it goes on once the next request is written)
      const filter = dedupeFilter(this.db.$client);
      while (this.queue.length > 0 || filter.building) {
        const group = this.queue.length > 0 ? this.take() : [];
        if (!(await this.commit(group)) && group.length === 0 && this.queue.length === 0) break;
        await yieldToEventLoop();
      }
    } finally {
      this.running = false;
    }
  }

  /** Writes a group (none: only the upkeep); false when its transaction failed. */
  private async commit(group: Item[]): Promise<boolean> {
    let now = 0;
    // whether a request ran: a failure before that (the write lock not had) is every request's answer
    let ran = false;
    try {
      await writeTx(
        this.db,
        async (tx) => {
          now = (group[0]?.clock ?? Date.now)();
          ran = true;
          // a dedupe filter kept by the last process on the file is taken before anything here moves keys
          await dedupeFilter(this.db.$client).begin(tx, this.db.$client);
          for (const item of group) await item.fn(tx, now);
          // the dedupe keys' and devices' levels kept in shape, a chunk at a time, in the transaction that
          // grew them; a step of the dedupe filter's build only while no request waits (a step in each
          // request's transaction slowed them for the build's whole length)
          await settleDedupeLevels(tx, this.db.$client);
          await settleDeviceLevels(tx, this.db.$client);
          if (group.length === 0) await dedupeFilter(this.db.$client).step(tx, this.db.$client);
        },
        group.length > 0 ? Math.min(...group.map((g) => g.waitMs)) : UPKEEP_WAIT_MS,
      );
    } catch (e) {
      if (group.length > 1 && ran) {
        for (const item of group) await this.commit([item]);
      } else {
        for (const item of group) item.reject(e);
      }
      return false;
    }
    for (const item of group) item.resolve(now);
    return true;
  }
}

const writers = new WeakMap<Db, GroupWriter>();

function writerOf(db: Db): GroupWriter {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new GroupWriter(db)));
  return w;
}

/**
 * Runs `fn` in a write transaction shared with the requests queued beside it; resolves with its
 * server_upload_time. `fn` may run twice (alone, after another request of its group failed): it must
 * not depend on what its first run changed.
 */
export function groupWrite(db: Db, events: number, opts: { clock?: () => number; waitMs: number }, fn: Item['fn']): Promise<number> {
  return writerOf(db).write(events, opts, fn);
}

/** Builds what ingestion's writes use (the dedupe filter) before the first request comes. */
export function warmGroupWrites(db: Db) {
  writerOf(db).warm();
}
