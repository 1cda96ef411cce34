// The export engine end to end on a real radosgw and a real libSQL file (fresh per test).
import { createHash } from 'node:crypto';
import { gunzipSync, strFromU8 } from 'fflate';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as s from '../db/schema';
import { CURRENT_EVENT_KEYS } from '../export/files/format';
import { bucketPolicy } from '../destinations/policy';
import { floorHour, HOUR_MS } from '../util/hours';
import { verifyAccess } from '../destinations/verify';
import { drainOutbox } from '../notify/mailer';
import nodemailer from 'nodemailer';
import { ingestAt, rgwDestination, sampleEvents, testConfig } from '../../test/support/engine';
import { adminS3, createRole, getBytes, headObject, listKeys, newBucket, rgwEnv, setBucketPolicy, snapshot } from '../../test/support/rgw';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { coverageOf } from '../destinations/coverage';
import { checkIntegrity } from './integrity';
import { seededEachTest } from '../../test/support/seeded-db';
import { startSmtp } from '../../test/support/smtp';
import { cancelBackfill, backfillProgress, startBackfill } from './backfill';
import { setEnabled } from '../destinations/lifecycle';
import { tick } from './tick';

const H0 = floorHour(Date.now()) - 3 * HOUR_MS;
const fresh = seededEachTest();

const db = () => fresh.database.db;
const key = () => fresh.seed.project.apiKey!;
const lines = (bytes: Uint8Array) =>
  strFromU8(gunzipSync(bytes))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const hourName = (h: number) => `${new Date(h).toISOString().slice(0, 10)}_${new Date(h).getUTCHours()}`;

describe('hourly export', () => {
  it('writes the closed hours as gzip NDJSON parts with exact names, schema and values', async () => {
    await ingestAt(db(), key(), sampleEvents(120, 'a'), H0 + 10 * 60_000);
    await ingestAt(db(), key(), [{ user_id: 'late-user', event_type: 'Late', device_id: 'late-device' }], H0 + HOUR_MS + 60_000);
    const bucket = await newBucket('hourly');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket, prefix: 'amp' });
    const sum = await tick(db(), testConfig({ partBytes: 40_000 }), { budgetMs: 60_000 });
    expect(sum.failed).toBe(0);

    const keys = await listKeys(bucket);
    const p = fresh.seed.project.id;
    const first = keys.filter((k) => k.startsWith(`amp/${p}_${hourName(H0)}#`));
    expect(first.length).toBeGreaterThan(2);
    expect(first.sort((a, b) => Number(a.split('#')[1].split('.')[0]) - Number(b.split('#')[1].split('.')[0]))).toEqual(
      first.map((_, i) => `amp/${p}_${hourName(H0)}#${i + 1}.json.gz`),
    );
    expect(keys).toContain(`amp/${p}_${hourName(H0 + HOUR_MS)}#1.json.gz`);
    // no file for empty hours
    expect(keys).toHaveLength(first.length + 1);

    const exported = (await Promise.all(first.map((k) => getBytes(bucket, k)))).flatMap(lines);
    const stored = await db()
      .select()
      .from(s.events)
      .where(eq(s.events.serverUploadTime, H0 + 10 * 60_000))
      .orderBy(asc(s.events.id));
    expect(exported).toHaveLength(120);
    // a new connection writes the current line format (lib/export/files/line-format.int.test.ts compares it with real lines)
    for (const o of exported) expect(Object.keys(o)).toEqual([...CURRENT_EVENT_KEYS]);
    exported.forEach((o, i) => {
      const r = stored[i];
      expect(o).toMatchObject({
        uuid: r.uuid,
        amplitude_id: r.amplitudeId,
        user_id: r.userId,
        device_id: r.deviceId,
        event_type: r.eventType,
        $insert_id: r.insertId,
        app: p,
        session_id: -1,
        event_properties: JSON.parse(r.eventProperties),
        user_properties: JSON.parse(r.userProperties),
        server_upload_time: new Date(H0 + 10 * 60_000).toISOString().replace('T', ' ').replace('Z', '000'),
      });
    });
    const jobs = await db()
      .select()
      .from(s.exportJobs)
      .where(and(eq(s.exportJobs.hour, H0), eq(s.exportJobs.kind, 'events')));
    expect(jobs[0]).toMatchObject({ state: 'done', events: 120, partsDone: first.length });
  });

  it('writes a manifest after each hour: parts with bytes, lines and SHA-256; none when switched off', async () => {
    const bucket = await newBucket('manifest');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket, prefix: 'm/' });
    await ingestAt(db(), key(), sampleEvents(60, 'man'), H0 + 1000);
    await tick(db(), testConfig({ partBytes: 20_000 }), { budgetMs: 60_000 });
    const { date, h } = { date: new Date(H0).toISOString().slice(0, 10), h: new Date(H0).getUTCHours() };
    const manifestKey = `m/_spillway/manifests/${fresh.seed.project.id}_${date}_${h}.json`;
    const all = await listKeys(bucket, '', { manifests: true });
    expect(all).toContain(manifestKey);
    // the data-file glob people use does not match it
    expect(all.filter((k) => k.endsWith('.json.gz')).some((k) => k.includes('_spillway'))).toBe(false);
    const manifest = JSON.parse(new TextDecoder().decode(await getBytes(bucket, manifestKey)));
    expect((await headObject(bucket, manifestKey)).ContentType).toBe('application/json');
    const parts = (await listKeys(bucket, `m/${fresh.seed.project.id}_${date}_${h}#`)).sort(
      (a, b) => Number(a.split('#')[1].split('.')[0]) - Number(b.split('#')[1].split('.')[0]),
    );
    expect(parts.length).toBeGreaterThan(1);
    expect(manifest).toMatchObject({ manifest_version: 1, kind: 'events', project_id: fresh.seed.project.id, date, hour: h, complete: true, events: 60 });
    expect(manifest.parts.map((p: { key: string }) => p.key)).toEqual(parts);
    for (const p of manifest.parts) {
      const bytes = await getBytes(bucket, p.key);
      expect(p.bytes).toBe(bytes.byteLength);
      expect(p.lines).toBe(lines(bytes).length);
      expect(p.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    // an empty hour is complete too
    const empty = `m/_spillway/manifests/${fresh.seed.project.id}_${new Date(H0 - HOUR_MS).toISOString().slice(0, 10)}_${new Date(H0 - HOUR_MS).getUTCHours()}.json`;
    expect(JSON.parse(new TextDecoder().decode(await getBytes(bucket, empty)))).toMatchObject({ events: 0, parts: [] });

    // switched off: a re-export writes no manifest
    const other = await newBucket('nomanifest');
    const off = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: other, writeManifest: false });
    await tick(db(), testConfig({ partBytes: 20_000 }), { budgetMs: 60_000 });
    expect((await listKeys(other, '', { manifests: true })).some((k) => k.includes('_spillway'))).toBe(false);
    expect(off.writeManifest).toBe(false);
    expect(dest.writeManifest).toBe(true);
  });

  it('the integrity check finds a deleted part, a changed part and a stale part, and the re-export repairs them', async () => {
    const bucket = await newBucket('integrity');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    await ingestAt(db(), key(), sampleEvents(80, 'int'), H0 + 1000);
    const config = testConfig({ partBytes: 20_000 });
    await tick(db(), config, { budgetMs: 60_000 });
    const before = await snapshot(bucket);
    const parts = [...before.keys()].filter((k) => k.startsWith(`${fresh.seed.project.id}_`)).sort();
    expect(parts.length).toBeGreaterThanOrEqual(3);
    // the damage: part 1 deleted, part 2 overwritten, a stale part 9 added
    const s3 = adminS3('user1');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: parts[0] }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: parts[1], Body: 'not what was exported' }));
    const stale = parts[0].replace('#1.json.gz', '#9.json.gz');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: stale, Body: 'old' }));

    const [d] = await db().select().from(s.destinations).where(eq(s.destinations.id, dest.id));
    const report = await checkIntegrity(db(), config, d, 2);
    expect(report.issues).toHaveLength(1);
    expect(report.issues[0]).toMatchObject({ hour: H0, kind: 'events', repaired: true });
    expect(report.issues[0].problem).toMatch(/part 1 is missing.*part 2 has \d+ bytes.*stale part 9/);
    const coverage = await coverageOf(db(), { ...d, integrityCheckedAt: Date.now() }, '2');
    expect(coverage.days.flatMap((x) => x.cells).find((c) => c.hour === H0)).toMatchObject({
      state: 'pending',
      reason: expect.stringMatching(/being repaired/),
    });

    await tick(db(), config, { budgetMs: 60_000 });
    const after = await snapshot(bucket);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [k, v] of before) expect(after.get(k)!.equals(v), k).toBe(true);
    const repaired = await coverageOf(db(), { ...d, integrityCheckedAt: Date.now() }, '2');
    expect(repaired.days.flatMap((x) => x.cells).find((c) => c.hour === H0)).toMatchObject({ state: 'repaired', events: 80 });
    // a second check finds nothing
    expect((await checkIntegrity(db(), config, d, 2)).issues).toEqual([]);
  });

  it('the integrity check covers backfilled hours before the connection started', async () => {
    const bucket = await newBucket('integrity-backfill');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    const old = floorHour(Date.now()) - 8 * 24 * HOUR_MS;
    expect(old).toBeLessThan(dest.startHour);
    await ingestAt(db(), key(), sampleEvents(60, 'old'), old + 1000);
    const config = testConfig({ partBytes: 4_000 });
    await startBackfill(db(), config, { destinationId: dest.id, from: old, to: old + HOUR_MS });
    for (let i = 0; i < 5 && (await tick(db(), config, { budgetMs: 60_000 })).jobs > 0; i++);
    const before = await snapshot(bucket);
    const parts = [...before.keys()].filter((k) => k.startsWith(`${fresh.seed.project.id}_${hourName(old)}#`)).sort();
    expect(parts.length).toBeGreaterThan(1);
    await adminS3('user1').send(new DeleteObjectCommand({ Bucket: bucket, Key: parts[0] }));

    const [d] = await db().select().from(s.destinations).where(eq(s.destinations.id, dest.id));
    const report = await checkIntegrity(db(), config, d, 10);
    expect(report.issues).toEqual([
      expect.objectContaining({ hour: old, kind: 'events', repaired: true, problem: expect.stringMatching(/part 1 is missing/) }),
    ]);
    await tick(db(), config, { budgetMs: 60_000 });
    const after = await snapshot(bucket);
    for (const [k, v] of before) expect(after.get(k)?.equals(v), k).toBe(true);
  });

  it('gives the bucket owner every file it writes (bucket-owner-full-control)', async () => {
    // the writer (user2) is not the bucket's owner (user1): without the ACL the owner could not read
    const e = rgwEnv();
    const bucket = await newBucket('owner');
    await setBucketPolicy(bucket, bucketPolicy({ bucket, prefix: 'o/', principal: e.user2.arn }));
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket, prefix: 'o/' });
    await ingestAt(db(), key(), sampleEvents(30, 'own'), H0 + 1000);
    await tick(db(), testConfig({ s3: { baseCredentials: e.user2 }, partBytes: 10_000 }), { budgetMs: 60_000 });
    const keys = await listKeys(bucket);
    expect(keys.length).toBeGreaterThan(1);
    for (const k of keys) expect(lines(await getBytes(bucket, k, 'user1')).length).toBeGreaterThan(0);
  });

  it('writes merged Amplitude IDs as -OrgID_yyyy-MM-dd_H.json.gz', async () => {
    await ingestAt(db(), key(), [{ device_id: 'merge-dev-A', user_id: 'merge-user', event_type: 'a' }], H0);
    await ingestAt(db(), key(), [{ device_id: 'merge-dev-B', event_type: 'b' }], H0 + 60_000);
    await ingestAt(db(), key(), [{ device_id: 'merge-dev-B', user_id: 'merge-user', event_type: 'c' }], H0 + 120_000);
    const bucket = await newBucket('merged');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket, exportEvents: false, exportMerged: true });
    await tick(db(), testConfig(), { budgetMs: 60_000 });
    expect(await listKeys(bucket)).toEqual([`-${fresh.seed.org.id}_${hourName(H0)}.json.gz`]);
    const [m] = lines(await getBytes(bucket, `-${fresh.seed.org.id}_${hourName(H0)}.json.gz`));
    const [merge] = await db().select().from(s.merges);
    expect(m).toEqual({
      scope: fresh.seed.project.id,
      merge_time: merge.mergeTime,
      merge_server_time: H0 + 120_000,
      amplitude_id: merge.amplitudeId,
      merged_amplitude_id: merge.mergedAmplitudeId,
    });

    // a manual export of events and merged IDs counts events only: the merged-IDs line is not one
    const both = await newBucket('merged-both');
    const dest = await rgwDestination(db(), {
      orgId: fresh.seed.org.id,
      projectId: fresh.seed.project.id,
      bucket: both,
      exportEvents: true,
      exportMerged: true,
    });
    await startBackfill(db(), testConfig(), { destinationId: dest.id, from: H0, to: H0 + HOUR_MS });
    for (let i = 0; i < 3; i++) await tick(db(), testConfig(), { budgetMs: 60_000 });
    const [progress] = await backfillProgress(db(), dest.id);
    expect(progress).toMatchObject({ jobsDone: 2, jobsTotal: 2, events: 3 });
  });

  it('encrypts with SSE-KMS: objects carry aws:kms and the key id', async () => {
    await ingestAt(db(), key(), sampleEvents(3, 'k'), H0);
    const bucket = await newBucket('kms');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket, kmsKeyArn: rgwEnv().kmsKeyId });
    await tick(db(), testConfig(), { budgetMs: 60_000 });
    const [k] = await listKeys(bucket);
    const head = await headObject(bucket, k);
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(rgwEnv().kmsKeyId);
  });
});

describe('credentials', () => {
  it("exports through the project's IAM role, assumed with STS", async () => {
    await ingestAt(db(), key(), sampleEvents(3, 'role'), H0);
    const bucket = await newBucket('role');
    const roleArn = await createRole(`spillway-project-${fresh.seed.project.id}-${Date.now().toString(36)}`);
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket, roleArn });
    const v = await verifyAccess(dest, testConfig().s3);
    expect(v.checks.map((c) => [c.id, c.status])).toEqual([
      ['sts:AssumeRole', 'ok'],
      ['bucket', 'ok'],
      ['s3:ListBucket', 'ok'],
      ['s3:GetBucketLocation', 'ok'],
      ['s3:PutObject', 'ok'],
      ['s3:PutObjectAcl', 'ok'],
      ['s3:DeleteObject', 'ok'],
    ]);
    const sum = await tick(db(), testConfig(), { budgetMs: 60_000 });
    expect(sum.failed).toBe(0);
    expect(await listKeys(bucket)).toEqual([`${fresh.seed.project.id}_${hourName(H0)}#1.json.gz`]);
  });

  it('names sts:AssumeRole when the role cannot be assumed', async () => {
    const bucket = await newBucket('norole');
    const dest = await rgwDestination(db(), {
      orgId: fresh.seed.org.id,
      projectId: fresh.seed.project.id,
      bucket,
      roleArn: 'arn:aws:iam:::role/does-not-exist',
    });
    const v = await verifyAccess(dest, testConfig().s3);
    expect(v.checks[0]).toMatchObject({ id: 'sts:AssumeRole', status: 'failed' });
  });
});

describe('re-exports and backfills', () => {
  it('re-exporting an hour writes identical bytes, deletes stale parts, and never duplicates an event', async () => {
    await ingestAt(db(), key(), sampleEvents(150, 'r'), H0);
    await ingestAt(db(), key(), sampleEvents(30, 'r2'), H0 + HOUR_MS);
    const bucket = await newBucket('reexport');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    await tick(db(), testConfig({ partBytes: 30_000 }), { budgetMs: 60_000 });
    const before = await snapshot(bucket);
    expect(before.size).toBeGreaterThan(4);

    // overlapping backfill with the same settings: same keys, same bytes
    await startBackfill(db(), testConfig(), { destinationId: dest.id, from: H0 - 2 * HOUR_MS, to: H0 + 2 * HOUR_MS });
    await tick(db(), testConfig({ partBytes: 30_000 }), { budgetMs: 60_000 });
    await tick(db(), testConfig({ partBytes: 30_000 }), { budgetMs: 60_000 });
    const again = await snapshot(bucket);
    expect([...again.keys()]).toEqual([...before.keys()]);
    for (const [k, v] of before) expect(again.get(k)!.equals(v), k).toBe(true);
    const [progress] = await backfillProgress(db(), dest.id);
    expect(progress).toMatchObject({ state: 'done', hoursTotal: 4, jobsDone: 4, events: 180 });

    // fewer, larger parts: the stale higher parts are deleted
    await startBackfill(db(), testConfig(), { destinationId: dest.id, from: H0, to: H0 + HOUR_MS });
    await tick(db(), testConfig({ partBytes: 10_000_000 }), { budgetMs: 60_000 });
    const after = await listKeys(bucket, `${fresh.seed.project.id}_${hourName(H0)}#`);
    expect(after).toEqual([`${fresh.seed.project.id}_${hourName(H0)}#1.json.gz`]);
    const all = (await Promise.all((await listKeys(bucket)).map((k) => getBytes(bucket, k)))).flatMap(lines);
    expect(all).toHaveLength(180);
    expect(new Set(all.map((e) => e.uuid)).size).toBe(180);
  });

  it('a backfill can be cancelled and leaves earlier exports as they were', async () => {
    const bucket = await newBucket('cancel');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    // data from the first hour on, so that every hour of the range has a job to cancel
    await ingestAt(db(), key(), sampleEvents(3, 'c'), H0 - 400 * HOUR_MS + 1000);
    const b = await startBackfill(db(), testConfig(), { destinationId: dest.id, from: H0 - 400 * HOUR_MS, to: H0 });
    await tick(db(), testConfig(), { budgetMs: 60_000, maxJobs: 3 });
    expect(await cancelBackfill(db(), dest.id, b.id)).toBe(true);
    const left = await db()
      .select()
      .from(s.exportJobs)
      .where(and(eq(s.exportJobs.backfillId, b.id), eq(s.exportJobs.state, 'pending')));
    expect(left).toHaveLength(0);
    const [p] = await backfillProgress(db(), dest.id);
    expect(p.state).toBe('cancelled');
  });

  it('a range from 2000 passes the hours before the first event without jobs and exports at once', async () => {
    const bucket = await newBucket('since2000');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    await ingestAt(db(), key(), sampleEvents(5, 'y2k'), H0 - 2 * HOUR_MS + 1000);
    const b = await startBackfill(db(), testConfig(), { destinationId: dest.id, from: Date.UTC(2000, 0, 1), to: H0 });
    await tick(db(), testConfig(), { budgetMs: 60_000 });
    // jobs only for the hours from the first event on: H0-2h and H0-1h, not 230,000
    const jobs = await db().select().from(s.exportJobs).where(eq(s.exportJobs.backfillId, b.id));
    expect(jobs.map((j) => j.hour).sort()).toEqual([H0 - 2 * HOUR_MS, H0 - HOUR_MS]);
    expect(await listKeys(bucket)).toEqual([`${fresh.seed.project.id}_${hourName(H0 - 2 * HOUR_MS)}#1.json.gz`]);
    await tick(db(), testConfig(), { budgetMs: 60_000 });
    const [p] = await backfillProgress(db(), dest.id);
    expect(p).toMatchObject({ id: b.id, state: 'done', jobsFailed: 0 });
    expect(p.jobsDone).toBe(p.jobsTotal);
  });

  it("overlapping backfills: each one's progress counts its own hours, whoever exported them", async () => {
    const bucket = await newBucket('overlap');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    const from = H0 - 30 * HOUR_MS;
    for (let h = 0; h < 6; h++) await ingestAt(db(), key(), sampleEvents(3, `ov${h}`), from + h * HOUR_MS + 1000);
    const first = await startBackfill(db(), testConfig(), { destinationId: dest.id, from, to: from + 6 * HOUR_MS });
    await tick(db(), testConfig(), { budgetMs: 60_000, maxJobs: 2 });
    // a second export of an overlapping range takes the remaining hours over
    const second = await startBackfill(db(), testConfig(), { destinationId: dest.id, from: from + 3 * HOUR_MS, to: from + 8 * HOUR_MS });
    for (let i = 0; i < 3; i++) await tick(db(), testConfig(), { budgetMs: 60_000 });
    const progress = await backfillProgress(db(), dest.id);
    const p1 = progress.find((p) => p.id === first.id)!;
    const p2 = progress.find((p) => p.id === second.id)!;
    expect(p1).toMatchObject({ state: 'done', jobsTotal: 6, jobsDone: 6, events: 18, jobsFailed: 0 });
    expect(p2).toMatchObject({ state: 'done', jobsTotal: 5, jobsDone: 5, events: 9 });
  });

  it('refuses a range that has not ended', async () => {
    const bucket = await newBucket('future');
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    await expect(startBackfill(db(), testConfig(), { destinationId: dest.id, from: Date.now() + HOUR_MS, to: Date.now() + 5 * HOUR_MS })).rejects.toThrow(
      /not ended/,
    );
  });
});

describe('disable toggle', () => {
  it('plans nothing while disabled and leaves no gap when re-enabled within 24 hours', async () => {
    const bucket = await newBucket('toggle');
    const now = Date.now();
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket }, now - 30 * HOUR_MS);
    // exported up to 10 hours ago, then disabled
    await tick(db(), testConfig(), { budgetMs: 60_000, now: () => now - 10 * HOUR_MS });
    await setEnabled(db(), fresh.seed.org.id, dest.id, false, now - 10 * HOUR_MS);
    await ingestAt(db(), key(), sampleEvents(5, 'gap'), now - 5 * HOUR_MS);
    expect((await tick(db(), testConfig(), { budgetMs: 60_000 })).planned).toBe(0);
    const r = await setEnabled(db(), fresh.seed.org.id, dest.id, true, now);
    expect(r!.gap).toBeNull();
    await tick(db(), testConfig(), { budgetMs: 60_000 });
    expect(await listKeys(bucket)).toEqual([`${fresh.seed.project.id}_${hourName(floorHour(now - 5 * HOUR_MS))}#1.json.gz`]);
    const hours = (await db().select({ hour: s.exportJobs.hour }).from(s.exportJobs).where(eq(s.exportJobs.destinationId, dest.id)))
      .map((x) => x.hour)
      .sort((a, b) => a - b);
    for (let i = 1; i < hours.length; i++) expect(hours[i] - hours[i - 1]).toBe(HOUR_MS);
  });

  it('reports the gap to backfill when re-enabled after more than 24 hours', async () => {
    const bucket = await newBucket('gap');
    const now = Date.now();
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket }, now - 80 * HOUR_MS);
    await setEnabled(db(), fresh.seed.org.id, dest.id, false, now - 79 * HOUR_MS);
    const r = await setEnabled(db(), fresh.seed.org.id, dest.id, true, now);
    expect(r!.gap).toEqual({ from: dest.startHour, to: floorHour(now - 24 * HOUR_MS) });
  });
});

describe('access failures', () => {
  it('retries, fails, emails admins and the creator once naming s3:PutObject, then recovers after the fix', async () => {
    const e = rgwEnv();
    const bucket = await newBucket('denied');
    const full = bucketPolicy({ bucket, prefix: '', principal: e.user2.arn });
    const noPut = structuredClone(full);
    noPut.Statement[1].Action = ['s3:DeleteObject'];
    await setBucketPolicy(bucket, noPut);
    const config = testConfig({ s3: { baseCredentials: e.user2 }, maxTries: 3 });
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket, createdBy: fresh.seed.member.id });

    // setup's verification names the missing permission, and only it
    const v = await verifyAccess(dest, config.s3);
    expect(v.ok).toBe(false);
    expect(v.checks.filter((c) => c.status === 'failed').map((c) => c.id)).toEqual(['s3:PutObject']);
    expect(v.checks.find((c) => c.id === 's3:PutObjectAcl')!.status).toBe('skipped');
    expect(v.checks.find((c) => c.id === 's3:PutObject')!.fix).toContain('s3:PutObject');

    await ingestAt(db(), key(), sampleEvents(4, 'd'), H0);
    for (let i = 0; i < 3; i++) await tick(db(), config, { budgetMs: 60_000 });
    const [job] = await db()
      .select()
      .from(s.exportJobs)
      .where(and(eq(s.exportJobs.hour, H0), eq(s.exportJobs.destinationId, dest.id)));
    expect(job).toMatchObject({ state: 'failed', tries: 3, errorKind: 'access', errorPermission: 's3:PutObject' });

    const smtp = await startSmtp();
    try {
      const transport = {
        transport: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true }),
        from: 'spillway@localhost',
      };
      await drainOutbox(db(), transport);
      await tick(db(), config, { budgetMs: 60_000 });
      await drainOutbox(db(), transport);
      expect(smtp.messages).toHaveLength(1);
      const mail = smtp.messages[0];
      expect(mail.subject).toContain('s3:PutObject');
      expect(mail.text).toContain('Missing permission: s3:PutObject');
      // the hours listed (an empty hour fails too: its manifest cannot be written)
      expect(mail.text).toMatch(/Failing hours:\n {2}\d{4}-\d\d-\d\d \d{1,2}:00 UTC {2}events {2}\(failed\)/);
      const to = (Array.isArray(mail.to) ? mail.to : [mail.to!]).flatMap((a) => a.value.map((v) => v.address)).sort();
      expect(to).toEqual([fresh.seed.admin.email, fresh.seed.member.email].sort());
    } finally {
      await smtp.close();
    }
    expect(await listKeys(bucket)).toEqual([]);

    // fix the policy: the next export succeeds, the alarm clears, the failed hour is exported again
    await setBucketPolicy(bucket, full);
    const later = Date.now() + 2 * HOUR_MS;
    await ingestAt(db(), key(), sampleEvents(2, 'fixed'), floorHour(Date.now()));
    await tick(db(), config, { budgetMs: 60_000, now: () => later });
    await tick(db(), config, { budgetMs: 60_000, now: () => later });
    expect(await db().select().from(s.alarms)).toHaveLength(0);
    const keys = await listKeys(bucket);
    expect(keys).toContain(`${fresh.seed.project.id}_${hourName(H0)}#1.json.gz`);
    expect(keys).toContain(`${fresh.seed.project.id}_${hourName(floorHour(Date.now()))}#1.json.gz`);
  });

  it('verification names a missing bucket', async () => {
    const dest = await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket: 'no-such-bucket-spillway' });
    const v = await verifyAccess(dest, testConfig().s3);
    expect(v.checks[0]).toMatchObject({ id: 'bucket', status: 'failed' });
    expect(v.checks[0].detail).toMatch(/does not exist/);
  });
});

describe('concurrency', () => {
  it('several ticks at once write every hour once and lose none', async () => {
    for (let h = 0; h < 6; h++) await ingestAt(db(), key(), sampleEvents(40, `c${h}`), H0 - h * HOUR_MS);
    const bucket = await newBucket('concurrent');
    await rgwDestination(db(), { orgId: fresh.seed.org.id, projectId: fresh.seed.project.id, bucket });
    const sums = await Promise.all([1, 2, 3, 4].map((i) => tick(db(), testConfig({ partBytes: 20_000 }), { budgetMs: 60_000, workerId: `w${i}` })));
    const keys = await listKeys(bucket);
    const uploaded = sums.reduce((a, x) => a + x.parts, 0);
    expect(uploaded).toBe(keys.length);
    expect(sums.reduce((a, x) => a + x.done, 0)).toBe((await db().select().from(s.exportJobs)).length);
    const all = (await Promise.all(keys.map((k) => getBytes(bucket, k)))).flatMap(lines);
    expect(all).toHaveLength(240);
  });
});
