// The stored form of an event (table event_rows, lib/db/schema.ts; `rec` and `flags` in
// lib/db/event-layout.ts) and the one mapping into it. Built in two halves: what the event itself says
// (`prepareRow`, before the write lock, possibly on another thread) and what only the write transaction
// knows (`completeRow`: identity, user and group properties, the server upload time).
// lib/export/files/render.ts is the mapping back out.
import { EVENT_ROW_COLUMNS, FLAGS, groupsLineJson, PATHS, REC, REC_FIELDS, REC_REALS, REC_SEP, REC_STRINGS, tri } from '../db/event-layout';
import { lz4Compress } from '../util/lz4';
import type { IngestDoor } from './doors';
import { isObject, type JsonObject, type ValidEvent } from './validate';

/** The columns of an event_rows insert, in bind order. */
export const ROW_COLUMNS = EVENT_ROW_COLUMNS;

/** Position of each column in a row array. */
export const R = Object.fromEntries(ROW_COLUMNS.map((c, i) => [c, i])) as { [K in (typeof ROW_COLUMNS)[number]]: number };

export type RowValue = string | number | Uint8Array | null;
export type Row = RowValue[];

// event_properties shorter than this are kept as text: compression would not pay
const COMPRESS_FROM = 96;
const encoder = new TextEncoder();

// events whose client and server clocks disagree by less than this keep the client's event time
const SKEW_TOLERANCE_MS = 60_000;

// top-level revenue fields Amplitude also keeps as `$`-prefixed event properties
const REVENUE_FIELDS = [
  ['price', '$price'],
  ['quantity', '$quantity'],
  ['revenue', '$revenue'],
  ['productId', '$productId'],
  ['revenueType', '$revenueType'],
] as const;

export interface RequestContext {
  path: IngestDoor;
  receivedAt: number;
  /** the device's upload time (request-level), or null when the client sent none */
  clientUploadTime: number | null;
  /** the sender's address, for `ip: "$remote"` and events without one */
  ip: string | null;
}

/** Event time as Amplitude computes it: the client's clock, corrected when it is off by a minute or more. */
export function eventTimes(e: ValidEvent, ctx: Pick<RequestContext, 'receivedAt' | 'clientUploadTime'>) {
  const clientUploadTime = ctx.clientUploadTime ?? ctx.receivedAt;
  const skew = ctx.receivedAt - clientUploadTime;
  const clientEventTime = e.time ?? ctx.receivedAt;
  const eventTime = Math.abs(skew) >= SKEW_TOLERANCE_MS ? clientEventTime + skew : clientEventTime;
  return { clientUploadTime, clientEventTime, eventTime };
}

const literal = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : 'null');

/** The event's `rec` (lib/db/event-layout.ts): its own fields as JSON literals, trailing nulls left out. */
function recOf(e: ValidEvent, ctx: RequestContext, times: ReturnType<typeof eventTimes>): string {
  const parts: string[] = [
    JSON.stringify(e.event_type),
    String(e.session_id ?? -1),
    String(times.clientEventTime - ctx.receivedAt),
    String(times.eventTime - ctx.receivedAt),
    String(times.clientUploadTime - ctx.receivedAt),
    literal(e.insert_id),
    e.event_id !== undefined ? String(e.event_id) : 'null',
    groupsLineJson(e.groups) ?? 'null',
  ];
  const ip = e.ip;
  parts.push(literal(ip === '$remote' || typeof ip !== 'string' ? ctx.ip : ip));
  for (const { from, real } of REC_OPTIONAL) {
    const v = from === 'app_version' && typeof e.app_version !== 'string' ? e.version_name : e[from];
    parts.push(real ? (typeof v === 'number' ? JSON.stringify(v) : 'null') : literal(v));
  }
  let last = parts.length - 1;
  while (parts[last] === 'null') last--;
  parts.length = last + 1;
  return parts.join(REC_SEP);
}

// how an event names each optional field of `rec`
const REC_SOURCE: Partial<Record<string, string>> = Object.fromEntries(REC_STRINGS);
// the fields of `rec` after ip_address: the event's name for each, and whether it is a number
const REC_OPTIONAL = REC_FIELDS.slice(REC.ip_address + 1).map((field) => ({ from: REC_SOURCE[field] ?? field, real: REC_REALS.includes(field) }));

/** UTF-8 LZ4-compressed when that saves a fifth, else the text itself. */
export function packProperties(json: string): string | Uint8Array {
  if (json.length < COMPRESS_FROM) return json;
  // encoded into a buffer kept between calls (lz4Compress copies what it keeps)
  if (utf8.length < json.length * 3) utf8 = new Uint8Array(json.length * 3);
  const { written } = encoder.encodeInto(json, utf8);
  return lz4Compress(utf8.subarray(0, written)) ?? json;
}
let utf8 = new Uint8Array(1 << 12);

/** `n` UUIDs (version 4) as 16 bytes each, from one call for random bytes. */
export function randomUuids(n: number): Uint8Array {
  const out = new Uint8Array(16 * n);
  // getRandomValues fills at most 65,536 bytes a call
  for (let i = 0; i < out.length; i += 65_536) crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65_536)));
  for (let i = 0; i < out.length; i += 16) {
    out[i + 6] = (out[i + 6] & 0x0f) | 0x40;
    out[i + 8] = (out[i + 8] & 0x3f) | 0x80;
  }
  return out;
}

/**
 * The half of an event's row that depends on the event alone, with the project (prepare.ts
 * assignProject) and the identity-dependent columns (completeRow) left null. `uuid` is its 16 random bytes.
 */
export function prepareRow(e: ValidEvent, ctx: RequestContext, uuid: Uint8Array): Row {
  const path = PATHS.indexOf(ctx.path);
  if (path < 0) throw new Error(`unknown ingestion door ${ctx.path}`);
  const paying = typeof e.paying === 'boolean' ? e.paying : e.revenue !== undefined || e.price !== undefined ? true : null;
  const attribution = typeof e.is_attribution_event === 'boolean' ? e.is_attribution_event : null;
  let eventProps: JsonObject = e.event_properties ?? {};
  // copied only when revenue fields join it (the event's own object is not changed)
  if (REVENUE_FIELDS.some((f) => e[f[0]] !== undefined)) {
    eventProps = { ...eventProps };
    for (const [from, to] of REVENUE_FIELDS) if (e[from] !== undefined) eventProps[to] = e[from];
  }
  const row: Row = new Array(ROW_COLUMNS.length).fill(null);
  row[R.user_id] = e.user_id ?? null;
  row[R.device_id] = e.device_id ?? null;
  row[R.flags] = (path << FLAGS.pathShift) | (tri(paying) << FLAGS.payingShift) | (tri(attribution) << FLAGS.attributionShift);
  row[R.event_properties] = packProperties(JSON.stringify(eventProps));
  row[R.uuid] = uuid;
  row[R.rec] = recOf(e, ctx, eventTimes(e, ctx));
  return row;
}

/** The user operations an event carries: its user_properties, and its groups as a $set (group membership is a user property). */
export function userOpsOf(e: ValidEvent): JsonObject | undefined {
  // $groupidentify changes the group, not the user
  if (e.event_type === '$groupidentify') return undefined;
  if (!e.groups) return e.user_properties;
  const ops: JsonObject = { ...(e.user_properties ?? {}) };
  ops.$set = { ...(isObject(ops.$set) ? ops.$set : {}), ...e.groups };
  return ops;
}

export interface RowCompletion {
  now: number;
  receivedAt: number;
  amplitudeId: number;
  /** absolute event time and the user's creation time */
  eventTime: number;
  userCreationTime: number;
  firstEvent: boolean;
  propertiesUpdated: boolean;
  mergedAmplitudeId: number | undefined;
  userPropertiesJson: string;
  groupPropertiesJson: string;
}

// the flags completeRow sets: cleared first, so a transaction run again (lib/ingest/group-commit.ts) sets them afresh
const COMPLETION_FLAGS = FLAGS.firstEvent | FLAGS.propertiesUpdated;

/** Fills the columns only the write transaction knows (again, when it runs again). */
export function completeRow(row: Row, c: RowCompletion): Row {
  row[R.server_upload_time] = c.now;
  row[R.received_ago] = c.now - c.receivedAt;
  row[R.amplitude_id] = c.amplitudeId;
  row[R.user_created] = c.eventTime - c.userCreationTime;
  row[R.flags] = ((row[R.flags] as number) & ~COMPLETION_FLAGS) | (c.firstEvent ? FLAGS.firstEvent : 0) | (c.propertiesUpdated ? FLAGS.propertiesUpdated : 0);
  row[R.merged_amplitude_id] = c.mergedAmplitudeId ?? null;
  row[R.user_properties] = c.userPropertiesJson;
  row[R.group_properties] = c.groupPropertiesJson === '{}' ? null : c.groupPropertiesJson;
  // named afterwards when the properties are large (lib/ingest/property-sets.ts)
  row[R.user_props_set] = null;
  row[R.group_sets] = null;
  return row;
}
