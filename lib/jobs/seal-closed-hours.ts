// Sealing every project's closed hours as they close, whether or not a connection exports them:
// each project's cursor (projects.sealed_until) moves over its hours, one index seek finding the next
// hour with data, so empty hours cost nothing and an export of an hour below the cursor with no seal
// knows it is empty (lib/jobs/empty-hours.ts). Seals waiting with no export to build them (stale,
// abandoned mid-build, or of hours no connection exports) are built here. Within the budget given;
// what is left is done next tick.
import { and, eq, isNull, lt, lte, not, or, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { withWriteLock } from '../db/write';
import type { SealStore } from '../export/seal/store';
import { DEFAULT_EVENTS, isEventsKind, sealKindOf, sealKindSql, type SealKind } from '../db/seal-kinds';
import { nextDataHour, type HourRef } from '../export/seal/parts-from-rows';
import { HOUR_MS } from '../util/hours';
import type { EngineConfig } from './config';
import { LeaseLost } from '../util/renewal';
import { kindsOf, lastClosedHour } from './plan';
import { buildSeal, claimSeal, keepSealLease, SealChanged, SealUnrecoverable, type SealSettings } from '../export/seal/seal';

const KINDS = ['events', 'merged'] as const;

export interface SealRun {
  workerId: string;
  settings: SealSettings;
  clock: () => number;
  deadline: number;
  /** told of each seal built here to its end */
  onBuilt?: (o: SealBuilt) => void;
}

/** A seal built to its end by one worker's run: how long (this run) and how many bytes of parts. */
export interface SealBuilt {
  kind: string;
  ms: number;
  bytes: number;
}

/** Seals one hour of one kind to the end (or the deadline): 'built' here, 'was sealed' already, or 'unfinished'. */
export async function sealHour(db: Db, store: SealStore, ref: HourRef, run: SealRun): Promise<'built' | 'was sealed' | 'unfinished'> {
  const claim = await claimSeal(db, store, ref, run.workerId, run.clock(), run.settings);
  if (claim.state === 'empty' || claim.state === 'sealed') return 'was sealed';
  if (claim.state === 'busy') return 'unfinished';
  const lease = keepSealLease(db, claim.seal, run.workerId, run.settings.leaseMs, run.clock);
  const began = run.clock();
  let bytes = 0;
  try {
    const build = buildSeal(db, store, claim.seal, run.workerId, run.settings, run.clock, () => run.clock() >= run.deadline || lease.lost());
    for (;;) {
      const r = await build.next();
      if (!r.done) {
        bytes += r.value.row.bytes;
        continue;
      }
      if (r.value !== 'sealed') return 'unfinished';
      run.onBuilt?.({ kind: ref.kind, ms: run.clock() - began, bytes });
      return 'built';
    }
  } catch (e) {
    // another worker has it, rows arrived meanwhile, or its rows are gone: nothing to do here now
    if (e instanceof LeaseLost || e instanceof SealChanged || e instanceof SealUnrecoverable) return 'unfinished';
    throw e;
  } finally {
    lease.stop();
  }
}

/**
 * Moves each project's cursor over its closed hours. An hour with data gets its seal: left pending
 * for the export that will build it as it uploads when a connection exports that kind, built here
 * otherwise. Returns the hours sealed or marked.
 */
export async function sealClosedHours(db: Db, config: EngineConfig, store: SealStore, run: SealRun): Promise<number> {
  const last = lastClosedHour(run.clock(), config.graceMs);
  const due = await db
    .select({ id: s.projects.id, sealedUntil: s.projects.sealedUntil })
    .from(s.projects)
    .where(and(eq(s.projects.isPortfolio, false), or(isNull(s.projects.sealedUntil), lte(s.projects.sealedUntil, last))));
  let sealed = 0;
  for (const p of due) {
    // the seals the project's connections export: events in each one's line format and filter, merged IDs
    const exported = new Map<SealKind, string | null>(
      (
        await db
          .select()
          .from(s.destinations)
          .where(and(eq(s.destinations.projectId, p.id), eq(s.destinations.enabled, true)))
      ).flatMap((d) => kindsOf(d).map((k) => [sealKindOf(k, d), k === 'events' ? d.eventFilter : null] as const)),
    );
    let cursor = p.sealedUntil ?? (await firstHour(db, p.id)) ?? last + HOUR_MS;
    while (cursor <= last && run.clock() < run.deadline) {
      const hours = await Promise.all(KINDS.map((k) => nextDataHour(db, k, p.id, cursor)));
      const next = Math.min(...hours.map((h) => h ?? Infinity));
      if (next > last) {
        cursor = last + HOUR_MS;
        break;
      }
      let all = true;
      for (const [i, kind] of KINDS.entries()) {
        if (hours[i] !== next) continue;
        // events: a seal per line format exported; none exported, one in the current format for later exports
        const wanted = [...exported].filter(([k]) => isEventsKind(k) === (kind === 'events'));
        if (wanted.length > 0) {
          for (const [k, eventFilter] of wanted) if (await markPending(db, { projectId: p.id, kind: k, hour: next, eventFilter }, run)) sealed++;
          continue;
        }
        const r = await sealHour(db, store, { projectId: p.id, kind: sealKindOf(kind, DEFAULT_EVENTS), hour: next }, run);
        if (r === 'built') sealed++;
        else if (r === 'unfinished') all = false;
      }
      if (!all) break;
      cursor = next + HOUR_MS;
    }
    if (cursor !== p.sealedUntil) await moveCursor(db, p.id, cursor);
  }
  return sealed + (await buildWaiting(db, store, run));
}

/** A seal to be built by the export of its hour (kept if one exists already). Whether it was new. */
async function markPending(db: Db, ref: HourRef, run: SealRun): Promise<boolean> {
  const now = run.clock();
  const r = await withWriteLock(db, () =>
    db
      .insert(s.seals)
      .values({ ...ref, state: 'pending', partBytes: run.settings.partBytes, updatedAt: now })
      .onConflictDoNothing()
      .returning({ hour: s.seals.hour }),
  );
  return r.length > 0;
}

async function firstHour(db: Db, projectId: number): Promise<number | null> {
  const hours = await Promise.all(KINDS.map((k) => nextDataHour(db, k, projectId, 0)));
  const first = Math.min(...hours.map((h) => h ?? Infinity));
  return Number.isFinite(first) ? first : null;
}

/** The cursor only moves forward (several ticks may run at once). */
async function moveCursor(db: Db, projectId: number, to: number) {
  await withWriteLock(db, () =>
    db
      .update(s.projects)
      .set({ sealedUntil: to })
      .where(and(eq(s.projects.id, projectId), or(isNull(s.projects.sealedUntil), lt(s.projects.sealedUntil, to)))),
  );
}

/**
 * Seals that wait with no export to build them: pending ones whose hour no open job exports, stale
 * ones, and those left mid-build by a worker that stopped (a few a tick).
 */
async function buildWaiting(db: Db, store: SealStore, run: SealRun): Promise<number> {
  const now = run.clock();
  const z = s.seals;
  // a job exports this seal: its kind, and for events its connection's (lib/db/seal-kinds.ts sealKindOf)
  const openJob = sql`exists (select 1 from export_jobs j join destinations d on d.id = j.destination_id
    where d.project_id = ${z.projectId} and j.hour = ${z.hour} and j.state in ('pending', 'running', 'retry')
      and ${sql.raw(sealKindSql('j.kind', 'd.events_seal_kind'))} = ${z.kind})`;
  const waiting = await db
    .select({ projectId: z.projectId, kind: z.kind, hour: z.hour, eventFilter: z.eventFilter })
    .from(z)
    .where(
      and(
        eq(z.rowsDeleted, false),
        or(
          and(eq(z.state, 'pending'), not(openJob)),
          and(eq(z.state, 'stale'), not(openJob)),
          and(eq(z.state, 'building'), or(isNull(z.leaseUntil), lt(z.leaseUntil, now))),
        ),
      ),
    )
    .limit(16);
  let built = 0;
  for (const ref of waiting) {
    if (run.clock() >= run.deadline) break;
    if ((await sealHour(db, store, ref, run)) === 'built') built++;
  }
  return built;
}
