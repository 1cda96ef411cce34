// Devices kept in levels (lib/ingest/identity-store.ts, lib/ingest/levels.ts): a device is found in any
// level, the newest level's row wins, moves keep it, and the first level's count stays exact.
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../db/client';
import type { Db } from '../db/types';
import * as s from '../db/schema';
import { writeTx } from '../db/write';
import { freshDatabase } from '../../test/support/db';
import { ingestAt } from '../../test/support/engine';
import { seedOrg } from '../../test/support/seed';
import { DEVICE_LEVELS, recountDeviceLevels, settleDeviceLevels } from './identity-store';

let database: Database;
let seed: Awaited<ReturnType<typeof seedOrg>>;
beforeEach(async () => {
  database = await freshDatabase();
  seed = await seedOrg(database.db, 'device-levels');
});
afterEach(() => database.close());

const send = (events: Record<string, unknown>[]) => ingestAt(database.db, seed.project.apiKey!, events, Date.now());
/** The amplitude_id the device's latest event was stored with. */
const amplitudeIdOf = async (deviceId: string) => {
  const r = await database.client.execute({ sql: 'select amplitude_id from event_rows where device_id = ? order by id desc limit 1', args: [deviceId] });
  return Number(r.rows[0][0]);
};
/** Where each level has the device: its amplitude_id there, or undefined. */
const levelsOf = async (deviceId: string) => {
  const out: (number | undefined)[] = [];
  for (const table of DEVICE_LEVELS) {
    const r = await database.client.execute({ sql: `select amplitude_id from ${table} where device_id = ?`, args: [deviceId] });
    out.push(r.rows.length ? Number(r.rows[0][0]) : undefined);
  }
  return out;
};
const bookCounts = async () => (await database.db.select().from(s.deviceLevels).orderBy(s.deviceLevels.level)).map((r) => r.keys);
// every level over a limit of 1: each step moves what the level holds, at least 8 rows
const settleAll = async () => {
  for (let i = 0; i < 3; i++) await writeTx(database.db, (tx) => settleDeviceLevels(tx, database.db.$client, [0, 0, 0], 8));
};

it('finds a device in the last level, after its row moved all the way down', async () => {
  await send([{ device_id: 'device-deep-1', event_type: 'first' }]);
  const aid = await amplitudeIdOf('device-deep-1');
  expect(await levelsOf('device-deep-1')).toEqual([aid, undefined, undefined, undefined]);
  await settleAll();
  expect(await levelsOf('device-deep-1')).toEqual([undefined, undefined, undefined, aid]);
  expect(await bookCounts()).toEqual([0, 0, 0]);
  // the same anonymous device again: the same amplitude_id, no new row anywhere
  await send([{ device_id: 'device-deep-1', event_type: 'second' }]);
  expect(await amplitudeIdOf('device-deep-1')).toBe(aid);
  expect(await levelsOf('device-deep-1')).toEqual([undefined, undefined, undefined, aid]);
});

it('takes the newer level’s row, and a move carries it over the older one', async () => {
  // an anonymous device moved down, then its user logs in on it as a user already known elsewhere: merged
  await send([{ user_id: 'known-user-1', device_id: 'device-other-1', event_type: 'a' }]);
  await send([{ device_id: 'device-merge-1', event_type: 'anonymous' }]);
  const anonymous = await amplitudeIdOf('device-merge-1');
  await settleAll();
  await send([{ user_id: 'known-user-1', device_id: 'device-merge-1', event_type: 'login' }]);
  const user = await amplitudeIdOf('device-merge-1');
  expect(user).not.toBe(anonymous);
  // the device now points at the user: in the first level, while the last still has the anonymous id
  expect(await levelsOf('device-merge-1')).toEqual([user, undefined, undefined, anonymous]);
  await send([{ device_id: 'device-merge-1', event_type: 'after' }]);
  expect(await amplitudeIdOf('device-merge-1')).toBe(user);
  await settleAll();
  expect(await levelsOf('device-merge-1')).toEqual([undefined, undefined, undefined, user]);
  await send([{ device_id: 'device-merge-1', event_type: 'after the move' }]);
  expect(await amplitudeIdOf('device-merge-1')).toBe(user);
});

it('counts the first level’s rows, however often a device there changes', async () => {
  await send([
    { device_id: 'device-count-1', event_type: 'a' },
    { device_id: 'device-count-2', event_type: 'a' },
    { user_id: 'count-user-1', device_id: 'device-count-9', event_type: 'a' },
  ]);
  expect(await bookCounts()).toEqual([3, 0, 0]);
  // device-count-1's anonymous id merges into a known user (its row changes), a known device again
  // (no change), a new device
  await send([
    { user_id: 'count-user-1', device_id: 'device-count-1', event_type: 'login' },
    { device_id: 'device-count-2', event_type: 'b' },
    { device_id: 'device-count-3', event_type: 'a' },
  ]);
  expect(await bookCounts()).toEqual([4, 0, 0]);
  expect(await levelsOf('device-count-1')).toEqual([await amplitudeIdOf('device-count-9'), undefined, undefined, undefined]);
  // past its limit of 1 by 3: three of its lowest devices move at once
  expect(await writeTx(database.db, (tx) => settleDeviceLevels(tx, database.db.$client, [1, 10, 10], 2))).toBe(3);
  expect(await bookCounts()).toEqual([1, 3, 0]);
});

it('counts a level again when a moved device met its older copy there', async () => {
  const settle = () => writeTx(database.db, (tx) => settleDeviceLevels(tx, database.db.$client, [0, 10, 10], 8));
  await send([
    { user_id: 'drift-user-1', device_id: 'device-drift-9', event_type: 'a' },
    { device_id: 'device-drift-1', event_type: 'anonymous' },
  ]);
  await settle();
  // the anonymous id merges into the known user: a newer row in the first level, then moved onto the older
  await send([{ user_id: 'drift-user-1', device_id: 'device-drift-1', event_type: 'login' }]);
  await settle();
  expect(await levelsOf('device-drift-1')).toEqual([undefined, await amplitudeIdOf('device-drift-9'), undefined, undefined]);
  expect(await bookCounts()).toEqual([0, 3, 0]);
  await recountDeviceLevels(database.db);
  expect(await bookCounts()).toEqual([0, 2, 0]);
});

it('keeps and finds devices in levels the same way through a remote libSQL client', async () => {
  // @libsql/client on the same file takes the path a Turso URL takes (lib/db/bulk.ts)
  const client = createClient({ url: database.url });
  const remote = drizzle(client, { schema: s }) as unknown as Db;
  try {
    const sendRemote = (events: Record<string, unknown>[]) => ingestAt(remote, seed.project.apiKey!, events, Date.now());
    await sendRemote([{ user_id: 'remote-user-1', device_id: 'device-remote-9', event_type: 'a' }]);
    await sendRemote([{ device_id: 'device-remote-1', event_type: 'anonymous' }]);
    const anonymous = await amplitudeIdOf('device-remote-1');
    for (let i = 0; i < 3; i++) await writeTx(remote, (tx) => settleDeviceLevels(tx, client, [0, 0, 0], 8));
    expect(await levelsOf('device-remote-1')).toEqual([undefined, undefined, undefined, anonymous]);
    await sendRemote([{ user_id: 'remote-user-1', device_id: 'device-remote-1', event_type: 'login' }]);
    const user = await amplitudeIdOf('device-remote-9');
    expect(await amplitudeIdOf('device-remote-1')).toBe(user);
    expect(await levelsOf('device-remote-1')).toEqual([user, undefined, undefined, anonymous]);
    expect(await bookCounts()).toEqual([1, 0, 0]);
    await sendRemote([{ device_id: 'device-remote-1', event_type: 'after' }]);
    expect(await amplitudeIdOf('device-remote-1')).toBe(user);
  } finally {
    client.close();
  }
});
