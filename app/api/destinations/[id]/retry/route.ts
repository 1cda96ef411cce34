import { getOwned } from '@/lib/destinations/rules';
import { retryFailed } from '@/lib/jobs/tick';
import { idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Re-queues the failed hours now (after fixing the bucket policy). */
export const POST = withUser<{ id: string }>('admin', async (_req, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  return json({ requeued: (await retryFailed(db, d.id)).length });
});
