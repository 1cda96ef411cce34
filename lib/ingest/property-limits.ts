// How large what the public API key sends may make stored state: a user's and a group's properties
// (they live on across requests, and every event of the user or group carries them into its export line)
// and the groups one event names. Amplitude's documented limits where it has them, ours where not
// (README, "Bounded stored state"). A request that itself asks for more is refused with a 400; properties
// that would grow past a limit across requests are cut (lists) or left as they were (the update is
// dropped, as Amplitude drops user-property updates it will not apply).
import type { JsonObject } from './validate';

export const PROPERTY_LIMITS = {
  /** keys of one user's or group's properties (Amplitude: 1,000 user properties, 1,000 group properties) */
  maxKeys: 1_000,
  /** items of one list-valued property: $append and $postInsert keep the newest, $prepend and $preInsert the first */
  maxListItems: 1_000,
  /** one user's or group's properties as JSON text (UTF-16 code units, about bytes for ASCII) */
  maxChars: 64 * 1024,
  /** group types one event names (Amplitude: 5) */
  maxGroupTypes: 5,
  /** groups one event names, all types together (Amplitude: 10) */
  maxGroups: 10,
  /** property updates of one user an hour (Amplitude: 1,800; later ones in the hour are dropped) */
  maxUpdatesPerHour: 1_800,
} as const;

/**
 * Amplitude's rate limit on user-property updates: a user whose properties changed maxUpdatesPerHour
 * times this hour keeps them as they are until the next (its events are stored). Each update of a user
 * with large properties keeps a copy of them for the export (lib/ingest/property-sets.ts), so this is
 * what bounds that copy's rate. Counted per instance, as the throttle is.
 */
export class UpdateBudget {
  private hour = -1;
  private readonly counts = new Map<string, number>();

  /** Whether the user (`key`) may update its properties now; counts the update when it may. */
  take(key: string, now: number): boolean {
    const hour = Math.floor(now / 3_600_000);
    if (hour !== this.hour) {
      this.hour = hour;
      this.counts.clear();
    }
    const n = this.counts.get(key) ?? 0;
    if (n >= PROPERTY_LIMITS.maxUpdatesPerHour) return false;
    this.counts.set(key, n + 1);
    return true;
  }
}

/** Whether one request's property operations ask for more than a user or group may hold. */
export function opsTooLarge(ops: JsonObject): boolean {
  let keys = 0;
  for (const k in ops) {
    const v = ops[k];
    if (k.startsWith('$')) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      for (const p in v) {
        keys++;
        const x = (v as JsonObject)[p];
        if (Array.isArray(x) && x.length > PROPERTY_LIMITS.maxListItems) return true;
      }
    } else {
      keys++;
      if (Array.isArray(v) && v.length > PROPERTY_LIMITS.maxListItems) return true;
    }
  }
  return keys > PROPERTY_LIMITS.maxKeys || JSON.stringify(ops).length > PROPERTY_LIMITS.maxChars;
}

/** Whether an event's `groups` names more group types or groups than one event may. */
export function groupsTooMany(groups: JsonObject): boolean {
  let types = 0;
  let names = 0;
  for (const k in groups) {
    types++;
    const v = groups[k];
    names += Array.isArray(v) ? v.length : 1;
  }
  return types > PROPERTY_LIMITS.maxGroupTypes || names > PROPERTY_LIMITS.maxGroups;
}

/** Whether stored properties (as their JSON text) are within the limits. */
export function propertiesFit(props: JsonObject, json: string): boolean {
  if (json.length > PROPERTY_LIMITS.maxChars) return false;
  return Object.keys(props).length <= PROPERTY_LIMITS.maxKeys;
}
