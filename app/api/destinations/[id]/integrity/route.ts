import { getOwned } from '@/lib/destinations/rules';
import { checkIntegrity } from '@/lib/jobs/integrity';
import { idParam, json, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

/** "Check the bucket now": the daily integrity check, run at once; wrong hours are queued again. */
export const POST = withUser<{ id: string }>('admin', async (_req, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  const config = serverConfig();
  return json(await checkIntegrity(db, config, d, Math.max(1, config.integrityDays)));
});
