// $insert_id dedupe: an event whose (device, insert_id) was seen in the last 7 days, or earlier in the
// same request, is dropped. Amplitude keys it by device_id (user_id when the event has none). Each key
// is kept as 16 bytes of its SHA-256 (lib/ingest/prepare.ts dedupeKey). One read finds the request's keys
// seen inside the window (duplicates are rare: it mostly finds nothing), then the others are remembered
// as seen now: new, or seen before the window.
import { lt } from 'drizzle-orm';
import { readRows, runRows } from '../db/bulk';
import * as s from '../db/schema';
import type { Db, Tx } from '../db/types';
import { withWriteLock } from '../db/write';
import { toHex } from '../util/hash';
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

/** Forgets insert ids older than the dedupe window (the scheduler runs it hourly). */
export async function pruneInsertIds(db: Db, now: number) {
  await withWriteLock(db, () => db.delete(s.insertIds).where(lt(s.insertIds.seenAt, now - DEDUPE_WINDOW_MS)));
}
