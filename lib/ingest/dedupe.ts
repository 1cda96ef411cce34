// $insert_id dedupe: an event whose (device, insert_id) was seen in the last 7 days, or earlier in the
// same request, is dropped. Amplitude keys it by device_id (user_id when the event has none). Each key
// is kept as 16 bytes of its SHA-256 (lib/ingest/prepare.ts dedupeKey). One read finds the request's keys
// seen inside the window (duplicates are rare: it mostly finds nothing), then the others are remembered
// as seen now: new, or seen before the window.
import { queryRows, readRows, runRows } from '../db/bulk';
import type { Db, Tx } from '../db/types';
import { withWriteLock } from '../db/write';
import { toHex } from '../util/hash';
import { yieldToEventLoop } from '../util/yield';
import type { PreparedEvent } from './prepare';

export const DEDUPE_WINDOW_MS = 7 * 24 * 3600_000;

// the keys travel as one JSON array of hex: one statement on every client (a read first and a plain
// upsert cost less than an upsert that returns the keys it wrote, measured)
const SEEN = `select hex(key) from dedupe_ids
  where project_id = ? and seen_at > ? and key in (select unhex(value) from json_each(?))`;

/** The events not seen before, in request order; their keys are remembered as seen now. */
export async function keepNew(tx: Tx, client: unknown, projectId: number, all: PreparedEvent[], now: number): Promise<PreparedEvent[]> {
  // a key twice in the request: the first stays, the others are dropped
  const firsts = new Map<string, PreparedEvent>();
  for (const e of all) {
    if (e.dedupeKey === null) continue;
    const k = toHex(e.dedupeKey);
    if (!firsts.has(k)) firsts.set(k, e);
  }
  if (firsts.size === 0) return all;
  const seen = await readRows(tx, client, SEEN, [projectId, now - DEDUPE_WINDOW_MS, JSON.stringify([...firsts.keys()])]);
  for (const [hex] of seen) firsts.delete((hex as string).toLowerCase());
  // a key seen before the window is seen again now
  await runRows(
    tx,
    client,
    'dedupe_ids',
    ['project_id', 'key', 'seen_at'],
    [...firsts.values()].map((e) => [projectId, e.dedupeKey, now]),
    'on conflict (project_id, key) do update set seen_at = excluded.seen_at',
  );
  const kept = new Set(firsts.values());
  return all.filter((e) => e.dedupeKey === null || kept.has(e));
}

// keys read per step of the prune: a short read by primary key, outside the write lock (2,000: a writer waits
// at most ~25 ms behind a step, `npm run bench:prune`)
const PRUNE_STEP = 2_000;
const PRUNE_PAGE = `select project_id, hex(key), seen_at from dedupe_ids
  where (project_id, key) > (?, unhex(?)) order by project_id, key limit ?`;
// deletes a project's listed keys that are still expired (one may have been seen again since it was
// read); by project and key, so each key is one seek of the primary key
const PRUNE_DELETE = `delete from dedupe_ids where project_id = ? and key in (select unhex(value) from json_each(?)) and seen_at < ?`;

/**
 * Forgets insert ids older than the dedupe window (the scheduler runs it hourly). The table is walked
 * by its primary key a few thousand keys at a time, and each step's expired keys are deleted in a write
 * of their own: ingestion's writes go between them (one DELETE of millions of keys held the write lock
 * for seconds). Returns how many were forgotten.
 */
export async function pruneInsertIds(db: Db, now: number, step = PRUNE_STEP): Promise<number> {
  const cutoff = now - DEDUPE_WINDOW_MS;
  let after: [number, string] = [-1, ''];
  let forgotten = 0;
  for (;;) {
    const rows = (await queryRows(db, PRUNE_PAGE, [...after, step])) as [number, string, number][];
    if (rows.length === 0) break;
    const expired = new Map<number, string[]>();
    for (const [project, hex, seenAt] of rows) {
      if (Number(seenAt) >= cutoff) continue;
      const keys = expired.get(Number(project));
      if (keys) keys.push(hex);
      else expired.set(Number(project), [hex]);
    }
    if (expired.size > 0) {
      forgotten += await withWriteLock(db, async () => {
        let n = 0;
        for (const [project, keys] of expired)
          n += (await db.$client.execute({ sql: PRUNE_DELETE, args: [project, JSON.stringify(keys), cutoff] })).rowsAffected;
        return n;
      });
    }
    const last = rows[rows.length - 1];
    after = [Number(last[0]), last[1]];
    if (rows.length < step) break;
    await yieldToEventLoop();
  }
  return forgotten;
}
