// Group properties: the groups a batch names are loaded once, changed in memory by $groupidentify
// operations, and the changed ones written back. Events carry the group's properties as they stand.
import { and, eq, inArray } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Tx } from '../db/types';
import { applyPropertyOps } from './properties';
import type { JsonObject } from './validate';

export interface GroupRef {
  type: string;
  name: string;
}

/** `groups` as events send it: `{type: name}` or `{type: [names]}`; numbers become text. */
export function groupsOf(groups: JsonObject | undefined): GroupRef[] {
  if (!groups) return [];
  const out: GroupRef[] = [];
  for (const [type, v] of Object.entries(groups)) {
    for (const name of Array.isArray(v) ? v : [v]) {
      if (typeof name === 'string' || typeof name === 'number') out.push({ type, name: String(name) });
    }
  }
  return out;
}

const keyOf = (g: GroupRef) => `${g.type}\n${g.name}`;

export class GroupState {
  private readonly entries = new Map<string, { ref: GroupRef; props: JsonObject; dirty: boolean }>();

  static async load(tx: Tx, projectId: number, refs: GroupRef[]): Promise<GroupState> {
    const state = new GroupState();
    if (refs.length === 0) return state;
    const rows = await tx
      .select()
      .from(s.groups)
      .where(
        and(
          eq(s.groups.projectId, projectId),
          inArray(s.groups.groupType, [...new Set(refs.map((g) => g.type))]),
          inArray(s.groups.groupName, [...new Set(refs.map((g) => g.name))]),
        ),
      );
    for (const r of rows) {
      const ref = { type: r.groupType, name: r.groupName };
      state.entries.set(keyOf(ref), { ref, props: JSON.parse(r.properties), dirty: false });
    }
    return state;
  }

  private entry(ref: GroupRef) {
    let e = this.entries.get(keyOf(ref));
    // a group first named by an event exists from then on, with no properties
    if (!e) this.entries.set(keyOf(ref), (e = { ref, props: {}, dirty: true }));
    return e;
  }

  /** The group's properties now (creating the group on first sight). */
  props(ref: GroupRef): JsonObject {
    return this.entry(ref).props;
  }

  /** Applies $set/$add/… operations to a group's properties. */
  apply(ref: GroupRef, ops: JsonObject | undefined) {
    const e = this.entry(ref);
    const res = applyPropertyOps(e.props, ops);
    if (res.changed) {
      e.props = res.props;
      e.dirty = true;
    }
  }

  async save(tx: Tx, projectId: number) {
    for (const { ref, props, dirty } of this.entries.values()) {
      if (!dirty) continue;
      const properties = JSON.stringify(props);
      await tx
        .insert(s.groups)
        .values({ projectId, groupType: ref.type, groupName: ref.name, properties })
        .onConflictDoUpdate({ target: [s.groups.projectId, s.groups.groupType, s.groups.groupName], set: { properties } });
    }
  }
}
