// Sealed hours on a real libSQL file and radosgw: built once and copied by every export (a second
// connection, a backfill, after the raw rows are gone); built again when found wrong (late rows, a
// damaged part, another part size), never exported wrong; kept in an archive bucket when configured.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { gunzipSync, strFromU8 } from 'fflate';
import { and, count, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import type { Db } from '../../db/types';
import * as s from '../../db/schema';
import { floorHour, HOUR_MS, DAY_MS } from '../../util/hours';
import { freshDatabase } from '../../../test/support/db';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../../test/support/engine';
import { adminS3, listKeys, newBucket, rgwEnv, snapshot } from '../../../test/support/rgw';
import { seedOrg } from '../../../test/support/seed';
import { seededEachTest } from '../../../test/support/seeded-db';
import { startBackfill } from '../../jobs/backfill';
import { tick } from '../../jobs/tick';

const H = floorHour(Date.now()) - 3 * HOUR_MS;
const fresh = seededEachTest();

const db = () => fresh.database.db;
const lines = (bytes: Uint8Array) => strFromU8(gunzipSync(bytes)).split('\n').filter(Boolean);
const sealsOf = () => db().select().from(s.seals).where(eq(s.seals.projectId, fresh.seed.project.id));
const partsOf = () => db().select().from(s.sealedParts).where(eq(s.sealedParts.projectId, fresh.seed.project.id));
/** The bucket's files as they are, and as lines of events. */
async function contents(bucket: string) {
  const snap = await snapshot(bucket);
  return { snap, events: [...snap.values()].flatMap((b) => lines(b)) };
}

describe('sealed hours', () => {
  it('a second connection and a backfill copy the sealed bytes, built once, also after the raw rows are deleted', async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(300, 'a'), H + 60_000);
    const config = testConfig({ partBytes: 40_000 });
    const first = await newBucket('seal-a');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: first });
    await tick(db(), config, { budgetMs: 60_000 });
    const a = await contents(first);
    expect(a.events).toHaveLength(300);
    const [seal] = (await sealsOf()).filter((x) => x.kind === 'events-current' && x.hour === H);
    expect(seal).toMatchObject({ state: 'sealed', generation: 1, lines: 300, parts: a.snap.size });
    const sealedParts = (await partsOf()).length;

    // a week later the raw rows are gone: the hour lives on as its seal
    const later = H + 8 * DAY_MS;
    await tick(db(), config, { budgetMs: 60_000, now: () => later });
    expect(await db().select({ n: count() }).from(s.eventRows)).toEqual([{ n: 0 }]);
    expect((await sealsOf()).find((x) => x.hour === H && x.kind === 'events-current')?.rowsDeleted).toBe(true);

    // another connection, and a backfill of the old hour: the same bytes, nothing built again
    const second = await newBucket('seal-b');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: second }, later);
    await startBackfill(db(), config, { destinationId: dest.id, from: H - HOUR_MS, to: H + 2 * HOUR_MS }, later);
    for (let i = 0; i < 3; i++) await tick(db(), config, { budgetMs: 60_000, now: () => later });
    const b = await contents(second);
    expect([...b.snap.keys()]).toEqual([...a.snap.keys()]);
    for (const [k, v] of a.snap) expect(b.snap.get(k)!.equals(v), k).toBe(true);
    expect((await partsOf()).length).toBe(sealedParts);
    expect((await sealsOf()).find((x) => x.hour === H && x.kind === 'events-current')?.generation).toBe(1);
  });

  it('through a remote libSQL client, seals and exports the bytes the native client makes', async () => {
    // sampleEvents' properties are long enough to be kept compressed: both ways of reading them
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(200, 'remote'), H + 60_000);
    const config = testConfig({ partBytes: 60_000 });
    // @libsql/client on the same file takes the path a Turso URL takes (lib/db/bulk.ts)
    const client = createClient({ url: fresh.database.url });
    try {
      const remote = drizzle(client, { schema: s }) as unknown as Db;
      const first = await newBucket('remote-a');
      await rgwDestination(remote, { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: first });
      await tick(remote, config, { budgetMs: 60_000 });
      const a = await contents(first);
      expect(a.events).toHaveLength(200);
      expect(await db().select({ n: count() }).from(s.sealedChunks)).not.toEqual([{ n: 0 }]);

      // the seal dropped, the hour built again by the native client for another connection
      for (const table of ['sealed_chunks', 'sealed_parts', 'seals']) await fresh.database.client.execute(`delete from ${table}`);
      await fresh.database.client.execute('update projects set sealed_until = null');
      const second = await newBucket('remote-b');
      await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: second });
      await tick(db(), config, { budgetMs: 60_000 });
      const b = await contents(second);
      expect([...b.snap.keys()]).toEqual([...a.snap.keys()]);
      for (const [k, v] of a.snap) expect(b.snap.get(k)!.equals(v), k).toBe(true);
    } finally {
      client.close();
    }
  });

  it('seals an hour once per line format its connections write, keeps the rows until both are sealed, and says when a format can no longer be built', async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(40, 'fmt'), H + 60_000);
    const config = testConfig();
    const current = await newBucket('fmt-current');
    const documented = await newBucket('fmt-documented');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: current });
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: documented, lineFormat: 'documented' });
    await tick(db(), config, { budgetMs: 60_000 });
    const hourSeals = async () =>
      (await sealsOf())
        .filter((x) => x.hour === H)
        .map((x) => [x.kind, x.state, x.lines, x.rowsDeleted])
        .sort();
    expect(await hourSeals()).toEqual([
      ['events', 'sealed', 40, false],
      ['events-current', 'sealed', 40, false],
    ]);
    expect((await contents(current)).events.map((l) => JSON.parse(l).$schema)).toEqual(Array(40).fill(null));
    expect((await contents(documented)).events.map((l) => JSON.parse(l).$schema)).toEqual(Array(40).fill(12));

    // past the retention the rows go, once for both
    const later = H + 8 * DAY_MS;
    await tick(db(), config, { budgetMs: 60_000, now: () => later });
    expect(await hourSeals()).toEqual([
      ['events', 'sealed', 40, true],
      ['events-current', 'sealed', 40, true],
    ]);

    // a project whose hour was sealed in one format only: after its rows are gone, a connection in the
    // other format is told why it cannot export the hour, never given an empty file
    await db().delete(s.sealedParts).where(eq(s.sealedParts.kind, 'events-current'));
    await db().delete(s.seals).where(eq(s.seals.kind, 'events-current'));
    const third = await newBucket('fmt-third');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: third }, later);
    await startBackfill(db(), testConfig({ maxTries: 1 }), { destinationId: dest.id, from: H, to: H + HOUR_MS }, later);
    await tick(db(), testConfig({ maxTries: 1 }), { budgetMs: 60_000, now: () => later });
    const [job] = await db()
      .select()
      .from(s.exportJobs)
      .where(and(eq(s.exportJobs.destinationId, dest.id), eq(s.exportJobs.hour, H), eq(s.exportJobs.kind, 'events')));
    expect(job.state).toBe('failed');
    expect(job.errorMessage).toMatch(
      /sealed as documented lines and their raw rows then deleted by the retention: they can be exported again only in that line format/,
    );
    expect(await listKeys(third)).toEqual([]);
  });

  it('keeps identities, user properties and the project counts when the raw rows are deleted', async () => {
    await ingestAt(
      db(),
      fresh.seed.project.apiKey!,
      [{ user_id: 'keep-me', device_id: 'keep-device', event_type: 'a', user_properties: { $add: { visits: 1 } } }],
      H + 1000,
    );
    const config = testConfig();
    const later = H + 8 * DAY_MS;
    await tick(db(), config, { budgetMs: 60_000, now: () => later });
    expect(await db().select({ n: count() }).from(s.eventRows)).toEqual([{ n: 0 }]);
    await ingestAt(db(), fresh.seed.project.apiKey!, [{ device_id: 'keep-device', event_type: 'b', user_properties: { $add: { visits: 1 } } }], later);
    const [e] = await db().select().from(s.events);
    const [u] = await db().select().from(s.amplitudeUsers).where(eq(s.amplitudeUsers.userId, 'keep-me'));
    expect(e.amplitudeId).toBe(u.amplitudeId);
    expect(JSON.parse(e.userProperties)).toEqual({ visits: 2 });
    const { hourlyCounts } = await import('../../projects/stats');
    const counts = await hourlyCounts(db(), fresh.seed.org.id, H - HOUR_MS);
    expect(counts.map((c) => [c.hour, c.events])).toEqual([
      [new Date(H).toISOString(), 1],
      [new Date(floorHour(later)).toISOString(), 1],
    ]);
  });

  it('rows stamped into a sealed hour (a clock behind) build it again and export it again, with them', async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(50, 'on-time'), H + 60_000);
    const config = testConfig({ partBytes: 20_000 });
    const bucket = await newBucket('late');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    await tick(db(), config, { budgetMs: 60_000 });
    expect((await contents(bucket)).events).toHaveLength(50);

    // an instance whose clock is an hour and more behind stamps its rows into the exported hour
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(7, 'late'), H + 30 * 60_000);
    const [seal] = (await sealsOf()).filter((x) => x.kind === 'events-current' && x.hour === H);
    expect(seal.state).toBe('stale');
    const [job] = await db()
      .select()
      .from(s.exportJobs)
      .where(and(eq(s.exportJobs.hour, H), eq(s.exportJobs.kind, 'events')));
    expect(job.state).toBe('pending');
    await tick(db(), config, { budgetMs: 60_000 });
    const after = await contents(bucket);
    expect(after.events).toHaveLength(57);
    expect((await sealsOf()).find((x) => x.kind === 'events-current' && x.hour === H)).toMatchObject({ state: 'sealed', generation: 2, lines: 57 });
    // the old generation's parts are gone
    expect(new Set((await partsOf()).filter((p) => p.hour === H).map((p) => p.generation))).toEqual(new Set([2]));
  });

  it.each([
    ['streamed as read', true],
    ['read whole first (a runtime without streamed uploads)', false],
  ])('a damaged sealed part is built again and the export writes the right bytes (%s)', async (_, streamUploads) => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(120, 'dmg'), H + 60_000);
    const config = testConfig({ partBytes: 30_000 });
    config.s3 = { ...config.s3, streamUploads };
    const first = await newBucket('dmg-a');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: first });
    await tick(db(), config, { budgetMs: 60_000 });
    const good = await snapshot(first);

    // one byte of a kept part flipped, as a disk or a hand might
    await db().run(sql`update sealed_chunks set data = cast(x'00' as blob) || substr(data, 2) where part_id = (select min(id) from sealed_parts)`);
    const second = await newBucket('dmg-b');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: second });
    for (let i = 0; i < 3; i++) await tick(db(), config, { budgetMs: 60_000 });
    const again = await snapshot(second);
    expect([...again.keys()]).toEqual([...good.keys()]);
    for (const [k, v] of good) expect(again.get(k)!.equals(v), k).toBe(true);
    expect((await sealsOf()).find((x) => x.kind === 'events-current' && x.hour === H)?.generation).toBe(2);
  });

  it('a part missing a slice in its middle stops its upload and is built again', async () => {
    // random text compresses little: one part of several 1 MB slices
    // (values are cut at 1,024 characters, as Amplitude does: several of them)
    const noise = () => Array.from(crypto.getRandomValues(new Uint8Array(500)), (b) => b.toString(16).padStart(2, '0')).join('');
    const events = sampleEvents(1500, 'slice').map((e) => ({ ...e, event_properties: { a: noise(), b: noise(), c: noise() } }));
    for (let i = 0; i < events.length; i += 500) await ingestAt(db(), fresh.seed.project.apiKey!, events.slice(i, i + 500), H + 60_000);
    const config = testConfig();
    const first = await newBucket('slice-a');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: first });
    await tick(db(), config, { budgetMs: 60_000 });
    const good = await snapshot(first);
    const [[slices]] = (await fresh.database.client.execute('select count(*) from sealed_chunks')).rows.map((r) => [Number(r[0])]);
    expect(slices).toBeGreaterThanOrEqual(3);

    await fresh.database.client.execute('delete from sealed_chunks where seq = 1');
    const second = await newBucket('slice-b');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: second });
    // the upload is cut short (its error is store's, not the store's); the hour is built again and copied
    for (let i = 0; i < 2; i++) await tick(db(), config, { budgetMs: 60_000 });
    expect((await sealsOf()).find((x) => x.kind === 'events-current' && x.hour === H)?.generation).toBe(2);
    const again = await snapshot(second);
    expect([...again.keys()]).toEqual([...good.keys()]);
    for (const [k, v] of good) expect(again.get(k)!.equals(v), k).toBe(true);
  });

  it('another part size builds the hour again (the files follow the setting)', async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(100, 'size'), H + 60_000);
    const bucket = await newBucket('size');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    await tick(db(), testConfig({ partBytes: 20_000 }), { budgetMs: 60_000 });
    expect((await listKeys(bucket)).length).toBeGreaterThan(3);
    await startBackfill(db(), testConfig(), { destinationId: dest.id, from: H, to: H + HOUR_MS });
    await tick(db(), testConfig({ partBytes: 10_000_000 }), { budgetMs: 60_000 });
    expect(await listKeys(bucket)).toEqual([`${fresh.seed.project.id}_${new Date(H).toISOString().slice(0, 10)}_${new Date(H).getUTCHours()}#1.json.gz`]);
  });

  it('seals an hour larger than one tick across ticks: the same bytes as in one go', async () => {
    for (let i = 0; i < 4; i++) await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(150, `big${i}`), H + i * 60_000);
    const config = testConfig({ partBytes: 15_000 });
    const once = await newBucket('once');
    const slow = await newBucket('slow');
    // one tick with room for everything, into a database of its own
    const other = await freshDatabase();
    try {
      const seed2 = await seedOrg(other.db);
      for (let i = 0; i < 4; i++) await ingestAt(other.db, seed2.project.apiKey!, sampleEvents(150, `big${i}`), H + i * 60_000);
      await rgwDestination(other.db, { orgId: seed2.org.id, projectId: seed2.project.id, bucket: once });
      await tick(other.db, config, { budgetMs: 60_000 });
    } finally {
      other.close();
    }
    // ticks with no room: a part or two each, the seal and the export resumed every time
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: slow });
    let ticks = 0;
    for (; ticks < 200; ticks++) {
      await tick(db(), config, { budgetMs: 30 });
      const open = await db()
        .select({ n: count() })
        .from(s.exportJobs)
        .where(sql`${s.exportJobs.state} != 'done'`);
      if (open[0].n === 0) break;
    }
    expect(ticks).toBeGreaterThan(3);
    const a = await contents(once);
    const b = await contents(slow);
    expect(b.events).toHaveLength(600);
    // the same hour of the same events: the same number of files, each the same size (uuids differ)
    expect([...b.snap.values()].map((x) => lines(x).length)).toEqual([...a.snap.values()].map((x) => lines(x).length));
  });

  it('keeps sealed parts in an archive bucket when one is configured, and rebuilds one that went missing', async () => {
    await ingestAt(db(), fresh.seed.project.apiKey!, sampleEvents(80, 'arch'), H + 60_000);
    const archive = await newBucket('archive');
    const config = testConfig({
      partBytes: 30_000,
      archive: { bucket: archive, prefix: 'store/', endpoint: rgwEnv().endpoint, region: 'us-east-1', forcePathStyle: true },
    });
    const first = await newBucket('arch-a');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: first });
    await tick(db(), config, { budgetMs: 60_000 });
    const kept = await listKeys(archive, 'store/');
    expect(kept.length).toBe((await partsOf()).length);
    expect(await db().select({ n: count() }).from(s.sealedChunks)).toEqual([{ n: 0 }]);
    const good = await snapshot(first);
    // the archived parts are exactly the exported files
    const archived = await snapshot(archive);
    expect(new Set([...archived.values()].map((b) => b.toString('base64')))).toEqual(new Set([...good.values()].map((b) => b.toString('base64'))));

    await adminS3().send(new DeleteObjectCommand({ Bucket: archive, Key: kept[0] }));
    const second = await newBucket('arch-b');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: second });
    for (let i = 0; i < 3; i++) await tick(db(), config, { budgetMs: 60_000 });
    const again = await snapshot(second);
    for (const [k, v] of good) expect(again.get(k)!.equals(v), k).toBe(true);
  });
});
