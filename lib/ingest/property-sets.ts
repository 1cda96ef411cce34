// Large user and group properties are kept once (table property_sets) and named by the event rows that
// carry them, instead of copied into every row: the first event that needs a user's (or group's)
// properties as they are now makes their set, and every later event names it until they change. So an
// event costs the same whatever its user's properties have grown to. The export line still carries them
// whole (lib/db/event-layout.ts USER_PROPERTIES_SQL, GROUP_PROPERTIES_SQL).
import { sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Tx } from '../db/types';

/** Properties longer than this (as JSON text) go into a set; shorter ones are copied into the row. */
export const INLINE_MAX = 1_024;

/** A set to be made in this transaction; its id once written. */
export interface PendingSet {
  json: string;
  id: number | null;
}

/** What holds properties that may get a set: a user (lib/ingest/identity.ts) or a group (groups.ts). */
export interface SetHolder {
  propsJson: string;
  propsSet: number | null;
  pendingSet?: PendingSet;
  dirty: boolean;
}

/** The sets one write transaction names and makes. */
export class PropertySets {
  private readonly made: { holder: SetHolder; set: PendingSet }[] = [];
  private readonly named = new Set<number>();

  /** The set holding `holder`'s properties now: its id, or one to be made by `write`. */
  of(holder: SetHolder): number | PendingSet {
    if (holder.propsSet !== null) {
      this.named.add(holder.propsSet);
      return holder.propsSet;
    }
    if (!holder.pendingSet) {
      holder.pendingSet = { json: holder.propsJson, id: null };
      this.made.push({ holder, set: holder.pendingSet });
    }
    return holder.pendingSet;
  }

  /** Makes the pending sets (their holders remember them) and stamps every named set as used `now`. */
  async write(tx: Tx, projectId: number, now: number) {
    for (const m of this.made) {
      const [row] = await tx.insert(s.propertySets).values({ projectId, json: m.set.json, lastUsed: now }).returning({ id: s.propertySets.id });
      m.set.id = row.id;
      // still the holder's current properties: remembered, so later events name the same set
      if (m.holder.pendingSet === m.set) {
        m.holder.propsSet = row.id;
        m.holder.pendingSet = undefined;
        m.holder.dirty = true;
      }
    }
    // the ids as one JSON parameter: a request may name thousands
    if (this.named.size > 0)
      await tx.run(sql`update property_sets set last_used = ${now} where id in (select value from json_each(${JSON.stringify([...this.named])}))`);
  }
}

/** The id a row names: known at once, or once `write` made the set. */
export const setId = (v: number | PendingSet): number => {
  const id = typeof v === 'number' ? v : v.id;
  if (id === null) throw new Error('property set named before it was written');
  return id;
};
