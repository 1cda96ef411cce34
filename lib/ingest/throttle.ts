// Events-per-second limits per device and per user, Amplitude style: a request whose events would push
// a device or user over its limit in the current second is refused whole with 429, listing them.
// In-process state: one app instance is the unit that enforces it.
import { errorBody, type IngestResult } from './responses';

export interface ThrottleInput {
  projectId: number;
  /** the key the events came with: named in a refusal for the whole key (lib/ingest/key-gate.ts) */
  apiKey?: string;
  events: { index: number; user_id?: string; device_id?: string }[];
  epsLimit: number;
  /** events per second for the whole api key (project), all devices together */
  keyEpsLimit?: number;
  now: number;
}

interface Counts {
  events: number;
  d: Map<string, number>;
  u: Map<string, number>;
}

export class Throttle {
  private second = 0;
  private projects = new Map<number, Counts>();

  /** Returns a 429 result, or null and counts the events as accepted. Two limits (key, device and user) and Amplitude's 429 body: one check, so nothing is counted unless all pass. */
  check({ projectId, apiKey, events, epsLimit, keyEpsLimit, now }: ThrottleInput): IngestResult | null {
    const sec = Math.floor(now / 1000);
    if (sec !== this.second) {
      this.second = sec;
      this.projects.clear();
    }
    let counts = this.projects.get(projectId);
    if (!counts) this.projects.set(projectId, (counts = { events: 0, d: new Map(), u: new Map() }));
    const total = counts.events + events.length;
    if (keyEpsLimit !== undefined && total > keyEpsLimit) {
      const refused = tooMany(
        'Too many requests for this api_key',
        keyEpsLimit,
        {},
        {},
        events.map((e) => e.index),
      );
      return apiKey === undefined ? refused : { ...refused, keyRefused: { apiKey, until: (sec + 1) * 1000 } };
    }
    // counted in place, one map update per id: a request within its limits (nearly all) costs no more;
    // one that crosses a limit is uncounted and explained by `refusal`
    let over = false;
    for (const e of events) {
      if (e.device_id !== undefined && bump(counts.d, e.device_id, 1) > epsLimit) over = true;
      if (e.user_id !== undefined && bump(counts.u, e.user_id, 1) > epsLimit) over = true;
    }
    if (over) {
      for (const e of events) {
        if (e.device_id !== undefined) bump(counts.d, e.device_id, -1);
        if (e.user_id !== undefined) bump(counts.u, e.user_id, -1);
      }
      return refusal(counts, events, epsLimit);
    }
    counts.events = total;
    return null;
  }
}

const bump = (m: Map<string, number>, id: string, by: number) => {
  const n = (m.get(id) ?? 0) + by;
  m.set(id, n);
  return n;
};

/** The 429 of a request that crosses the per-device or per-user limit: every event over it, with the counts it would reach. */
function refusal(counts: Counts, events: ThrottleInput['events'], epsLimit: number): IngestResult {
  // this request's events per device and user, on top of what this second already counted
  const pending = { d: new Map<string, number>(), u: new Map<string, number>() };
  const throttledDevices: Record<string, number> = {};
  const throttledUsers: Record<string, number> = {};
  const throttledEvents: number[] = [];
  for (const e of events) {
    let over = false;
    for (const kind of ['d', 'u'] as const) {
      const id = kind === 'd' ? e.device_id : e.user_id;
      if (id === undefined) continue;
      const mine = (pending[kind].get(id) ?? 0) + 1;
      pending[kind].set(id, mine);
      const n = (counts[kind].get(id) ?? 0) + mine;
      if (n > epsLimit) {
        over = true;
        if (kind === 'd') throttledDevices[id] = n;
        else throttledUsers[id] = n;
      }
    }
    if (over) throttledEvents.push(e.index);
  }
  return tooMany('Too many requests for some devices and users', epsLimit, throttledDevices, throttledUsers, throttledEvents);
}

/** Amplitude's 429 body: what was over which threshold; retry in a second. */
export function tooMany(error: string, threshold: number, devices: Record<string, number>, users: Record<string, number>, events: number[]): IngestResult {
  return {
    ...errorBody(429, {
      error,
      eps_threshold: threshold,
      throttled_devices: devices,
      throttled_users: users,
      throttled_events: events,
      exceeded_daily_quota_devices: {},
      exceeded_daily_quota_users: {},
    }),
    headers: { 'Retry-After': '1' },
  };
}
