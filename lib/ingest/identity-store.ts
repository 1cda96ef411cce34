// Loads the identities a batch touches into an IdentityState (one query per kind, the keys as a JSON
// array), and writes back what changed (users, devices, merge records) in the same transaction. Devices
// are kept in levels (lib/ingest/levels.ts): new and changed ones go to devices_l0, then l1, l2 and
// devices, the largest; a device in two levels is what the newer one says.
import { sql } from 'drizzle-orm';
import { readRows, runRows } from '../db/bulk';
import * as s from '../db/schema';
import type { Db, Tx } from '../db/types';
import { IdentityState } from './identity';
import { everyLevel, LEVEL_CHUNK, recountLevels, settleLevels, type Levels } from './levels';

interface Keys {
  userId: string | null;
  deviceId: string | null;
}

const USER_COLUMNS = 'amplitude_id, user_id, created_time, user_properties, merged_into, props_set';

/** The levels, newest and smallest first. */
export const DEVICE_LEVELS = ['devices_l0', 'devices_l1', 'devices_l2', 'devices'] as const;
/** Devices a level holds before it gives a chunk to the next (as the dedupe keys' levels). */
const DEVICE_LEVEL_ROWS = [8_000, 64_000, 512_000];

const DEVICES_IN_LEVELS: Levels = {
  tables: DEVICE_LEVELS,
  limits: DEVICE_LEVEL_ROWS,
  book: 'device_levels',
  key: 'device_id',
  values: ['amplitude_id'],
  keyText: (column) => column,
  keyParam: '?',
  // the moved row is the newer
  onConflict: 'amplitude_id = excluded.amplitude_id',
};

// the matches come back as one JSON array each: one row to step through instead of one per match; a
// device's row in each level that has it, with the level
const DEVICES_IN_EVERY_LEVEL = everyLevel(
  DEVICES_IN_LEVELS,
  (t, level) => `select device_id, amplitude_id, ${level} as level from ${t} where project_id = ? and device_id in (select value from json_each(?))`,
);
const DEVICES = `select json_group_array(json_array(device_id, amplitude_id, level)) from (${DEVICES_IN_EVERY_LEVEL.sql})`;
const USERS_BY_ID = `select json_group_array(json_array(${USER_COLUMNS})) from amplitude_users
  where project_id = ? and user_id in (select value from json_each(?))`;
const USERS_BY_AID = `select json_group_array(json_array(${USER_COLUMNS})) from amplitude_users
  where amplitude_id in (select value from json_each(?))`;

type UserRow = [number, string | null, number, string, number | null, number | null];

async function matches<T>(tx: Tx, client: unknown, query: string, args: unknown[]): Promise<T[]> {
  const [[json]] = await readRows(tx, client, query, args);
  return JSON.parse(json as string) as T[];
}

export async function loadIdentities(tx: Tx, client: unknown, projectId: number, events: Keys[]): Promise<IdentityState> {
  const [[maxAid]] = await readRows(tx, client, 'select coalesce(max(amplitude_id), 0) from amplitude_users', []);
  const state = new IdentityState(Number(maxAid) + 1);
  const deviceSet = new Set<string>();
  const userSet = new Set<string>();
  for (const e of events) {
    if (e.deviceId !== null) deviceSet.add(e.deviceId);
    if (e.userId !== null) userSet.add(e.userId);
  }
  const deviceIds = [...deviceSet];
  const found = deviceIds.length
    ? await matches<[string, number, number]>(tx, client, DEVICES, DEVICES_IN_EVERY_LEVEL.args([projectId, JSON.stringify(deviceIds)]))
    : [];
  // a device in two levels is what the newer (lower) one says
  const newest = new Map<string, [string, number, number]>();
  for (const d of found) if ((newest.get(d[0])?.[2] ?? Infinity) > d[2]) newest.set(d[0], d);
  const devices = [...newest.values()];
  const userIds = [...userSet];
  const users = userIds.length ? await matches<UserRow>(tx, client, USERS_BY_ID, [projectId, JSON.stringify(userIds)]) : [];
  for (const u of users) addUser(state, u);
  // a device's user: its amplitude_id (when not loaded by user_id already)
  const aids = [...new Set(devices.map((d) => d[1]).filter((aid) => !state.users.has(aid)))];
  if (aids.length) for (const u of await matches<UserRow>(tx, client, USERS_BY_AID, [JSON.stringify(aids)])) addUser(state, u);
  for (const [deviceId, amplitudeId] of devices) state.addDevice({ deviceId, amplitudeId });
  return state;
}

// the properties stay text until something needs them parsed (identity.ts userProps)
function addUser(state: IdentityState, [amplitudeId, userId, createdTime, propsJson, mergedInto, propsSet]: UserRow) {
  state.addUser({ amplitudeId, userId, createdTime, propsJson, mergedInto, propsSet });
}

const USER_WRITE = ['amplitude_id', 'project_id', 'user_id', 'created_time', 'user_properties', 'merged_into', 'props_set'];

/** New and changed users and devices (see runRows), then the merges. */
export async function saveIdentities(tx: Tx, client: unknown, projectId: number, state: IdentityState) {
  const whole: unknown[][] = [];
  const props: unknown[][] = [];
  for (const u of state.users.values()) {
    if (!u.dirty) continue;
    (u.identityChanged ? whole : props).push([u.amplitudeId, projectId, u.userId, u.createdTime, u.propsJson, u.mergedInto, u.propsSet]);
  }
  await runRows(
    tx,
    client,
    'amplitude_users',
    USER_WRITE,
    whole,
    'on conflict (amplitude_id) do update set user_id = excluded.user_id, created_time = excluded.created_time, user_properties = excluded.user_properties, merged_into = excluded.merged_into, props_set = excluded.props_set',
  );
  // most writes change only a user's properties: setting user_id as well would rewrite its index entry
  // (half the cost of these upserts, measured)
  await runRows(
    tx,
    client,
    'amplitude_users',
    USER_WRITE,
    props,
    'on conflict (amplitude_id) do update set user_properties = excluded.user_properties, props_set = excluded.props_set',
  );
  const devices = [...state.devices.values()].filter((x) => x.dirty).map((x) => [projectId, x.deviceId, x.amplitudeId]);
  if (devices.length > 0) {
    await runRows(
      tx,
      client,
      DEVICE_LEVELS[0],
      ['project_id', 'device_id', 'amplitude_id'],
      devices,
      'on conflict (project_id, device_id) do update set amplitude_id = excluded.amplitude_id',
    );
    // counted, not added to: a device changed again while in the first level is still one row there
    await tx.run(sql`update ${sql.raw(DEVICES_IN_LEVELS.book)} set keys = (select count(*) from ${sql.raw(DEVICE_LEVELS[0])}) where level = 0`);
  }
  if (state.merges.length > 0) {
    await tx.insert(s.merges).values(state.merges.map((m) => ({ ...m, projectId, scope: projectId })));
  }
}

/** One step of moving devices down their levels (lib/ingest/levels.ts), in the caller's write transaction. */
export function settleDeviceLevels(tx: Tx, client: unknown, limits = DEVICE_LEVEL_ROWS, chunk = LEVEL_CHUNK): Promise<number> {
  return settleLevels(tx, client, DEVICES_IN_LEVELS, limits, chunk);
}

/** Counts the devices in each level again (the hourly upkeep): a moved row that met an older copy of its device was counted twice. */
export function recountDeviceLevels(db: Db): Promise<void> {
  return recountLevels(db, DEVICES_IN_LEVELS);
}
