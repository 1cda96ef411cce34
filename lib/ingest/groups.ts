// Group properties: the groups a batch names are loaded once, changed in memory by $groupidentify
// operations, and the changed ones written back. Events carry the group's properties as they stand.
import { readRows, runRows } from '../db/bulk';
import type { Tx } from '../db/types';
import { applyPropertyOps } from './properties';
import type { PendingSet, SetHolder } from './property-sets';
import type { JsonObject } from './validate';

// `groups` as events send it, `{type: name}` or `{type: [names]}`, read by lib/db/event-layout.ts
export type { GroupRef } from '../db/event-layout';
import type { GroupRef } from '../db/event-layout';
const keyOf = (g: GroupRef) => `${g.type}\n${g.name}`;

/** One group as a batch holds it: its properties as text (parsed when operations change them) and their set. */
export interface GroupEntry extends SetHolder {
  ref: GroupRef;
  props: JsonObject | null;
  pendingSet?: PendingSet;
}

// the groups a batch names travel as one JSON parameter: a request may name thousands
const LOAD = `select group_type, group_name, properties, props_set from groups
  where project_id = ? and (group_type, group_name) in (select value ->> 0, value ->> 1 from json_each(?))`;

export class GroupState {
  private readonly entries = new Map<string, GroupEntry>();

  static async load(tx: Tx, client: unknown, projectId: number, refs: GroupRef[]): Promise<GroupState> {
    const state = new GroupState();
    if (refs.length === 0) return state;
    const wanted = new Map(refs.map((g) => [keyOf(g), [g.type, g.name]]));
    for (const [type, name, propsJson, propsSet] of await readRows(tx, client, LOAD, [projectId, JSON.stringify([...wanted.values()])])) {
      const ref = { type: type as string, name: name as string };
      state.entries.set(keyOf(ref), { ref, propsJson: propsJson as string, props: null, propsSet: (propsSet as number | null) ?? null, dirty: false });
    }
    return state;
  }

  /** The group (created on first sight: a group first named by an event exists from then on, with no properties). */
  entry(ref: GroupRef): GroupEntry {
    let e = this.entries.get(keyOf(ref));
    if (!e) this.entries.set(keyOf(ref), (e = { ref, propsJson: '{}', props: {}, propsSet: null, dirty: true }));
    return e;
  }

  /** The group's properties now, parsed. */
  props(ref: GroupRef): JsonObject {
    const e = this.entry(ref);
    return (e.props ??= JSON.parse(e.propsJson) as JsonObject);
  }

  /** Applies $set/$add/… operations to a group's properties (within PROPERTY_LIMITS, or not at all). */
  apply(ref: GroupRef, ops: JsonObject | undefined) {
    const e = this.entry(ref);
    const res = applyPropertyOps(this.props(ref), ops, e.propsJson);
    if (res.changed) {
      e.props = res.props;
      e.propsJson = res.json;
      e.propsSet = null;
      e.pendingSet = undefined;
      e.dirty = true;
    }
  }

  async save(tx: Tx, client: unknown, projectId: number) {
    const rows: unknown[][] = [];
    for (const e of this.entries.values()) if (e.dirty) rows.push([projectId, e.ref.type, e.ref.name, e.propsJson, e.propsSet]);
    await runRows(
      tx,
      client,
      'groups',
      ['project_id', 'group_type', 'group_name', 'properties', 'props_set'],
      rows,
      'on conflict (project_id, group_type, group_name) do update set properties = excluded.properties, props_set = excluded.props_set',
    );
  }
}
