// Stores one validated request, all or nothing: dedupe by $insert_id, resolve identities, apply user and
// group property operations, stamp server times, and write every export field of each event.
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { bulkInsert } from '../db/bulk';
import * as s from '../db/schema';
import type { Db, Tx } from '../db/types';
import { writeTx } from '../db/write';
import { IdentityState, type AmpUser } from './identity';
import { applyPropertyOps } from './properties';
import { errorBody, type IngestResult } from './responses';
import { Throttle } from './throttle';
import { isObject, type JsonObject, type ValidEvent, type ValidRequest } from './validate';

// every events column, in one fixed order, with its property name in the row objects built below
const EVENT_FIELDS = Object.entries(getTableColumns(s.events)) as [keyof typeof s.events.$inferInsert, SQLiteColumn][];

export const DEDUPE_WINDOW_MS = 7 * 24 * 3600_000;
// events whose client and server clocks disagree by less than this keep the client's event time
const SKEW_TOLERANCE_MS = 60_000;

export interface IngestContext {
  /** '/2/httpapi' or '/batch': stored in `data.path`, and chooses the throttle limit */
  path: string;
  receivedAt: number;
  ip: string | null;
  payloadBytes: number;
  throttle?: Throttle;
  /** events per second per api_key (default KEY_EPS_LIMIT) */
  keyEpsLimit?: number;
  /** how long a request waits for the database write lock before answering 503 */
  writeWaitMs?: number;
  clock?: () => number;
}

const defaultThrottle = new Throttle();
export const EPS_LIMIT = { '/2/httpapi': 30, '/batch': 1_000 } as Record<string, number>;
export const KEY_EPS_LIMIT = 50_000;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function findProjectByApiKey(db: Db, apiKey: string) {
  const [p] = await db.select().from(s.projects).where(eq(s.projects.apiKey, apiKey)).limit(1);
  return p && !p.isPortfolio ? p : undefined;
}

export async function ingest(db: Db, req: ValidRequest, ctx: IngestContext): Promise<IngestResult> {
  const project = await findProjectByApiKey(db, req.apiKey);
  if (!project) return errorBody(400, { error: `Invalid API key: ${req.apiKey}` });

  // Amplitude fills a missing device_id from a hash of user_id
  await Promise.all(
    req.events.map(async (e) => {
      if (e.device_id === undefined && e.user_id !== undefined) e.device_id = (await sha256Hex(`${project.id}:${e.user_id}`)).slice(0, 32);
    }),
  );

  const throttled = (ctx.throttle ?? defaultThrottle).check({
    projectId: project.id,
    events: req.events,
    epsLimit: EPS_LIMIT[ctx.path] ?? EPS_LIMIT['/2/httpapi'],
    keyEpsLimit: ctx.keyEpsLimit ?? KEY_EPS_LIMIT,
    now: ctx.receivedAt,
  });
  if (throttled) return throttled;

  const clock = ctx.clock ?? Date.now;
  let uploadTime = 0;
  await writeTx(db, async (tx) => {
    uploadTime = clock();
    await store(tx, project.id, req, ctx, uploadTime);
  }, ctx.writeWaitMs ?? 10_000);
  return {
    status: 200,
    body: { code: 200, events_ingested: req.events.length, payload_size_bytes: ctx.payloadBytes, server_upload_time: uploadTime },
  };
}

const dedupeKey = (e: ValidEvent) => (e.device_id !== undefined ? `d:${e.device_id}` : `u:${e.user_id}`);

async function store(tx: Tx, projectId: number, req: ValidRequest, ctx: IngestContext, now: number) {
  // 1. $insert_id dedupe: against the last 7 days and within the request
  const withInsert = req.events.filter((e) => e.insert_id !== undefined);
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
  for (const e of req.events) {
    if (e.insert_id !== undefined) {
      const k = `${dedupeKey(e)}\n${e.insert_id}`;
      if (seen.has(k)) continue;
      seen.add(k);
      newInsertIds.push({ idKey: dedupeKey(e), insertId: e.insert_id });
    }
    events.push(e);
  }
  if (events.length === 0) return;

  // 2. load the identities this batch touches
  const [{ maxAid }] = await tx.select({ maxAid: sql<number>`coalesce(max(${s.amplitudeUsers.amplitudeId}), 0)` }).from(s.amplitudeUsers);
  const state = new IdentityState(Number(maxAid) + 1);
  const deviceIds = [...new Set(events.flatMap((e) => (e.device_id !== undefined ? [e.device_id] : [])))];
  const deviceRows = deviceIds.length
    ? await tx.select().from(s.devices).where(and(eq(s.devices.projectId, projectId), inArray(s.devices.deviceId, deviceIds)))
    : [];
  const userIds = new Set(events.flatMap((e) => (e.user_id !== undefined ? [e.user_id] : [])));
  for (const d of deviceRows) if (d.lastUserId !== null) userIds.add(d.lastUserId);
  const aids = deviceRows.map((d) => d.amplitudeId);
  const userRows =
    userIds.size || aids.length
      ? await tx
          .select()
          .from(s.amplitudeUsers)
          .where(
            and(
              eq(s.amplitudeUsers.projectId, projectId),
              sql`(${inArray(s.amplitudeUsers.userId, userIds.size ? [...userIds] : [''])} or ${inArray(s.amplitudeUsers.amplitudeId, aids.length ? aids : [-1])})`,
            ),
          )
      : [];
  for (const u of userRows) {
    state.addUser({ amplitudeId: u.amplitudeId, userId: u.userId, createdTime: u.createdTime, props: JSON.parse(u.userProperties), mergedInto: u.mergedInto });
  }
  for (const d of deviceRows) state.addDevice({ deviceId: d.deviceId, amplitudeId: d.amplitudeId, lastUserId: d.lastUserId });

  // groups the batch names
  const groupKeys = new Map<string, { type: string; name: string }>();
  for (const e of events) for (const g of groupsOf(e)) groupKeys.set(`${g.type}\n${g.name}`, g);
  const groupProps = new Map<string, { props: JsonObject; dirty: boolean }>();
  if (groupKeys.size > 0) {
    const rows = await tx
      .select()
      .from(s.groups)
      .where(
        and(
          eq(s.groups.projectId, projectId),
          inArray(s.groups.groupType, [...new Set([...groupKeys.values()].map((g) => g.type))]),
          inArray(s.groups.groupName, [...new Set([...groupKeys.values()].map((g) => g.name))]),
        ),
      );
    for (const r of rows) groupProps.set(`${r.groupType}\n${r.groupName}`, { props: JSON.parse(r.properties), dirty: false });
  }

  // 3. build the rows in request order
  const [{ maxId }] = await tx.select({ maxId: sql<number>`coalesce(max(${s.events.id}), 0)` }).from(s.events);
  let nextId = Number(maxId) + 1;
  const clientUploadTime = req.clientUploadTime ?? ctx.receivedAt;
  const skew = ctx.receivedAt - clientUploadTime;
  const rows: (typeof s.events.$inferInsert)[] = [];
  for (const e of events) {
    const clientEventTime = e.time ?? ctx.receivedAt;
    const eventTime = Math.abs(skew) >= SKEW_TOLERANCE_MS ? clientEventTime + skew : clientEventTime;
    const r = state.resolve(e.user_id, e.device_id, eventTime, now);
    const user: AmpUser = r.user;

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
    for (const g of groupsOf(e)) {
      const key = `${g.type}\n${g.name}`;
      let entry = groupProps.get(key);
      if (!entry) groupProps.set(key, (entry = { props: {}, dirty: true }));
      if (isGroupIdentify) {
        const res = applyPropertyOps(entry.props, e.group_properties);
        if (res.changed) {
          entry.props = res.props;
          entry.dirty = true;
        }
      }
      (eventGroupProps[g.type] ??= {})[g.name] = entry.props;
    }

    const eventProps: JsonObject = { ...(e.event_properties ?? {}) };
    for (const [from, to] of [['price', '$price'], ['quantity', '$quantity'], ['revenue', '$revenue'], ['productId', '$productId'], ['revenueType', '$revenueType']] as const) {
      if (e[from] !== undefined) eventProps[to] = e[from];
    }
    const data: JsonObject = { path: ctx.path };
    if (r.firstEvent) data.first_event = true;
    if (applied.changed) data.user_properties_updated = true;
    if (r.mergedAmplitudeId !== undefined) data.merged_amplitude_id = r.mergedAmplitudeId;
    data.group_first_event = {};
    data.group_ids = {};

    const id = nextId++;
    const str = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : null);
    const num = (k: string) => (typeof e[k] === 'number' ? (e[k] as number) : null);
    rows.push({
      id,
      projectId,
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
      serverUploadTime: now,
      processedTime: now,
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
    });
  }

  // 4. write back
  // new and changed users, devices, dedupe ids and events: one statement each (see bulkInsert)
  const u = s.amplitudeUsers;
  await bulkInsert(
    tx, u, [u.amplitudeId, u.projectId, u.userId, u.createdTime, u.userProperties, u.mergedInto],
    [...state.users.values()].filter((x) => x.dirty).map((x) => [x.amplitudeId, projectId, x.userId, x.createdTime, JSON.stringify(x.props), x.mergedInto]),
    sql`on conflict (amplitude_id) do update set user_id = excluded.user_id, created_time = excluded.created_time, user_properties = excluded.user_properties, merged_into = excluded.merged_into`,
  );
  const d = s.devices;
  await bulkInsert(
    tx, d, [d.projectId, d.deviceId, d.amplitudeId, d.lastUserId],
    [...state.devices.values()].filter((x) => x.dirty).map((x) => [projectId, x.deviceId, x.amplitudeId, x.lastUserId]),
    sql`on conflict (project_id, device_id) do update set amplitude_id = excluded.amplitude_id, last_user_id = excluded.last_user_id`,
  );
  if (state.merges.length > 0) {
    await tx.insert(s.merges).values(state.merges.map((m) => ({ ...m, projectId, scope: projectId })));
  }
  for (const [key, g] of groupProps) {
    if (!g.dirty) continue;
    const [groupType, groupName] = key.split('\n');
    await tx
      .insert(s.groups)
      .values({ projectId, groupType, groupName, properties: JSON.stringify(g.props) })
      .onConflictDoUpdate({ target: [s.groups.projectId, s.groups.groupType, s.groups.groupName], set: { properties: JSON.stringify(g.props) } });
  }
  const ii = s.insertIds;
  await bulkInsert(
    tx, ii, [ii.projectId, ii.idKey, ii.insertId, ii.seenAt],
    newInsertIds.map((x) => [projectId, x.idKey, x.insertId, now]),
    sql`on conflict (project_id, id_key, insert_id) do update set seen_at = excluded.seen_at`,
  );
  await bulkInsert(tx, s.events, EVENT_FIELDS.map(([, c]) => c), rows.map((r) => EVENT_FIELDS.map(([k]) => r[k] ?? null)));
}

function groupsOf(e: ValidEvent): { type: string; name: string }[] {
  if (!e.groups) return [];
  const out: { type: string; name: string }[] = [];
  for (const [type, v] of Object.entries(e.groups)) {
    for (const name of Array.isArray(v) ? v : [v]) {
      if (typeof name === 'string' || typeof name === 'number') out.push({ type, name: String(name) });
    }
  }
  return out;
}
