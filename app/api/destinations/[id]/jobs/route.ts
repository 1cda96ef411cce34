import { getOwned } from '@/lib/destinations/rules';
import { jobsPage, parseJobQuery } from '@/lib/destinations/status';
import { idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

export const GET = withUser<{ id: string }>('member', async (request, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  return json(await jobsPage(db, d, parseJobQuery(new URL(request.url).searchParams)));
});
