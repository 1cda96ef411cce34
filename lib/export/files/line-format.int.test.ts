// The golden test of the export line: events shaped as the real lines of test/fixtures/amplitude-lines.ts
// were sent (a browser SDK on a Mac from a UK address, a bare HTTP V2 call, Segment's groups) go through
// ingestion and export, and come out with the real lines' keys, order, types and server-side values;
// PostHog's Amplitude importer types (test/support/posthog-amplitude.ts) accept every current line. A
// connection on the 2020 documented format keeps its 49 keys; the manifest says which format a file has.
import { gunzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/support/db';
import { ingestAt, rgwDestination, testConfig } from '../../../test/support/engine';
import { posthogMismatch } from '../../../test/support/posthog-amplitude';
import { getBytes, listKeys, newBucket, snapshot } from '../../../test/support/rgw';
import { seedOrg } from '../../../test/support/seed';
import { BROWSER_SDK_2025, HTTP_V2_2025, SEGMENT_GROUPS } from '../../../test/fixtures/amplitude-lines';
import type { Database } from '../../db/client';
import { useGeoData, geoData } from '../../server/geoip';
import { tick } from '../../jobs/tick';
import { EVENT_KEYS } from './format';
import { floorHour, HOUR_MS } from '../../util/hours';

const MAC_CHROME_137 = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36';
const H = floorHour(Date.now()) - 2 * HOUR_MS;
const real = { browser: JSON.parse(BROWSER_SDK_2025) as Record<string, unknown>, http: JSON.parse(HTTP_V2_2025) as Record<string, unknown> };
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

let database: Database;
let current: Record<string, unknown>[];
let documented: Record<string, unknown>[];
let buckets: { current: string; documented: string };

const linesOf = async (bucket: string) =>
  (await Promise.all((await listKeys(bucket)).map((k) => getBytes(bucket, k)))).flatMap((b) =>
    strFromU8(gunzipSync(b))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );

beforeAll(async () => {
  useGeoData(geoData());
  database = await freshDatabase();
  const seed = await seedOrg(database.db, 'golden');
  const events = [
    // as the browser SDK 2.x sends it: the raw user agent and the locale; the server fills the rest
    {
      event_type: 'session_start',
      user_id: 'someone@example.com',
      device_id: '4289c8b4-7afe-49ed-8814-51c5fc77c693',
      session_id: 1752748588583,
      platform: 'Web',
      language: 'en-GB',
      library: 'amplitude-ts/2.16.1',
      user_agent: MAC_CHROME_137,
      ip: '82.20.15.60',
      insert_id: 'ea31ba7b-f543-4b9b-9aec-90fbaa96a355',
    },
    // a bare HTTP V2 call: no library, no device
    {
      event_type: 'Property Drop Purchased',
      user_id: '2b59c518-dc2b-43f6-9444-85a84d5b1e1f',
      device_id: 'f48913e6-c106-5429-a296-9f9588859c3b',
      insert_id: 'Property Drop Purchased:2',
      event_properties: { 'Total Price': 6396.5, 'Drop Id': 2, 'Number of Shares': 20, 'Drop Type': 'Sale', Property: 'Property 0' },
    },
    // Segment's groups, sent as one value: exported as a list
    { event_type: 'Grouped', user_id: 'segment-user', device_id: 'segment-device', groups: { '[Segment] Group': SEGMENT_GROUPS['[Segment] Group'][0] } },
  ];
  await ingestAt(database.db, seed.project.apiKey!, events, H + 60_000);
  buckets = { current: await newBucket('golden-current'), documented: await newBucket('golden-documented') };
  await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket: buckets.current });
  await rgwDestination(database.db, { orgId: seed.org.id, projectId: seed.project.id, bucket: buckets.documented, lineFormat: 'documented' });
  await tick(database.db, testConfig(), { budgetMs: 60_000 });
  [current, documented] = [await linesOf(buckets.current), await linesOf(buckets.documented)];
});
afterAll(() => {
  useGeoData(null);
  database?.close();
});

const byType = (lines: Record<string, unknown>[], t: string) => lines.find((l) => l.event_type === t)!;

describe('the current line format', () => {
  it('has the 55 keys of a real 2025 line, in its order, with its types', () => {
    expect(current).toHaveLength(3);
    for (const line of current) expect(Object.keys(line)).toEqual(Object.keys(real.browser));
    // every key whose value the real lines have is typed as they have it
    for (const [ours, theirs] of [
      [byType(current, 'session_start'), real.browser],
      [byType(current, 'Property Drop Purchased'), real.http],
    ] as const) {
      for (const key of Object.keys(theirs)) {
        if (theirs[key] === null || ours[key] === null) continue;
        expect([key, typeOf(ours[key])]).toEqual([key, typeOf(theirs[key])]);
      }
      for (const key of ['$schema', '$insert_key', 'global_user_properties', 'partner_id', 'source_id', 'sample_rate']) expect(ours[key]).toBeNull();
      expect(ours).toMatchObject({ data_type: 'event', plan: {} });
    }
  });

  it('carries the enrichment Amplitude adds on its side', () => {
    const browser = byType(current, 'session_start');
    const fields = ['country', 'city', 'device_family', 'device_type', 'device_model', 'os_name', 'os_version', 'language', 'library', 'platform'];
    expect(Object.fromEntries(fields.map((f) => [f, browser[f]]))).toEqual({
      ...Object.fromEntries(fields.map((f) => [f, real.browser[f]])),
      // DB-IP places this address in England; Amplitude's own data said Hertfordshire (the county)
    });
    expect(browser.region).toBe('England');
    const http = byType(current, 'Property Drop Purchased');
    expect([http.library, http.session_id, http.event_properties]).toEqual([
      'http/2.0',
      -1,
      { 'Total Price': 6396.5, 'Drop Id': 2, 'Number of Shares': 20, 'Drop Type': 'Sale', Property: 'Property 0' },
    ]);
    const grouped = byType(current, 'Grouped');
    expect(grouped.groups).toEqual(SEGMENT_GROUPS);
    // {"<group type id>":[<group id>]}: one type, one group, numbers (the documented format keeps {})
    const ids = (grouped.data as { group_ids: Record<string, unknown[]> }).group_ids;
    expect(Object.keys(ids)).toHaveLength(1);
    expect(Object.keys(ids)[0]).toMatch(/^\d+$/);
    expect(Object.values(ids)[0]).toEqual([expect.any(Number)]);
    expect((byType(documented, 'Grouped').data as { group_ids: unknown }).group_ids).toEqual({});
    expect((byType(current, 'session_start').data as { group_ids: unknown }).group_ids).toEqual({});
  });

  it("parses under PostHog's Amplitude importer types, where the documented format's $schema 12 does not", () => {
    for (const line of current) expect(posthogMismatch(line)).toBeNull();
    expect(posthogMismatch(documented[0])).toBe('$schema: 12');
  });
});

describe('the 2020 documented format', () => {
  it('keeps its 49 keys in their order, with the same values', () => {
    for (const line of documented) expect(Object.keys(line)).toEqual([...EVENT_KEYS]);
    const ours = byType(documented, 'session_start');
    const now = byType(current, 'session_start');
    for (const key of EVENT_KEYS) if (key !== '$schema') expect([key, ours[key]]).toEqual([key, now[key]]);
    expect(ours.$schema).toBe(12);
  });

  it('is named in each hour manifest, and a re-export writes the same bytes', async () => {
    for (const [bucket, format] of [
      [buckets.current, 'current'],
      [buckets.documented, 'documented'],
    ] as const) {
      const key = (await listKeys(bucket, '', { manifests: true })).find((k) => k.includes('_spillway/manifests/') && !k.includes('/-'))!;
      expect(JSON.parse(new TextDecoder().decode(await getBytes(bucket, key)))).toMatchObject({ kind: 'events', line_format: format });
    }
    const before = await snapshot(buckets.current);
    const { startBackfill } = await import('../../jobs/backfill');
    const [dest] = await database.db.query.destinations.findMany({ where: (d, { eq }) => eq(d.bucket, buckets.current) });
    await startBackfill(database.db, testConfig(), { destinationId: dest.id, from: H, to: H + HOUR_MS });
    await tick(database.db, testConfig(), { budgetMs: 60_000 });
    const after = await snapshot(buckets.current);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [k, v] of before) expect(after.get(k)!.equals(v), k).toBe(true);
  });
});
