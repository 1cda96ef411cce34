// Returning freed pages to the file system. New database files are made with auto_vacuum=INCREMENTAL
// (CONNECTION_PRAGMAS); after a large delete (the raw rows past the retention, expired dedupe keys) the
// pages on the freelist are given back a few megabytes per write, so the file shrinks to what it holds
// instead of staying at its high-water mark, and no write holds the lock long. A file made before
// (auto_vacuum off) keeps its size until one `VACUUM` (README); a store that refuses the pragma (a
// remote libSQL) is left to its own housekeeping.
import type { Db } from './types';
import { withWriteLock } from './write';

/** Pages given back per write: 2,000 pages of 4 KB, a few milliseconds under the lock. */
const PAGES_PER_STEP = 2_000;

async function pragmaNumber(db: Db, name: string): Promise<number> {
  const r = await db.$client.execute(`PRAGMA ${name}`);
  return Number(r.rows[0]?.[0] ?? 0);
}

/** Gives the freelist's pages back until none is left or `deadline` passes; returns how many pages. */
export async function reclaimFreePages(db: Db, deadline = Infinity): Promise<number> {
  try {
    // 2: incremental; 0: none (the file was made before), 1: full (SQLite already does it at each commit)
    if ((await pragmaNumber(db, 'auto_vacuum')) !== 2) return 0;
    let freed = 0;
    while (Date.now() < deadline) {
      const free = await pragmaNumber(db, 'freelist_count');
      if (free === 0) break;
      await withWriteLock(db, () => db.$client.execute(`PRAGMA incremental_vacuum(${Math.min(free, PAGES_PER_STEP)})`));
      freed += Math.min(free, PAGES_PER_STEP);
    }
    return freed;
  } catch {
    return 0;
  }
}
