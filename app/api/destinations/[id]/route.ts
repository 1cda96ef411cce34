import { migrationsOf } from '@/lib/destinations/migration';
import { deleteDestination, updateSettings } from '@/lib/destinations/settings';
import { describeOne } from '@/lib/destinations/views';
import { backfillProgress } from '@/lib/jobs/backfill';
import { idParam, json, readJson, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';
type P = { id: string };

export const GET = withUser<P>('member', async (_req, { db, user }, p) => {
  const id = idParam(p.id);
  const destination = await describeOne(db, user.orgId, id);
  return json({ destination, backfills: await backfillProgress(db, id), migrations: await migrationsOf(db, user.orgId, id) });
});

/** Manage Export Settings: { enabled?, prefix?, exportEvents?, exportMerged? } */
export const PATCH = withUser<P>('admin', async (request, { db, user }, p) => {
  return json(await updateSettings(db, user.orgId, idParam(p.id), await readJson(request)));
});

export const DELETE = withUser<P>('admin', async (_req, { db, user }, p) => {
  await deleteDestination(db, user.orgId, idParam(p.id));
  return json({ deleted: true });
});
