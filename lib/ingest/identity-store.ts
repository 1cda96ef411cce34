// Loads the identities a batch touches into an IdentityState, and writes back what changed
// (users, devices, merge records) in the same transaction.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { bulkInsert } from '../db/bulk';
import * as s from '../db/schema';
import type { Tx } from '../db/types';
import { IdentityState } from './identity';
import type { ValidEvent } from './validate';

export async function loadIdentities(tx: Tx, projectId: number, events: ValidEvent[]): Promise<IdentityState> {
  const [{ maxAid }] = await tx.select({ maxAid: sql<number>`coalesce(max(${s.amplitudeUsers.amplitudeId}), 0)` }).from(s.amplitudeUsers);
  const state = new IdentityState(Number(maxAid) + 1);
  const deviceIds = [...new Set(events.flatMap((e) => (e.device_id !== undefined ? [e.device_id] : [])))];
  const deviceRows = deviceIds.length
    ? await tx
        .select()
        .from(s.devices)
        .where(and(eq(s.devices.projectId, projectId), inArray(s.devices.deviceId, deviceIds)))
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
  return state;
}

/** New and changed users and devices as one statement each (see bulkInsert), then the merges. */
export async function saveIdentities(tx: Tx, client: unknown, projectId: number, state: IdentityState) {
  const u = s.amplitudeUsers;
  await bulkInsert(
    tx,
    client,
    u,
    [u.amplitudeId, u.projectId, u.userId, u.createdTime, u.userProperties, u.mergedInto],
    [...state.users.values()].filter((x) => x.dirty).map((x) => [x.amplitudeId, projectId, x.userId, x.createdTime, JSON.stringify(x.props), x.mergedInto]),
    'on conflict (amplitude_id) do update set user_id = excluded.user_id, created_time = excluded.created_time, user_properties = excluded.user_properties, merged_into = excluded.merged_into',
  );
  const d = s.devices;
  await bulkInsert(
    tx,
    client,
    d,
    [d.projectId, d.deviceId, d.amplitudeId, d.lastUserId],
    [...state.devices.values()].filter((x) => x.dirty).map((x) => [projectId, x.deviceId, x.amplitudeId, x.lastUserId]),
    'on conflict (project_id, device_id) do update set amplitude_id = excluded.amplitude_id, last_user_id = excluded.last_user_id',
  );
  if (state.merges.length > 0) {
    await tx.insert(s.merges).values(state.merges.map((m) => ({ ...m, projectId, scope: projectId })));
  }
}
