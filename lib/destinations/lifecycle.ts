// Destination lifecycle rules: where hourly exports start, what disabling and re-enabling do.
import { and, eq } from 'drizzle-orm';
import * as s from '../db/schema';
import { eventsSealKind } from '../db/seal-kinds';
import type { Db } from '../db/types';
import { writeTx } from '../db/write';
import { DAY_MS, floorDay, floorHour } from '../util/hours';

export type Destination = typeof s.destinations.$inferSelect;
export type NewDestination = Omit<typeof s.destinations.$inferInsert, 'startHour' | 'plannedUntil' | 'id' | 'createdAt' | 'eventsSealKind'>;

/** A new connection exports from the earlier of the start of the current UTC day and 24 hours ago. */
export function initialStartHour(now: number): number {
  return Math.min(floorDay(now), floorHour(now - DAY_MS));
}

export async function createDestination(db: Db, input: NewDestination, now = Date.now()): Promise<Destination> {
  const start = initialStartHour(now);
  return writeTx(db, async (tx) => {
    const [d] = await tx
      .insert(s.destinations)
      .values({
        ...input,
        eventsSealKind: eventsSealKind({
          lineFormat: input.lineFormat ?? 'current',
          eventFilter: input.eventFilter ?? null,
          fileFormat: input.fileFormat ?? 'json',
        }),
        startHour: start,
        plannedUntil: start,
        verifiedAt: input.verifiedAt ?? now,
        createdAt: now,
      })
      .returning();
    return d;
  });
}

export interface EnableResult {
  destination: Destination;
  /** hours [from, to) not covered because the connection was off for more than 24 hours */
  gap: { from: number; to: number } | null;
}

/**
 * Disabling stops planning new hours (jobs already planned still finish). Re-enabling within 24 hours
 * catches up every hour missed; after longer, hourly exports resume from 24 hours ago and the earlier
 * hours are reported as a gap to backfill.
 */
export async function setEnabled(db: Db, orgId: number, id: number, enabled: boolean, now = Date.now()): Promise<EnableResult | null> {
  return writeTx(db, async (tx) => {
    const [d] = await tx
      .select()
      .from(s.destinations)
      .where(and(eq(s.destinations.id, id), eq(s.destinations.orgId, orgId)));
    if (!d) return null;
    if (d.enabled === enabled) return { destination: d, gap: null };
    if (!enabled) {
      const [u] = await tx.update(s.destinations).set({ enabled: false, disabledAt: now }).where(eq(s.destinations.id, id)).returning();
      return { destination: u, gap: null };
    }
    const floor = floorHour(now - DAY_MS);
    const gap = d.plannedUntil < floor ? { from: d.plannedUntil, to: floor } : null;
    const [u] = await tx
      .update(s.destinations)
      .set({ enabled: true, disabledAt: null, plannedUntil: Math.max(d.plannedUntil, floor) })
      .where(eq(s.destinations.id, id))
      .returning();
    return { destination: u, gap };
  });
}
