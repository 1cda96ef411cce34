// What the public API key sends cannot grow stored state without bound (issue: one user's properties
// grown to 7.7 MB by $append, then copied into every event row; a request naming 200,000 groups as one
// statement's parameters). Against the running app (server.mjs on a fresh libSQL file), over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database } from '../db/client';
import { queryRows } from '../db/bulk';
import { LINE_SELECT, renderLine } from '../export/files/render';
import { type RunningApp } from '../../test/support/app';
import { PROPERTY_LIMITS } from './property-limits';
import { startSeededApp, stopSeededApp, type SeededApp } from '../../test/support/seeded-app';

let database: Database;
let app: RunningApp;
let apiKey: string;

let setup: SeededApp;

beforeAll(async () => {
  setup = await startSeededApp('bounded', { INGEST_MAX_EPS_PER_API_KEY: '1000000' });
  ({ app, database } = setup);
  apiKey = setup.seed.project.apiKey!;
});
afterAll(() => stopSeededApp(setup));

async function post(path: string, body: unknown) {
  const r = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const identifies = (userId: string, n: number, ops: Record<string, unknown>) =>
  Array.from({ length: n }, (_, i) => ({
    user_id: userId,
    device_id: `${userId}-device`,
    event_type: '$identify',
    insert_id: `${userId}-${i}-${Math.random()}`,
    user_properties: ops,
  }));
const items = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}-${'x'.repeat(20)}`);
const one = async <T = unknown>(q: string, args: unknown[] = []) => (await queryRows(database.db, q, args))[0][0] as T;

/** Bytes the rows of one user's events hold, every column counted. */
const rowBytes = (userId: string) =>
  one<number>(
    `select sum(length(user_properties) + coalesce(length(group_properties), 0) + coalesce(length(group_sets), 0) + length(event_properties) + length(rec) + 40)
     from event_rows where user_id = ? and rec like '"tiny"%'`,
    [userId],
  );

describe('a user whose properties an attacker grows', () => {
  it("an $append longer than a list may be is refused whole with Amplitude's 400, nothing stored", async () => {
    const r = await post('/batch', { api_key: apiKey, events: identifies('victim-user', 20, { $append: { log: items(10_000, 'a') } }) });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 400, events_with_invalid_fields: { user_properties: Array.from({ length: 20 }, (_, i) => i) } });
    expect(await one('select count(*) from amplitude_users where user_id = ?', ['victim-user'])).toBe(0);
  });

  it("lists are cut to their limit and the properties stay within theirs; the events of that user cost what a fresh user's do", async () => {
    // the attack of the review, as far as the request limits let it through, ten times over
    const dbBytes = async () => (await one<number>('select page_count from pragma_page_count')) * (await one<number>('select page_size from pragma_page_size'));
    const sizeBefore = await dbBytes();
    let sent = 0;
    for (let round = 0; round < 10; round++) {
      for (let k = 0; k < 5; k++) {
        const events = identifies('victim-user', 20, { $append: { log: items(1_000, `${round}-${k}`) } });
        sent += JSON.stringify(events).length;
        const r = await post('/batch', { api_key: apiKey, events });
        expect(r.status).toBe(200);
      }
    }
    // the README's bound: each accepted update keeps at most one copy of the user's properties (64K characters)
    const grown = (await dbBytes()) - sizeBefore;
    console.log(`the attack ten times: ${sent} bytes sent, the database grew ${grown} bytes`);
    expect(grown).toBeLessThan(1_000 * PROPERTY_LIMITS.maxChars * 1.25);
    const props = JSON.parse(await one<string>('select user_properties from amplitude_users where user_id = ?', ['victim-user'])) as { log: string[] };
    expect(props.log).toHaveLength(PROPERTY_LIMITS.maxListItems);
    // the newest kept
    expect(props.log.at(-1)).toBe(`9-4-999-${'x'.repeat(20)}`);
    const stored = await one<number>('select length(user_properties) from amplitude_users where user_id = ?', ['victim-user']);
    expect(stored).toBeLessThanOrEqual(PROPERTY_LIMITS.maxChars);

    // a $set that would take it past its size is not applied at all (nothing half-written)
    const big = await post('/batch', {
      api_key: apiKey,
      events: identifies('victim-user', 1, { $set: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`blob${i}`, 'y'.repeat(1_000)])) }),
    });
    expect(big.status).toBe(200);
    expect(await one('select user_properties like ? from amplitude_users where user_id = ?', ['%"blob0"%', 'victim-user'])).toBe(0);

    // a $postInsert of 1,000 items onto the 1,000-item list: one pass, not one comparison per pair
    const started = Date.now();
    expect((await post('/batch', { api_key: apiKey, events: identifies('victim-user', 1, { $postInsert: { log: items(1_000, 'post') } }) })).status).toBe(200);
    const postInsertMs = Date.now() - started;

    // 50 tiny events for the grown user and for a fresh one
    const tiny = (userId: string) =>
      Array.from({ length: 50 }, (_, i) => ({ user_id: userId, device_id: `${userId}-device`, event_type: 'tiny', insert_id: `${userId}-tiny-${i}` }));
    const setsBefore = await one<number>('select count(*) from property_sets');
    const t0 = Date.now();
    expect((await post('/batch', { api_key: apiKey, events: tiny('victim-user') })).status).toBe(200);
    const victimMs = Date.now() - t0;
    const t1 = Date.now();
    expect((await post('/batch', { api_key: apiKey, events: tiny('fresh-user') })).status).toBe(200);
    const freshMs = Date.now() - t1;
    console.log(`50 events: grown user ${victimMs} ms, fresh user ${freshMs} ms; $postInsert of 1,000 onto 1,000: ${postInsertMs} ms`);

    // the grown user's properties are kept once, in the set its last $postInsert made, and the 50 rows name it
    expect(await one<number>('select count(*) from property_sets')).toBe(setsBefore);
    expect(
      await one("select count(distinct user_props_set) || ':' || min(user_props_set) from event_rows where user_id = ? and rec like '\"tiny\"%'", [
        'victim-user',
      ]),
    ).toBe(`1:${await one<number>('select props_set from amplitude_users where user_id = ?', ['victim-user'])}`);
    const victimBytes = await rowBytes('victim-user');
    const freshBytes = await rowBytes('fresh-user');
    console.log(`50 events: grown user's rows ${victimBytes} bytes, fresh user's ${freshBytes} bytes`);
    expect(victimBytes).toBeLessThan(freshBytes * 1.2);

    // and the export line still carries them whole
    const [row] = await queryRows(database.db, `select ${LINE_SELECT} from event_rows where user_id = ? and rec like '"tiny"%' limit 1`, ['victim-user']);
    const line = JSON.parse(renderLine(row)) as { user_properties: { log: string[] } };
    expect(line.user_properties.log).toHaveLength(PROPERTY_LIMITS.maxListItems);
    expect(line.user_properties).toEqual(JSON.parse(await one<string>('select user_properties from amplitude_users where user_id = ?', ['victim-user'])));
    // the events view reads the same
    expect(JSON.parse(await one<string>("select user_properties from events where user_id = ? and event_type = 'tiny' limit 1", ['victim-user']))).toEqual(
      line.user_properties,
    );
  });
});

describe('groups', () => {
  it('more groups than an event may name is a 400 for those events, not a 500', async () => {
    const events = Array.from({ length: 20 }, (_, i) => ({
      device_id: `groups-device-${i}`,
      event_type: 'g',
      groups: { team: Array.from({ length: 10_000 }, (_, k) => `t-${i}-${k}`) },
    }));
    const r = await post('/batch', { api_key: apiKey, events });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 400, events_with_invalid_fields: { groups: Array.from({ length: 20 }, (_, i) => i) } });
    const types = await post('/batch', {
      api_key: apiKey,
      events: [{ device_id: 'groups-device-x', event_type: 'g', groups: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 } }],
    });
    expect(types.status).toBe(400);
  });

  it('2,000 events naming 10 distinct groups each are stored: no statement carries a parameter per group', async () => {
    const events = Array.from({ length: 2_000 }, (_, i) => ({
      device_id: `many-groups-${i % 50}`,
      event_type: 'many groups',
      groups: { team: Array.from({ length: 5 }, (_, k) => `team-${i}-${k}`), org: Array.from({ length: 5 }, (_, k) => `org-${i}-${k}`) },
    }));
    const r = await post('/batch', { api_key: apiKey, events });
    expect(r.status).toBe(200);
    expect(await one<number>("select count(*) from groups where group_type in ('team', 'org')")).toBe(20_000);
  });

  it("large group properties are kept once and every event's line carries them", async () => {
    const groupProps = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field_${i}`, `value ${i} ${'z'.repeat(30)}`]));
    const gi = await fetch(`${app.url}/groupidentify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        api_key: apiKey,
        identification: JSON.stringify({ group_type: 'company', group_value: 'acme', group_properties: { $set: groupProps } }),
      }),
    });
    expect(gi.status).toBe(200);
    const events = Array.from({ length: 30 }, (_, i) => ({
      device_id: `company-device-${i}`,
      event_type: 'company event',
      groups: { company: 'acme', team: 'blue' },
    }));
    expect((await post('/batch', { api_key: apiKey, events })).status).toBe(200);
    expect(await one<number>('select count(*) from event_rows where group_sets is not null and rec like \'"company event"%\'')).toBe(30);
    expect(await one<number>('select max(length(group_sets)) from event_rows where rec like \'"company event"%\'')).toBeLessThan(100);
    const [row] = await queryRows(database.db, `select ${LINE_SELECT} from event_rows where rec like '"company event"%' limit 1`, []);
    const line = JSON.parse(renderLine(row)) as { group_properties: Record<string, Record<string, unknown>> };
    expect(line.group_properties).toEqual({ company: { acme: groupProps }, team: { blue: {} } });
  });
});
