// The mapping from an accepted event to its stored row: every export field, server times stamped,
// identity and user properties resolved in request order. Pure apart from the states it updates.
import { getTableColumns } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as s from '../db/schema';
import type { GroupState } from './groups';
import { groupsOf } from './groups';
import type { IdentityState } from './identity';
import { applyPropertyOps } from './properties';
import { isObject, type JsonObject, type ValidEvent } from './validate';

export type EventRow = typeof s.events.$inferInsert;

// every events column, in one fixed order, with its property name in the row objects built below
export const EVENT_FIELDS = Object.entries(getTableColumns(s.events)) as [keyof EventRow, SQLiteColumn][];

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

export interface RowContext {
  projectId: number;
  /** the door the request came in by: stored in `data.path` */
  path: string;
  receivedAt: number;
  /** the device's upload time (request-level), or null when the client sent none */
  clientUploadTime: number | null;
  /** server_upload_time of this request */
  now: number;
  ip: string | null;
  nextId: number;
}

/** Event time as Amplitude computes it: the client's clock, corrected when it is off by a minute or more. */
function eventTimes(e: ValidEvent, ctx: RowContext) {
  const clientUploadTime = ctx.clientUploadTime ?? ctx.receivedAt;
  const skew = ctx.receivedAt - clientUploadTime;
  const clientEventTime = e.time ?? ctx.receivedAt;
  const eventTime = Math.abs(skew) >= SKEW_TOLERANCE_MS ? clientEventTime + skew : clientEventTime;
  return { clientUploadTime, clientEventTime, eventTime };
}

/**
 * Resolves the event's identity, applies its user (or, for $groupidentify, group) operations, and
 * returns its row. Also the path of the Identify API, which keeps the state changes and drops the row.
 * Long by nature: most of it is the row literal, one line per export column.
 */
export function buildRow(e: ValidEvent, ctx: RowContext, identities: IdentityState, groups: GroupState): EventRow {
  const { clientUploadTime, clientEventTime, eventTime } = eventTimes(e, ctx);
  const r = identities.resolve(e.user_id, e.device_id, eventTime, ctx.now);
  const user = r.user;

  const isGroupIdentify = e.event_type === '$groupidentify';
  const userOps: JsonObject = { ...(e.user_properties ?? {}) };
  if (!isGroupIdentify && e.groups) {
    // group membership is also a user property
    userOps.$set = { ...(isObject(userOps.$set) ? userOps.$set : {}), ...e.groups };
  }
  const applied = isGroupIdentify ? { props: user.props, changed: false } : applyPropertyOps(user.props, userOps);
  if (applied.changed) {
    user.props = applied.props;
    user.dirty = true;
  }
  const eventGroupProps: Record<string, Record<string, JsonObject>> = {};
  for (const g of groupsOf(e.groups)) {
    if (isGroupIdentify) groups.apply(g, e.group_properties);
    (eventGroupProps[g.type] ??= {})[g.name] = groups.props(g);
  }

  const eventProps: JsonObject = { ...(e.event_properties ?? {}) };
  for (const [from, to] of REVENUE_FIELDS) if (e[from] !== undefined) eventProps[to] = e[from];
  const data: JsonObject = { path: ctx.path };
  if (r.firstEvent) data.first_event = true;
  if (applied.changed) data.user_properties_updated = true;
  if (r.mergedAmplitudeId !== undefined) data.merged_amplitude_id = r.mergedAmplitudeId;
  data.group_first_event = {};
  data.group_ids = {};

  const id = ctx.nextId++;
  const str = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : null);
  const num = (k: string) => (typeof e[k] === 'number' ? (e[k] as number) : null);
  return {
    id,
    projectId: ctx.projectId,
    eventId: e.event_id ?? id,
    uuid: crypto.randomUUID(),
    eventType: e.event_type,
    amplitudeEventType: e.event_type.startsWith('$') ? e.event_type : null,
    amplitudeId: user.amplitudeId,
    userId: e.user_id ?? null,
    deviceId: e.device_id ?? null,
    sessionId: e.session_id ?? -1,
    insertId: e.insert_id ?? null,
    serverReceivedTime: ctx.receivedAt,
    serverUploadTime: ctx.now,
    processedTime: ctx.now,
    clientUploadTime,
    clientEventTime,
    eventTime,
    userCreationTime: user.createdTime,
    appVersion: str('app_version') ?? str('version_name'),
    startVersion: str('start_version'),
    platform: str('platform'),
    osName: str('os_name'),
    osVersion: str('os_version'),
    deviceBrand: str('device_brand'),
    deviceManufacturer: str('device_manufacturer'),
    deviceModel: str('device_model'),
    deviceFamily: str('device_family'),
    deviceType: str('device_type'),
    deviceCarrier: str('carrier'),
    country: str('country'),
    region: str('region'),
    city: str('city'),
    dma: str('dma'),
    language: str('language'),
    locationLat: num('location_lat'),
    locationLng: num('location_lng'),
    ipAddress: str('ip') === '$remote' || str('ip') === null ? ctx.ip : str('ip'),
    library: str('library'),
    idfa: str('idfa'),
    adid: str('adid'),
    paying: typeof e.paying === 'boolean' ? e.paying : e.revenue !== undefined || e.price !== undefined ? true : null,
    isAttributionEvent: typeof e.is_attribution_event === 'boolean' ? e.is_attribution_event : null,
    amplitudeAttributionIds: str('amplitude_attribution_ids'),
    eventProperties: JSON.stringify(eventProps),
    userProperties: JSON.stringify(user.props),
    groups: JSON.stringify(e.groups ?? {}),
    groupProperties: JSON.stringify(eventGroupProps),
    data: JSON.stringify(data),
  };
}
