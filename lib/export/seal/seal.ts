// Sealing: a project's closed hour is built once into its canonical files (lib/export/seal/parts-from-rows.ts),
// with each part's size, lines and SHA-256, and kept in the seal store (lib/export/seal/store.ts); every export
// of the hour, to any destination, copies those bytes. A seal is built part by part under a lease,
// resumable at its cursor, so an hour larger than one tick's budget, a crash or a lost lease lose
// nothing. One found wrong is built again, never exported wrong: rows that arrived after it was sealed
// (ingestion marks it stale), a part missing or not matching its SHA-256, another part size.
import { and, eq, isNull, like, lt, or, sql } from 'drizzle-orm';
import * as s from '../../db/schema';
import type { Db } from '../../db/types';
import { withWriteLock, writeTx } from '../../db/write';
import { EVENT_SEAL_PATTERN, exportKindOf, isEventsKind } from '../files/format';
import { SealStore, partsOfHour, partsOfSeal, type PartRef, type PartToUpload } from './store';
import { hourParts, hourRowCount, type HourRef } from './parts-from-rows';
import type { GzipOptions } from '../files/gzip';
import { sha256Hex } from '../../util/hash';
import { keepRenewing, LeaseLost } from '../../util/renewal';

export type Seal = typeof s.seals.$inferSelect;
export type SealedPart = typeof s.sealedParts.$inferSelect;

export interface SealSettings {
  partBytes: number;
  gzip?: GzipOptions;
  leaseMs: number;
}

/** What an export finds of an hour's seal. */
export type SealClaim =
  | { state: 'empty' }
  /** complete: copy its parts */
  | { state: 'sealed'; seal: Seal; parts: SealedPart[] }
  /** ours to build from where it stands (parts so far) */
  | { state: 'building'; seal: Seal; parts: SealedPart[] }
  /** another worker builds it (until its lease ends): its parts so far may be copied */
  | { state: 'busy'; seal: Seal; parts: SealedPart[] };

const key = (r: HourRef) => and(eq(s.seals.projectId, r.projectId), eq(s.seals.kind, r.kind), eq(s.seals.hour, r.hour));

export async function sealOf(db: Db, ref: HourRef): Promise<Seal | undefined> {
  const [row] = await db.select().from(s.seals).where(key(ref));
  return row;
}

/** Whether a sealed seal must be built again: another part size (events only), when its rows are still there. */
const outdated = (seal: Seal, settings: SealSettings) => isEventsKind(seal.kind) && seal.partBytes !== settings.partBytes && !seal.rowsDeleted;

/** The hour's seal as an export finds it; claims it for building when nobody holds it. */
export async function claimSeal(db: Db, store: SealStore, ref: HourRef, workerId: string, now: number, settings: SealSettings): Promise<SealClaim> {
  let row = await sealOf(db, ref);
  if (row?.state === 'sealed' && !outdated(row, settings)) return { state: 'sealed', seal: row, parts: await partsOfSeal(db, row) };
  if (row?.state === 'building' && row.leaseOwner !== workerId && (row.leaseUntil ?? 0) >= now) {
    return { state: 'busy', seal: row, parts: await partsOfSeal(db, row) };
  }
  // the hour's rows deleted by the retention after it was sealed in the other line format: nothing to build this one from
  if (!row && isEventsKind(ref.kind)) {
    const [gone] = await db
      .select({ kind: s.seals.kind })
      .from(s.seals)
      .where(and(eq(s.seals.projectId, ref.projectId), eq(s.seals.hour, ref.hour), like(s.seals.kind, EVENT_SEAL_PATTERN), eq(s.seals.rowsDeleted, true)));
    if (gone) {
      throw new SealUnrecoverable(
        `the events of hour ${new Date(ref.hour).toISOString()} were sealed as ${gone.kind === 'events' ? 'documented' : 'current'} lines and their raw rows then deleted by the retention: they can be exported again only in that line format`,
      );
    }
  }
  if (!row && (await hourRowCount(db, ref)) === 0) {
    // recorded, so that rows arriving for it later find it (lib/ingest/late-rows.ts) and export it again
    await writeTx(db, (tx) =>
      tx
        .insert(s.seals)
        .values({ ...ref, state: 'sealed', partBytes: settings.partBytes, sealedAt: now, updatedAt: now })
        .onConflictDoNothing(),
    );
    row = await sealOf(db, ref);
    if (row?.state === 'sealed' && row.parts === 0) return { state: 'empty' };
  }
  const rebuild = sql`(${s.seals.state} = 'stale' or (${s.seals.state} = 'sealed' and ${s.seals.kind} != 'merged' and ${s.seals.partBytes} != ${settings.partBytes}))`;
  const lease = { leaseOwner: workerId, leaseUntil: now + settings.leaseMs, updatedAt: now };
  const claimed = await writeTx(db, async (tx) => {
    const [c] = await tx
      .insert(s.seals)
      .values({ ...ref, state: 'building', partBytes: settings.partBytes, ...lease })
      .onConflictDoUpdate({
        target: [s.seals.projectId, s.seals.kind, s.seals.hour],
        // a stale or outdated seal starts over as a new generation; an abandoned build resumes
        set: {
          state: 'building',
          generation: sql`case when ${rebuild} then ${s.seals.generation} + 1 else ${s.seals.generation} end`,
          partBytes: sql`case when ${rebuild} then ${settings.partBytes} else ${s.seals.partBytes} end`,
          parts: sql`case when ${rebuild} then 0 else ${s.seals.parts} end`,
          lines: sql`case when ${rebuild} then 0 else ${s.seals.lines} end`,
          rawBytes: sql`case when ${rebuild} then 0 else ${s.seals.rawBytes} end`,
          bytes: sql`case when ${rebuild} then 0 else ${s.seals.bytes} end`,
          cursorTime: sql`case when ${rebuild} then null else ${s.seals.cursorTime} end`,
          cursorId: sql`case when ${rebuild} then null else ${s.seals.cursorId} end`,
          sealedAt: null,
          ...lease,
        },
        setWhere: and(
          eq(s.seals.rowsDeleted, false),
          or(
            rebuild,
            eq(s.seals.state, 'pending'),
            and(eq(s.seals.state, 'building'), or(isNull(s.seals.leaseUntil), lt(s.seals.leaseUntil, now), eq(s.seals.leaseOwner, workerId))),
          ),
        ),
      })
      .returning();
    if (!c) return undefined;
    // parts of earlier generations are no longer the hour's
    const old = await tx
      .delete(s.sealedParts)
      .where(and(partsOfHour(ref), lt(s.sealedParts.generation, c.generation)))
      .returning({ location: s.sealedParts.location });
    return { seal: c, forget: old.map((o) => o.location) };
  });
  if (claimed) {
    await store.forget(claimed.forget);
    return { state: 'building', seal: claimed.seal, parts: await partsOfSeal(db, claimed.seal) };
  }
  // somebody else's meanwhile, or one whose rows are gone (its parts are all there is)
  row = await sealOf(db, ref);
  if (!row) throw new Error(`seal of ${ref.kind} ${ref.projectId}@${ref.hour} vanished while being claimed`);
  if (row.state === 'building' && row.leaseOwner !== workerId) return { state: 'busy', seal: row, parts: await partsOfSeal(db, row) };
  if (row.rowsDeleted && row.state !== 'sealed') throw SealUnrecoverable.of(row);
  return { state: 'sealed', seal: row, parts: await partsOfSeal(db, row) };
}

/** A seal found wrong after its raw rows were deleted (SPILLWAY_RAW_RETENTION_DAYS): it cannot be built again. */
export class SealUnrecoverable extends Error {
  static of(seal: Seal) {
    return new SealUnrecoverable(
      `the ${exportKindOf(seal.kind)} of hour ${new Date(seal.hour).toISOString()} were sealed, then found ${seal.state === 'stale' ? 'to have rows that arrived later' : 'damaged'}, and their raw rows were deleted by the retention: they cannot be built again`,
    );
  }
}

/** The part's bytes must be what was sealed: otherwise the seal is marked stale and built again. */
export async function markStale(db: Db, ref: HourRef, now: number) {
  await withWriteLock(db, () =>
    db
      .update(s.seals)
      .set({ state: 'stale', leaseOwner: null, leaseUntil: null, updatedAt: now })
      .where(and(key(ref), eq(s.seals.rowsDeleted, false))),
  );
}

export interface BuiltPart {
  row: SealedPart;
  body: Uint8Array;
}

/**
 * Builds the claimed seal's remaining parts, yielding each once it is kept; completes the seal after
 * the last. Stops between parts when `shouldStop` says so (the seal stays building, resumable).
 */
export async function* buildSeal(
  db: Db,
  store: SealStore,
  seal: Seal,
  workerId: string,
  settings: SealSettings,
  clock: () => number,
  shouldStop?: () => boolean,
): AsyncGenerator<BuiltPart, 'sealed' | 'paused'> {
  const ref: HourRef = { projectId: seal.projectId, kind: seal.kind, hour: seal.hour, eventFilter: seal.eventFilter };
  const cursor = seal.cursorTime !== null && seal.cursorId !== null ? { time: seal.cursorTime, id: seal.cursorId } : null;
  const parts = hourParts(db, ref, cursor, seal.parts + 1, { partBytes: seal.partBytes, gzip: settings.gzip });
  let sealed = false;
  try {
    for await (const p of parts) {
      const partRef: PartRef = { ...ref, generation: seal.generation, part: p.part };
      const [sha256, location] = await Promise.all([sha256Hex(p.body), store.store(partRef, p.body)]);
      const now = clock();
      const row = await writeTx(db, async (tx) => {
        const moved = await tx
          .update(s.seals)
          .set({
            parts: p.part,
            lines: sql`${s.seals.lines} + ${p.events}`,
            rawBytes: sql`${s.seals.rawBytes} + ${p.rawBytes}`,
            bytes: sql`${s.seals.bytes} + ${p.body.byteLength}`,
            cursorTime: p.cursor.time,
            cursorId: p.cursor.id,
            leaseUntil: now + settings.leaseMs,
            updatedAt: now,
          })
          .where(and(key(ref), eq(s.seals.generation, seal.generation), eq(s.seals.leaseOwner, workerId), eq(s.seals.state, 'building')))
          .returning({ generation: s.seals.generation });
        if (moved.length === 0) throw new LeaseLost();
        const [part] = await tx
          .insert(s.sealedParts)
          .values({ ...partRef, lines: p.events, rawBytes: p.rawBytes, bytes: p.body.byteLength, sha256, location, createdAt: now })
          .returning();
        await store.record(tx, part.id, location, p.body);
        return part;
      });
      yield { row, body: p.body };
      if (shouldStop?.()) return 'paused';
    }
    await complete(db, ref, seal.generation, workerId, clock());
    sealed = true;
    return 'sealed';
  } finally {
    await parts.return(undefined);
    // stopped before the end: whoever comes next goes on at once, without waiting for the lease to run out
    if (!sealed) await release(db, ref, seal.generation, workerId).catch(() => undefined);
  }
}

async function release(db: Db, ref: HourRef, generation: number, workerId: string) {
  await withWriteLock(db, () =>
    db
      .update(s.seals)
      .set({ leaseOwner: null, leaseUntil: null })
      .where(and(key(ref), eq(s.seals.generation, generation), eq(s.seals.leaseOwner, workerId), eq(s.seals.state, 'building'))),
  );
}

/** The last part is kept: sealed, unless rows arrived meanwhile (then it is stale, and built again). */
async function complete(db: Db, ref: HourRef, generation: number, workerId: string, now: number) {
  const rows = await hourRowCount(db, ref);
  // ingestion marks a seal stale when rows of its hour arrive (lib/ingest/late-rows.ts); the count is the second guard
  const done = await withWriteLock(db, () =>
    db
      .update(s.seals)
      .set({ state: 'sealed', sealedAt: now, leaseOwner: null, leaseUntil: null, updatedAt: now })
      .where(and(key(ref), eq(s.seals.generation, generation), eq(s.seals.leaseOwner, workerId), eq(s.seals.state, 'building'), eq(s.seals.lines, rows)))
      .returning({ hour: s.seals.hour }),
  );
  if (done.length > 0) return;
  const cur = await sealOf(db, ref);
  if (!cur || cur.generation !== generation || (cur.leaseOwner !== workerId && cur.state === 'building')) throw new LeaseLost();
  await markStale(db, ref, now);
  throw new SealChanged(ref);
}

/** Rows of the hour arrived while it was being sealed: it is built again. */
export class SealChanged extends Error {
  constructor(ref: HourRef) {
    super(`rows of ${ref.kind} ${ref.projectId}@${new Date(ref.hour).toISOString()} arrived while it was being sealed`);
  }
}

/** Keeps a building seal's lease while a long part is made; says when another worker took it. */
export function keepSealLease(db: Db, seal: Seal, workerId: string, leaseMs: number, clock: () => number) {
  const ref: HourRef = { projectId: seal.projectId, kind: seal.kind, hour: seal.hour, eventFilter: seal.eventFilter };
  return keepRenewing(leaseMs, async () => {
    const r = await withWriteLock(db, () =>
      db
        .update(s.seals)
        .set({ leaseUntil: clock() + leaseMs })
        .where(and(key(ref), eq(s.seals.leaseOwner, workerId), eq(s.seals.state, 'building')))
        .returning({ hour: s.seals.hour }),
    );
    return r.length > 0;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sealed part as an export copies it: what was recorded of it, and its bytes (checked again when read from the store). */
const toUpload = (p: SealedPart, body: PartToUpload['body'], verify: boolean): PartToUpload => ({
  part: p.part,
  lines: p.lines,
  rawBytes: p.rawBytes,
  sha256: p.sha256,
  bytes: p.bytes,
  body,
  verify,
});

export interface FollowOptions {
  workerId: string;
  settings: SealSettings;
  clock: () => number;
  /** asked between parts: true pauses (the export resumes later) */
  shouldStop: () => boolean;
}

/**
 * The hour's canonical parts for an export, from part 1, whatever state its seal is in: read back
 * from the store when sealed; built (and kept) here when this worker holds the seal; copied as another
 * worker builds them, taking over if its lease runs out. Returns 'paused' when stopped before the end.
 */
export async function* partsToExport(
  db: Db,
  store: SealStore,
  ref: HourRef,
  claim: SealClaim,
  o: FollowOptions,
): AsyncGenerator<PartToUpload, 'done' | 'paused'> {
  if (claim.state === 'empty') return 'done';
  const generation = claim.seal.generation;
  let next = 1;
  const fromHistory = async function* (parts: SealedPart[]) {
    for (const p of parts) {
      if (p.part < next) continue;
      if (p.generation !== generation) throw new SealChanged(ref);
      yield toUpload(p, store.chunks(db, p.id, p.location, p.bytes), true);
      next = p.part + 1;
    }
  };
  let current = claim;
  try {
    for (;;) {
      yield* fromHistory(current.parts);
      if (current.state === 'sealed') return 'done';
      if (current.state === 'building') {
        const lease = keepSealLease(db, current.seal, o.workerId, o.settings.leaseMs, o.clock);
        const build = buildSeal(db, store, current.seal, o.workerId, o.settings, o.clock, () => o.shouldStop() || lease.lost());
        try {
          for (;;) {
            const r = await build.next();
            if (r.done) return r.value === 'paused' ? 'paused' : 'done';
            yield toUpload(r.value.row, r.value.body, false);
            next = r.value.row.part + 1;
          }
        } finally {
          lease.stop();
          // the export stopped early: the build stops too
          await build.return('paused');
        }
      }
      // another worker is building it: copy its parts as they come, or take over when its lease ends
      if (o.shouldStop()) return 'paused';
      await sleep(50);
      const again = await claimSeal(db, store, ref, o.workerId, o.clock(), o.settings);
      if (again.state === 'empty') return 'done';
      if (again.seal.generation !== generation) throw new SealChanged(ref);
      current = again;
    }
  } finally {
    // a seal claimed and left before its end (stopped, failed): the next worker goes on at once
    if (current.state === 'building') await release(db, ref, generation, o.workerId).catch(() => undefined);
  }
}
