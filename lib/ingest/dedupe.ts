// $insert_id dedupe: an event whose (device, insert_id) was seen in the last 7 days, or earlier in the
// same request, is dropped. Amplitude keys it by device_id (user_id when the event has none).
import { and, eq, inArray, lt } from 'drizzle-orm';
import { bulkInsert } from '../db/bulk';
import * as s from '../db/schema';
import type { Db, Tx } from '../db/types';
import { withWriteLock } from '../db/write';
import type { ValidEvent } from './validate';

export const DEDUPE_WINDOW_MS = 7 * 24 * 3600_000;

const dedupeKey = (e: ValidEvent) => (e.device_id !== undefined ? `d:${e.device_id}` : `u:${e.user_id}`);

export interface Deduped {
  events: ValidEvent[];
  newInsertIds: { idKey: string; insertId: string }[];
}

/** The events not seen before, in request order, and the insert ids to remember. */
export async function dropDuplicates(tx: Tx, projectId: number, all: ValidEvent[], now: number): Promise<Deduped> {
  const withInsert = all.filter((e) => e.insert_id !== undefined);
  const seen = new Set<string>();
  if (withInsert.length > 0) {
    const rows = await tx
      .select({ idKey: s.insertIds.idKey, insertId: s.insertIds.insertId, seenAt: s.insertIds.seenAt })
      .from(s.insertIds)
      .where(and(eq(s.insertIds.projectId, projectId), inArray(s.insertIds.insertId, [...new Set(withInsert.map((e) => e.insert_id!))])));
    for (const r of rows) if (r.seenAt > now - DEDUPE_WINDOW_MS) seen.add(`${r.idKey}\n${r.insertId}`);
  }
  const events: ValidEvent[] = [];
  const newInsertIds: { idKey: string; insertId: string }[] = [];
  for (const e of all) {
    if (e.insert_id !== undefined) {
      const k = `${dedupeKey(e)}\n${e.insert_id}`;
      if (seen.has(k)) continue;
      seen.add(k);
      newInsertIds.push({ idKey: dedupeKey(e), insertId: e.insert_id });
    }
    events.push(e);
  }
  return { events, newInsertIds };
}

export async function rememberInsertIds(tx: Tx, client: unknown, projectId: number, ids: Deduped['newInsertIds'], now: number) {
  const ii = s.insertIds;
  await bulkInsert(
    tx,
    client,
    ii,
    [ii.projectId, ii.idKey, ii.insertId, ii.seenAt],
    ids.map((x) => [projectId, x.idKey, x.insertId, now]),
    'on conflict (project_id, id_key, insert_id) do update set seen_at = excluded.seen_at',
  );
}

/** Forgets insert ids older than the dedupe window (the scheduler runs it hourly). */
export async function pruneInsertIds(db: Db, now: number) {
  await withWriteLock(db, () => db.delete(s.insertIds).where(lt(s.insertIds.seenAt, now - DEDUPE_WINDOW_MS)));
}
