// Event filters (issue: include or exclude event types per connection): connections of one project
// with no filter, an include filter, the same include filter listed in another order, and its
// exclude complement export the same hour to radosgw. Filtered files hold exactly the unfiltered
// lines whose type passes, in the same order; the same filter shares one seal; the manifest records
// the filter; an overlapping export leaves the files byte-identical; rows arriving late are added.
import { gunzipSync, strFromU8 } from 'fflate';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { getBytes, listKeys, newBucket, snapshot } from '../../test/support/rgw';
import { freshSeeded, type Seed } from '../../test/support/seed';
import type { Database } from '../db/client';
import * as s from '../db/schema';
import { passes, type EventFilter } from '../export/files/event-filter';
import { startBackfill } from '../jobs/backfill';
import { tick } from '../jobs/tick';
import { floorHour, hourParts, HOUR_MS } from '../util/hours';
import { parseEventFilter } from './fields';
import { updateSettings } from './settings';

const H = floorHour(Date.now()) - 3 * HOUR_MS;
const config = testConfig({ partBytes: 20_000 });
const INCLUDE: EventFilter = { mode: 'include', types: ['Page Viewed', 'Check*'] };
let database: Database;
let seed: Seed;
const buckets: Record<'all' | 'include' | 'same' | 'exclude', string> = { all: '', include: '', same: '', exclude: '' };
const ids: Partial<Record<keyof typeof buckets, number>> = {};

const db = () => database.db;
const linesOf = async (bucket: string) => {
  const keys = (await listKeys(bucket)).filter((k) => k.endsWith('.json.gz')).sort((a, b) => Number(/#(\d+)/.exec(a)![1]) - Number(/#(\d+)/.exec(b)![1]));
  return (await Promise.all(keys.map((k) => getBytes(bucket, k)))).flatMap((b) => strFromU8(gunzipSync(b)).split('\n').filter(Boolean));
};
const typeOf = (line: string) => (JSON.parse(line) as { event_type: string }).event_type;

beforeAll(async () => {
  ({ database, seed } = await freshSeeded('filter'));
  await ingestAt(db(), seed.project.apiKey!, sampleEvents(90, 'f'), H + 60_000);
  // a type that only starts like an included one, and names with LIKE's wildcards
  await ingestAt(
    db(),
    seed.project.apiKey!,
    [
      { device_id: 'filter-dev', event_type: 'check in' },
      { device_id: 'filter-dev', event_type: 'Page%Viewed' },
    ],
    H + 61_000,
  );
  const filters = {
    all: null,
    include: INCLUDE,
    same: { mode: 'include', types: ['Check*', 'Page Viewed', 'Check*'] },
    exclude: { ...INCLUDE, mode: 'exclude' },
  };
  for (const [name, f] of Object.entries(filters) as [keyof typeof buckets, EventFilter | null][]) {
    buckets[name] = await newBucket(`filter-${name}`);
    ids[name] = (
      await rgwDestination(db(), { orgId: seed.org.id, projectId: seed.project.id, bucket: buckets[name], eventFilter: parseEventFilter(f) }, H - HOUR_MS)
    ).id;
  }
  expect((await tick(db(), config, { budgetMs: 60_000 })).failed).toBe(0);
});
afterAll(() => database?.close());

it('exports exactly the lines whose type passes, in the same order, and its complement', async () => {
  const all = await linesOf(buckets.all);
  expect(all).toHaveLength(92);
  const included = await linesOf(buckets.include);
  expect(included).toEqual(all.filter((l) => passes(INCLUDE, typeOf(l))));
  expect(new Set(included.map(typeOf))).toEqual(new Set(['Page Viewed', 'Checkout']));
  expect(await linesOf(buckets.exclude)).toEqual(all.filter((l) => !passes(INCLUDE, typeOf(l))));
});

it('shares one seal among connections with the same filter, and records it in the manifest', async () => {
  expect(await snapshot(buckets.same)).toEqual(await snapshot(buckets.include));
  const kinds = (await db().select({ kind: s.seals.kind }).from(s.seals).where(eq(s.seals.hour, H))).map((r) => r.kind).sort();
  expect(kinds).toHaveLength(3);
  expect(kinds[0]).toBe('events-current');
  const { date, h } = hourParts(H);
  const manifest = JSON.parse(strFromU8(await getBytes(buckets.include, `_spillway/manifests/${seed.project.id}_${date}_${h}.json`)));
  expect(manifest).toMatchObject({ events: (await linesOf(buckets.include)).length, event_filter: { mode: 'include', types: ['Check*', 'Page Viewed'] } });
});

it('an overlapping export leaves the filtered files byte-identical; rows that arrive late are added', async () => {
  const before = await snapshot(buckets.include);
  await startBackfill(db(), config, { destinationId: ids.include!, from: H - HOUR_MS, to: H + 2 * HOUR_MS });
  await tick(db(), config, { budgetMs: 60_000 });
  expect(await snapshot(buckets.include)).toEqual(before);
  // a clock behind: an event stamped in the sealed hour marks its seals stale; every export is redone
  await ingestAt(db(), seed.project.apiKey!, [{ device_id: 'late-dev', event_type: 'Checkout' }], H + 120_000);
  await tick(db(), config, { budgetMs: 60_000 });
  expect((await linesOf(buckets.include)).filter((l) => JSON.parse(l).device_id === 'late-dev')).toHaveLength(1);
  expect((await linesOf(buckets.exclude)).filter((l) => JSON.parse(l).device_id === 'late-dev')).toHaveLength(0);
});

it('a filter is checked where it is entered, and a changed one applies to the next export', async () => {
  await expect(updateSettings(db(), seed.org.id, ids.all!, { eventFilter: { mode: 'include', types: ['a*b'] } })).rejects.toThrow(/only end/);
  const { destination } = await updateSettings(db(), seed.org.id, ids.all!, { eventFilter: { mode: 'include', types: ['Song Played'] } });
  expect(destination.eventFilter).toEqual({ mode: 'include', types: ['Song Played'] });
  await startBackfill(db(), config, { destinationId: ids.all!, from: H, to: H + HOUR_MS });
  await tick(db(), config, { budgetMs: 60_000 });
  expect(new Set((await linesOf(buckets.all)).map(typeOf))).toEqual(new Set(['Song Played']));
});
