// Manage Export Settings (the toggle, the prefix, the key layout, the data choice, the event filter,
// manifests, the line format) and deleting a connection. A new layout applies to the hours exported from then on: files
// already in the bucket stay where they are, and an export of their range writes them again in it.
import { and, eq, inArray, sql } from 'drizzle-orm';
import * as s from '../db/schema';
import type { Db } from '../db/types';
import { writeTx } from '../db/write';
import { folderProblem } from '../export/files/naming';
import { eventsSealKind } from '../db/seal-kinds';
import { FieldError, parseDataChoice, parseEventFilter, parseFileFormat, parseKeyFolders, parseLineFormat, parsePrefix } from './fields';
import { setEnabled } from './lifecycle';
import { checkAllowed, getOwned } from './rules';
import { describeOne } from './views';

/** Manage Export Settings: the toggle, the prefix, the data choice. */
export async function updateSettings(db: Db, orgId: number, id: number, body: Record<string, unknown>, now = Date.now()) {
  const d = await getOwned(db, orgId, id);
  let gap: { from: number; to: number } | null = null;
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') throw new FieldError('enabled', 'enabled must be true or false');
    gap = (await setEnabled(db, orgId, id, body.enabled, now))?.gap ?? null;
  }
  const changes: Partial<typeof s.destinations.$inferInsert> = {};
  if (body.prefix !== undefined) changes.prefix = parsePrefix(body.prefix);
  if (body.exportEvents !== undefined || body.exportMerged !== undefined) Object.assign(changes, parseDataChoice(body, d));
  if (body.writeManifest !== undefined) {
    if (typeof body.writeManifest !== 'boolean') throw new FieldError('writeManifest', 'writeManifest must be true or false');
    changes.writeManifest = body.writeManifest;
  }
  if (body.lineFormat !== undefined) changes.lineFormat = parseLineFormat(body.lineFormat);
  if (body.keyFolders !== undefined) changes.keyFolders = parseKeyFolders(body.keyFolders, changes.exportMerged ?? d.exportMerged);
  if (body.eventFilter !== undefined) changes.eventFilter = parseEventFilter(body.eventFilter);
  // the seal its events are copied from follows the line format and the filter
  if (body.fileFormat !== undefined) changes.fileFormat = parseFileFormat(body.fileFormat);
  if (changes.lineFormat !== undefined || changes.eventFilter !== undefined || changes.fileFormat !== undefined)
    changes.eventsSealKind = eventsSealKind({ ...d, ...changes });
  if (Object.keys(changes).length > 0) {
    const next = { ...d, ...changes };
    // turning merged IDs on under a template without {kind} would mix them into the events' folders
    const folders = next.keyFolders && folderProblem(next.keyFolders, next.exportMerged);
    if (folders) throw new FieldError('keyFolders', folders);
    await checkAllowed(db, orgId, { ...next, awsAccountId: d.awsAccountId, kmsKeyArn: d.kmsKeyArn }, { excludeId: id });
    await writeTx(db, (tx) =>
      tx
        .update(s.destinations)
        .set(changes)
        .where(and(eq(s.destinations.id, id), eq(s.destinations.orgId, orgId))),
    );
  }
  return { destination: await describeOne(db, orgId, id), gap };
}

/** Deletes the connection and its job history; files already in the bucket stay. */
export async function deleteDestination(db: Db, orgId: number, id: number) {
  await getOwned(db, orgId, id);
  // explicit, child tables first: the schema's cascades need foreign_keys on, which a remote libSQL may not have
  await writeTx(db, async (tx) => {
    const jobs = tx.select({ id: s.exportJobs.id }).from(s.exportJobs).where(eq(s.exportJobs.destinationId, id));
    await tx.delete(s.exportedFiles).where(inArray(s.exportedFiles.jobId, jobs));
    await tx.delete(s.exportJobs).where(eq(s.exportJobs.destinationId, id));
    await tx.delete(s.backfills).where(eq(s.backfills.destinationId, id));
    await tx.delete(s.alarms).where(eq(s.alarms.destinationId, id));
    // deleting a migration's old connection (from Manage, not the checklist) ends it: done when the new
    // connection exists, given up otherwise; no "migration in progress" link stays behind
    await tx
      .update(s.kmsMigrations)
      .set({ state: sql`case when ${s.kmsMigrations.newDestinationId} is not null then 'completed' else 'rolled_back' end`, updatedAt: Date.now() })
      .where(and(eq(s.kmsMigrations.oldDestinationId, id), eq(s.kmsMigrations.state, 'open')));
    await tx.update(s.kmsMigrations).set({ oldDestinationId: null }).where(eq(s.kmsMigrations.oldDestinationId, id));
    await tx.update(s.kmsMigrations).set({ newDestinationId: null }).where(eq(s.kmsMigrations.newDestinationId, id));
    await tx.delete(s.destinations).where(and(eq(s.destinations.id, id), eq(s.destinations.orgId, orgId)));
  });
}
