// The store of sealed parts (store.ts): in the database as 1 MB slices, or in an archive bucket on
// radosgw. What was stored is read back byte for byte; a missing or short part is SealPartDamaged (its
// seal is built again); an archive that cannot be reached is Spillway's storage failing.
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/support/db';
import { newBucket, rgwEnv } from '../../../test/support/rgw';
import { seedOrg } from '../../../test/support/seed';
import type { Database } from '../../db/client';
import * as s from '../../db/schema';
import { storageFault } from '../../db/storage-fault';
import { SealStore, SealPartDamaged, IN_DATABASE, type PartRef } from './store';
import { floorHour } from '../../util/hours';

let database: Database;
let ref: PartRef;
const body = Uint8Array.from({ length: 2_500_000 }, (_, i) => (i * 7) % 251);
// a byte comparison (a deep equality of 2.5 million elements takes seconds)
const same = (bytes: Uint8Array) => Buffer.from(bytes).equals(Buffer.from(body));

beforeEach(async () => {
  database = await freshDatabase();
  const { project } = await seedOrg(database.db, 'store');
  ref = { projectId: project.id, kind: 'events-current', hour: floorHour(Date.now()), generation: 1, part: 1 };
  await database.db.insert(s.seals).values({ projectId: ref.projectId, kind: ref.kind, hour: ref.hour, state: 'building', partBytes: 1 << 20, updatedAt: 0 });
});
afterEach(() => database.close());

/** The part's row, as the seal records it after storing its bytes. */
async function recordPart(location: string) {
  const [row] = await database.db
    .insert(s.sealedParts)
    .values({ ...ref, lines: 1, rawBytes: body.byteLength, bytes: body.byteLength, sha256: 'x', location, createdAt: 0 })
    .returning();
  return row.id;
}

describe('parts kept in the database', () => {
  it('are read back whole, in 1 MB slices; a missing slice or another size is damage', async () => {
    const store = new SealStore(undefined, {});
    const location = await store.store(ref, body);
    expect(location).toBe(IN_DATABASE);
    const id = await recordPart(location);
    await store.record(database.db, id, location, body);
    expect((await database.db.select().from(s.sealedChunks).where(eq(s.sealedChunks.partId, id))).map((c) => c.data.byteLength)).toEqual([
      1 << 20,
      1 << 20,
      body.byteLength - 2 * (1 << 20),
    ]);
    expect(same(await store.read(database.db, id, location, body.byteLength))).toBe(true);
    await expect(store.read(database.db, id, location, body.byteLength + 1)).rejects.toBeInstanceOf(SealPartDamaged);
    await database.db.delete(s.sealedChunks).where(and(eq(s.sealedChunks.partId, id), eq(s.sealedChunks.seq, 1)));
    await expect(store.read(database.db, id, location, body.byteLength)).rejects.toThrow(/lacks its slice 1/);
  });
});

describe('parts kept in an archive bucket', () => {
  const archiveOf = (bucket: string, endpoint = rgwEnv().endpoint) =>
    new SealStore({ bucket, prefix: 'sealed/', endpoint, region: 'us-east-1', forcePathStyle: true }, { baseCredentials: rgwEnv().user1 });

  it('are stored under their key, read back whole, and forgotten', async () => {
    const store = archiveOf(await newBucket('archive'));
    const location = await store.store(ref, body);
    expect(location).toMatch(/^sealed\/\d+\/events-current\/\d{4}-\d{2}-\d{2}\/\d+\/g1-1\.json\.gz$/);
    const id = await recordPart(location);
    await store.record(database.db, id, location, body);
    expect(await database.db.select().from(s.sealedChunks)).toEqual([]);
    expect(same(await store.read(database.db, id, location, body.byteLength))).toBe(true);
    await store.forget([location]);
    await expect(store.read(database.db, id, location, body.byteLength)).rejects.toThrow(/missing from the archive/);
  });

  it("that cannot be reached are Spillway's storage failing, not the customer's bucket", async () => {
    const store = archiveOf('sealed', 'http://127.0.0.1:9');
    const failed = await store.store(ref, body).catch((e: unknown) => e);
    expect(storageFault(failed)).toMatchObject({ kind: 'archive' });
  });
});
