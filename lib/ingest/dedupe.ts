// $insert_id dedupe: an event whose (device, insert_id) was seen in the last 7 days, or earlier in the
// same request, is dropped. Amplitude keys it by device_id (user_id when the event has none). Each key
// is kept as 16 bytes of its SHA-256 (lib/ingest/prepare.ts dedupeKey), and one upsert both looks it up
// and remembers it: it writes (new, or seen before the window) or does nothing (a duplicate).
import { lt } from 'drizzle-orm';
import { upsertRows } from '../db/bulk';
import * as s from '../db/schema';
import type { Db, Tx } from '../db/types';
import { withWriteLock } from '../db/write';
import { toHex } from '../util/hash';
import type { PreparedEvent } from './prepare';

export const DEDUPE_WINDOW_MS = 7 * 24 * 3600_000;

/** The events not seen before, in request order; their keys are remembered as seen now. */
export async function keepNew(tx: Tx, client: unknown, projectId: number, all: PreparedEvent[], now: number): Promise<PreparedEvent[]> {
  const dropped = new Set<PreparedEvent>();
  const keyed = all.filter((e) => e.dedupeKey !== null);
  if (keyed.length === 0) return all;
  // a key twice in the request: the first stays, the others are dropped here (the upserts write many
  // rows a statement, and tell which were written by their keys)
  const firsts = new Map<string, PreparedEvent>();
  for (const e of keyed) {
    const k = toHex(e.dedupeKey!);
    if (firsts.has(k)) dropped.add(e);
    else firsts.set(k, e);
  }
  const unique = firsts.size === keyed.length ? keyed : [...firsts.values()];
  const written = await upsertRows(
    tx,
    client,
    'dedupe_ids',
    ['project_id', 'key', 'seen_at'],
    unique.map((e) => [projectId, e.dedupeKey, now]),
    // a key seen inside the window is a duplicate: the row stays as it is and the event is dropped
    `on conflict (project_id, key) do update set seen_at = excluded.seen_at where seen_at <= excluded.seen_at - ${DEDUPE_WINDOW_MS}`,
    1,
  );
  unique.forEach((e, i) => written[i] || dropped.add(e));
  return dropped.size === 0 ? all : all.filter((e) => !dropped.has(e));
}

/** Forgets insert ids older than the dedupe window (the scheduler runs it hourly). */
export async function pruneInsertIds(db: Db, now: number) {
  await withWriteLock(db, () => db.delete(s.insertIds).where(lt(s.insertIds.seenAt, now - DEDUPE_WINDOW_MS)));
}
