// KMS migration (the spec's 11 steps) and its rollback, as state the checklist can trust: what the
// database knows (old connection disabled, its jobs finished, new connection verified, first export
// done) is computed; what happens only in AWS (key created, policies pasted, bucket encryption) is
// ticked by the user. The current bucket policy is kept for rollback.
import { and, eq, or, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { writeTx } from '../db/write';
import { DAY_MS, HOUR_MS } from '../util/hours';
import { backfillProgress, startBackfill } from '../jobs/backfill';
import type { EngineConfig } from '../jobs/config';
import { initialStartHour, setEnabled } from './lifecycle';
import { FieldError, parseKmsKeyArn, type DestinationFields } from './fields';
import { createVerified, policiesFor } from './access';
import { ConflictError, NotFoundError } from './errors';
import { getOwned } from './rules';
import { deleteDestination } from './settings';
import { describe, type DestinationView } from './views';
import { orgRow } from '../db/org-row';

export type Migration = typeof s.kmsMigrations.$inferSelect;

/** Steps only the user can confirm (they happen in AWS); r = the rollback checklist. */
const MANUAL_STEPS: readonly string[] = ['1', '5', '7', '8', 'r2', 'r3', 'r5'];

export async function startMigration(db: Db, orgId: number, oldId: number, now = Date.now()): Promise<Migration> {
  const old = await getOwned(db, orgId, oldId);
  if (old.kmsKeyArn) throw new ConflictError('kmsKeyArn', 'This connection already encrypts with a KMS key');
  return writeTx(db, async (tx) => {
    const [open] = await tx
      .select()
      .from(s.kmsMigrations)
      .where(and(eq(s.kmsMigrations.oldDestinationId, oldId), eq(s.kmsMigrations.state, 'open')));
    if (open) return open;
    const summary = {
      id: old.id,
      projectId: old.projectId,
      bucket: old.bucket,
      prefix: old.prefix,
      region: old.region,
      endpoint: old.endpoint,
      roleArn: old.roleArn,
    };
    const [m] = await tx
      .insert(s.kmsMigrations)
      .values({ orgId, oldDestinationId: oldId, oldSummary: JSON.stringify(summary), createdAt: now, updatedAt: now })
      .returning();
    return m;
  });
}

async function owned(db: Db, orgId: number, id: number): Promise<Migration> {
  const m = await orgRow(db, s.kmsMigrations, orgId, id);
  if (!m) throw new NotFoundError('No such migration');
  return m;
}

export interface MigrationView {
  id: number;
  state: Migration['state'];
  old: DestinationView | null;
  oldSummary: Record<string, unknown>;
  new: DestinationView | null;
  ticked: string[];
  policyBackup: string | null;
  /** step number -> done */
  steps: Record<string, boolean>;
  rollbackSteps: Record<string, boolean>;
  rollbackAvailable: boolean;
  /** hours no connection covers, when the old one was off for more than 24 hours */
  gap: { from: number; to: number; hours: number } | null;
  hoursSinceDisabled: number | null;
  gapBackfilled: boolean;
  /**
   * The hours the new connection wrote with the KMS key, once it is removed; on rollback the old
   * connection exports them again (`backfillId`), and the key may be deleted once that is `done`.
   */
  reencrypted: { from: number; to: number; hours: number; backfillId: number | null; done: boolean } | null;
}

/** The checklist as it stands: one entry per step of the spec's 11, each ticked from real state where it can be (a table, hence the length). */
export async function migrationView(db: Db, orgId: number, id: number, now = Date.now()): Promise<MigrationView> {
  const m = await owned(db, orgId, id);
  const ids = [m.oldDestinationId, m.newDestinationId].filter((x): x is number => x !== null);
  const views = ids.length ? await describe(db, orgId, ids) : [];
  const old = views.find((v) => v.id === m.oldDestinationId) ?? null;
  const neu = views.find((v) => v.id === m.newDestinationId) ?? null;
  const ticked: string[] = JSON.parse(m.ticked);
  const oldQuiet = old ? !old.enabled && old.openJobs === 0 : m.state === 'completed';
  const firstExport = !!neu && neu.lastSuccessHour !== null;
  const steps: Record<string, boolean> = {
    '1': ticked.includes('1') || !!neu,
    '2': true,
    '3': oldQuiet,
    '4': !!neu,
    '5': ticked.includes('5') || !!neu,
    '6': !!m.policyBackup,
    '7': ticked.includes('7'),
    '8': ticked.includes('8'),
    '9': !!neu,
    '10': firstExport,
    '11': m.state === 'completed',
  };
  // rollback steps are done when the rollback did them, not because the state happens to match
  // before anything was rolled back (no new connection yet, the old one still on)
  const rollbackSteps: Record<string, boolean> = {
    '1': ticked.includes('r1') && !neu,
    '2': ticked.includes('r2'),
    '3': ticked.includes('r3'),
    '4': m.state === 'rolled_back',
    '5': ticked.includes('r5'),
  };
  let gap: MigrationView['gap'] = null;
  let hoursSinceDisabled: number | null = null;
  if (old && old.disabledAt !== null) {
    const until = neu ? neu.createdAt : now;
    hoursSinceDisabled = Math.floor((until - old.disabledAt) / HOUR_MS);
    const newStart = neu ? neu.startHour : initialStartHour(now);
    if (until - old.disabledAt > DAY_MS && newStart > old.plannedUntil) {
      gap = { from: old.plannedUntil, to: newStart, hours: (newStart - old.plannedUntil) / HOUR_MS };
    }
  }
  let gapBackfilled = false;
  if (gap && neu) {
    const [b] = await db
      .select({ id: s.backfills.id })
      .from(s.backfills)
      .where(and(eq(s.backfills.destinationId, neu.id), eq(s.backfills.fromHour, gap.from), eq(s.backfills.toHour, gap.to)));
    gapBackfilled = !!b;
  }
  let reencrypted: MigrationView['reencrypted'] = null;
  if (m.reencryptedFrom !== null && m.reencryptedTo !== null) {
    const progress = m.reexportBackfillId !== null && old ? (await backfillProgress(db, old.id)).find((b) => b.id === m.reexportBackfillId) : undefined;
    reencrypted = {
      from: m.reencryptedFrom,
      to: m.reencryptedTo,
      hours: (m.reencryptedTo - m.reencryptedFrom) / HOUR_MS,
      backfillId: m.reexportBackfillId,
      done: !!progress && progress.state === 'done' && progress.jobsFailed === 0 && progress.jobsDone >= progress.jobsTotal,
    };
  }
  return {
    id: m.id,
    state: m.state,
    old,
    oldSummary: JSON.parse(m.oldSummary),
    new: neu,
    ticked,
    policyBackup: m.policyBackup,
    steps,
    rollbackSteps,
    rollbackAvailable: m.state === 'open' && !!old,
    gap,
    hoursSinceDisabled,
    gapBackfilled,
    reencrypted,
  };
}

/** The hours a connection wrote files for, [from, to), or null when it wrote none. */
async function writtenHours(db: Db, destinationId: number): Promise<{ from: number; to: number } | null> {
  const [r] = await db
    .select({ from: sql<number | null>`min(${s.exportJobs.hour})`, to: sql<number | null>`max(${s.exportJobs.hour})` })
    .from(s.exportJobs)
    .where(
      and(eq(s.exportJobs.destinationId, destinationId), sql`exists (select 1 from ${s.exportedFiles} where ${s.exportedFiles.jobId} = ${s.exportJobs.id})`),
    );
  return r.from === null || r.to === null ? null : { from: Number(r.from), to: Number(r.to) + HOUR_MS };
}

async function patch(db: Db, id: number, set: Partial<typeof s.kmsMigrations.$inferInsert>, now: number) {
  await writeTx(db, (tx) =>
    tx
      .update(s.kmsMigrations)
      .set({ ...set, updatedAt: now })
      .where(eq(s.kmsMigrations.id, id)),
  );
}

export async function tickStep(db: Db, orgId: number, id: number, step: unknown, done: unknown, now = Date.now()) {
  const m = await owned(db, orgId, id);
  if (typeof step !== 'string' || !MANUAL_STEPS.includes(step)) throw new FieldError('step', `step must be one of ${MANUAL_STEPS.join(', ')}`);
  if (typeof done !== 'boolean') throw new FieldError('done', 'done must be true or false');
  const ticked = new Set<string>(JSON.parse(m.ticked));
  if (done) ticked.add(step);
  else ticked.delete(step);
  await patch(db, id, { ticked: JSON.stringify([...ticked].sort()) }, now);
}

/** Step 6: the bucket policy as it is now, kept to paste back on rollback. */
export async function savePolicyBackup(db: Db, orgId: number, id: number, policy: unknown, now = Date.now()) {
  await owned(db, orgId, id);
  if (typeof policy !== 'string' || policy.trim() === '') throw new FieldError('policyBackup', 'Paste the bucket policy as it is now (JSON)');
  if (policy.length > 20_480) throw new FieldError('policyBackup', 'A bucket policy is at most 20 KB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new FieldError('policyBackup', 'That is not valid JSON: copy the whole policy from the S3 console (Permissions → Bucket policy)');
  }
  if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed))
    throw new FieldError('policyBackup', 'A bucket policy is a JSON object with a "Statement" list');
  await patch(db, id, { policyBackup: JSON.stringify(parsed, null, 2) }, now);
}

/** The fields of the connection a KMS migration makes: the old one's, with the key; its files written as before. */
export function fieldsFor(old: typeof s.destinations.$inferSelect, kmsKeyArn: string): DestinationFields {
  return {
    projectId: old.projectId,
    exportEvents: old.exportEvents,
    exportMerged: old.exportMerged,
    awsAccountId: old.awsAccountId,
    bucket: old.bucket,
    region: old.region,
    prefix: old.prefix,
    kmsKeyArn,
    endpoint: old.endpoint,
    forcePathStyle: old.forcePathStyle,
    keyFolders: old.keyFolders,
    eventFilter: old.eventFilter,
    fileFormat: old.fileFormat,
    // the new connection writes what the old one wrote: its readers' tables were built on it
    lineFormat: old.lineFormat,
  };
}

async function openMigration(db: Db, orgId: number, id: number) {
  const m = await owned(db, orgId, id);
  if (m.state !== 'open') throw new ConflictError('state', `This migration is ${m.state === 'completed' ? 'completed' : 'rolled back'}`);
  if (m.oldDestinationId === null) throw new ConflictError('old', 'The old connection no longer exists');
  return { m, old: await getOwned(db, orgId, m.oldDestinationId) };
}

/** Step 5: the updated bucket policy and KMS key policy for the new connection. */
export async function migrationPolicies(db: Db, config: EngineConfig, orgId: number, id: number, kmsKeyArn: unknown) {
  const { old } = await openMigration(db, orgId, id);
  return policiesFor(config, fieldsFor(old, parseKmsKeyArn(kmsKeyArn, old.endpoint, true)!));
}

/** Step 9: verify access with the KMS key and create the new connection (the old one must be off). */
export async function connectNew(db: Db, config: EngineConfig, orgId: number, userId: number, id: number, kmsKeyArnRaw: unknown, now = Date.now()) {
  const { m, old } = await openMigration(db, orgId, id);
  const kmsKeyArn = parseKmsKeyArn(kmsKeyArnRaw, old.endpoint, true)!;
  if (old.enabled) throw new ConflictError('old', 'Disable the old connection first (step 3), so two connections do not export the same hours at once');
  if (m.newDestinationId !== null) throw new ConflictError('new', 'The new connection already exists');
  const created = await createVerified(db, config, orgId, userId, fieldsFor(old, kmsKeyArn), now);
  await patch(db, id, { newDestinationId: created.destination.id }, now);
  return created;
}

export type MigrationAction = 'disable-old' | 'delete-old' | 'remove-new' | 'enable-old' | 'backfill-gap';

export async function migrationAction(db: Db, config: EngineConfig, orgId: number, userId: number, id: number, action: unknown, now = Date.now()) {
  const { m, old } = await openMigration(db, orgId, id);
  switch (action as MigrationAction) {
    case 'disable-old':
      await setEnabled(db, orgId, old.id, false, now);
      return;
    case 'delete-old': {
      const v = await migrationView(db, orgId, id, now);
      if (!v.new || !v.steps['10'])
        throw new ConflictError(
          'new',
          'Wait until the new connection has exported successfully (step 10) before deleting the old one: after that, rollback is no longer possible',
        );
      await deleteDestination(db, orgId, old.id);
      await patch(db, id, { state: 'completed' }, now);
      return;
    }
    case 'remove-new': {
      // what it wrote with the key is remembered before its jobs go: the old connection writes it again
      const written = m.newDestinationId !== null ? await writtenHours(db, m.newDestinationId) : null;
      if (m.newDestinationId !== null) await deleteDestination(db, orgId, m.newDestinationId);
      const ticked = JSON.stringify([...new Set([...JSON.parse(m.ticked), 'r1'])]);
      await patch(db, id, written ? { ticked, reencryptedFrom: written.from, reencryptedTo: written.to } : { ticked }, now);
      return;
    }
    case 'enable-old': {
      if (m.newDestinationId !== null) throw new ConflictError('new', 'Remove the new connection first (rollback step 1)');
      const r = await setEnabled(db, orgId, old.id, true, now);
      // off for more than 24 hours: export the hours it missed, so rolling back leaves no gap either
      if (r?.gap) await startBackfill(db, config, { destinationId: old.id, from: r.gap.from, to: r.gap.to, requestedBy: userId }, now);
      // the hours the new connection encrypted with the key, written again as the old connection writes them
      let reexportBackfillId: number | null = null;
      if (m.reencryptedFrom !== null && m.reencryptedTo !== null) {
        const b = await startBackfill(db, config, { destinationId: old.id, from: m.reencryptedFrom, to: m.reencryptedTo, requestedBy: userId }, now);
        reexportBackfillId = b.id;
      }
      await patch(db, id, { state: 'rolled_back', reexportBackfillId }, now);
      return;
    }
    case 'backfill-gap': {
      const v = await migrationView(db, orgId, id, now);
      if (!v.gap || !v.new) throw new ConflictError('gap', 'There is no gap to backfill');
      await startBackfill(db, config, { destinationId: v.new.id, from: v.gap.from, to: v.gap.to, requestedBy: userId }, now);
      return;
    }
    default:
      throw new FieldError('action', 'action must be one of disable-old, delete-old, remove-new, enable-old, backfill-gap');
  }
}

export async function migrationsOf(db: Db, orgId: number, destinationId: number) {
  const m = s.kmsMigrations;
  return db
    .select({ id: m.id, state: m.state, oldDestinationId: m.oldDestinationId, newDestinationId: m.newDestinationId })
    .from(m)
    .where(and(eq(m.orgId, orgId), or(eq(m.oldDestinationId, destinationId), eq(m.newDestinationId, destinationId))));
}
