import { getOwned } from '@/lib/destinations/rules';
import { cancelBackfill } from '@/lib/jobs/backfill';
import { HttpError, idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Cancels a running manual export. */
export const DELETE = withUser<{ id: string; bid: string }>('admin', async (_req, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  if (!(await cancelBackfill(db, d.id, idParam(p.bid)))) throw new HttpError(409, 'That export is not running');
  return json({ cancelled: true });
});
