// Destination rules and the KMS migration state on a real libSQL file: field validation, merged-ID
// collisions, the >24 hours gap and its exact backfill, rollback re-enabling with the gap exported.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/client';
import * as s from '../db/schema';
import { DAY_MS, HOUR_MS } from '../util/hours';
import { setEnabled } from './lifecycle';
import { freshDatabase } from '../../test/support/db';
import { rgwDestination, testConfig } from '../../test/support/engine';
import { seedOrg } from '../../test/support/seed';
import { FieldError, parseDestinationFields, parseUtcRange } from './fields';
import { migrationAction, migrationsOf, migrationView, startMigration } from './migration';
import { deleteDestination } from './settings';
import { ConflictError } from './errors';
import { checkAllowed } from './rules';
import { createProject } from '../projects/projects';

let database: Database;
beforeEach(async () => {
  database = await freshDatabase();
});
afterEach(() => database.close());

const aws = { projectId: 1, bucket: 'my-bucket', region: 'eu-west-1', awsAccountId: '123456789012' };

describe('setup fields', () => {
  it('accepts AWS and S3-compatible settings and normalises them', () => {
    expect(parseDestinationFields({ ...aws, prefix: '/exports' })).toMatchObject({
      prefix: 'exports/',
      endpoint: '',
      forcePathStyle: false,
      exportEvents: true,
    });
    expect(parseDestinationFields({ projectId: 1, bucket: 'b12', endpoint: 'http://127.0.0.1:7480/', kmsKeyArn: 'testkey-1' })).toMatchObject({
      endpoint: 'http://127.0.0.1:7480',
      forcePathStyle: true,
      awsAccountId: null,
      kmsKeyArn: 'testkey-1',
      region: 'us-east-1',
    });
  });

  it('names the bad field with a message a person can act on', () => {
    const field = (body: Record<string, unknown>) => {
      try {
        parseDestinationFields(body);
      } catch (e) {
        expect(e).toBeInstanceOf(FieldError);
        return (e as FieldError).field;
      }
      return null;
    };
    expect(field({ ...aws, bucket: 'Bad_Name' })).toBe('bucket');
    expect(field({ ...aws, bucket: 's3://my-bucket' })).toBe('bucket');
    expect(field({ ...aws, awsAccountId: '1234' })).toBe('awsAccountId');
    expect(field({ ...aws, region: 'mars-1' })).toBe('region');
    expect(field({ ...aws, kmsKeyArn: 'my key' })).toBe('kmsKeyArn');
    expect(field({ ...aws, prefix: 'a/../b' })).toBe('prefix');
    expect(field({ ...aws, endpoint: 'ftp://x' })).toBe('endpoint');
    expect(field({ ...aws, endpoint: 'https://s3.example.com/bucket' })).toBe('endpoint');
    expect(field({ ...aws, exportEvents: false, exportMerged: false })).toBe('data');
    expect(field({ ...aws, projectId: '1' })).toBe('projectId');
  });

  it('reads manual export ranges as whole UTC days, both included', () => {
    expect(parseUtcRange({ from: '2026-01-01', to: '2026-01-01' })).toEqual({ from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) });
    expect(parseUtcRange({ from: '2026-01-01T05:00:00Z', to: '2026-01-01T07:00:00Z' })).toEqual({ from: Date.UTC(2026, 0, 1, 5), to: Date.UTC(2026, 0, 1, 7) });
    expect(() => parseUtcRange({ from: '2026-01-01T05:00:00', to: '2026-01-02' })).toThrow(/UTC/);
    expect(() => parseUtcRange({ from: '2026-01-03', to: '2026-01-02' })).toThrow(/before the start/);
  });
});

describe('connection rules', () => {
  it('refuses two projects writing merged-ID files to the same bucket and prefix', async () => {
    const { db } = database;
    const seed = await seedOrg(db);
    const other = await createProject(db, seed.org.id, 'second');
    await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket: 'shared', exportMerged: true });
    const f = { ...parseDestinationFields({ projectId: other.id, bucket: 'shared', endpoint: 'http://127.0.0.1:7480', exportMerged: true }) };
    await expect(checkAllowed(db, seed.org.id, f)).rejects.toBeInstanceOf(ConflictError);
    await expect(checkAllowed(db, seed.org.id, { ...f, prefix: 'second/' })).resolves.toBeUndefined();
    await expect(checkAllowed(db, seed.org.id, { ...f, exportMerged: false })).resolves.toBeUndefined();
  });
});

/** A connection whose hourly planning reached 12:00 on day 0, and a KMS migration of it opened at 12:30. */
async function migrationOf(bucket: string) {
  const { db } = database;
  const seed = await seedOrg(db);
  const t0 = Date.UTC(2026, 5, 10, 12, 30);
  const old = await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket }, t0);
  await db
    .update(s.destinations)
    .set({ plannedUntil: Date.UTC(2026, 5, 10, 12) })
    .where(eq(s.destinations.id, old.id));
  const m = await startMigration(db, seed.org.id, old.id, t0);
  return { db, seed, t0, old, m };
}

describe('KMS migration state', () => {
  it('deleting the old connection outside the checklist ends its migration (no link stays)', async () => {
    const { db, seed, old, m } = await migrationOf('del-old');
    await deleteDestination(db, seed.org.id, old.id);
    const [after] = await db.select().from(s.kmsMigrations).where(eq(s.kmsMigrations.id, m.id));
    // no new connection yet: the migration was given up
    expect(after.state).toBe('rolled_back');
    expect(await migrationsOf(db, seed.org.id, old.id)).toEqual([]);
  });

  it('warns after 24 hours off and backfills exactly the gap on the new connection', async () => {
    const { db, seed, t0, old, m } = await migrationOf('mig');
    await setEnabled(db, seed.org.id, old.id, false, t0);

    const soon = await migrationView(db, seed.org.id, m.id, t0 + 3 * HOUR_MS);
    expect(soon.steps['3']).toBe(true);
    expect(soon.gap).toBeNull();

    // new connection made three days later
    const later = t0 + 3 * DAY_MS;
    const neu = await rgwDestination(db, { orgId: seed.org.id, projectId: seed.project.id, bucket: 'mig', kmsKeyArn: 'testkey-1' }, later);
    await db.update(s.kmsMigrations).set({ newDestinationId: neu.id }).where(eq(s.kmsMigrations.id, m.id));
    const v = await migrationView(db, seed.org.id, m.id, later);
    expect(v.hoursSinceDisabled).toBe(72);
    expect(v.gap).toEqual({ from: Date.UTC(2026, 5, 10, 12), to: neu.startHour, hours: (neu.startHour - Date.UTC(2026, 5, 10, 12)) / HOUR_MS });
    expect(v.gapBackfilled).toBe(false);

    await migrationAction(db, testConfig(), seed.org.id, seed.admin.id, m.id, 'backfill-gap', later);
    const [b] = await db.select().from(s.backfills).where(eq(s.backfills.destinationId, neu.id));
    expect([b.fromHour, b.toHour]).toEqual([v.gap!.from, v.gap!.to]);
    expect((await migrationView(db, seed.org.id, m.id, later)).gapBackfilled).toBe(true);
    // deleting the old connection needs the new one's first export first
    await expect(migrationAction(db, testConfig(), seed.org.id, seed.admin.id, m.id, 'delete-old', later)).rejects.toThrow(/step 10/);
  });

  it('rollback after more than 24 hours re-enables the old connection and exports its gap', async () => {
    const { db, seed, t0, old, m } = await migrationOf('rb');
    await migrationAction(db, testConfig(), seed.org.id, seed.admin.id, m.id, 'disable-old', t0);
    const later = t0 + 2 * DAY_MS;
    await migrationAction(db, testConfig(), seed.org.id, seed.admin.id, m.id, 'enable-old', later);
    const v = await migrationView(db, seed.org.id, m.id, later);
    expect(v.state).toBe('rolled_back');
    expect(v.old?.enabled).toBe(true);
    const [b] = await db.select().from(s.backfills).where(eq(s.backfills.destinationId, old.id));
    expect(b.fromHour).toBe(Date.UTC(2026, 5, 10, 12));
    expect(b.toHour).toBe(Math.floor((later - DAY_MS) / HOUR_MS) * HOUR_MS);
  });
});
