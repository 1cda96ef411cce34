import { coverageOf } from '@/lib/destinations/coverage';
import { getOwned } from '@/lib/destinations/rules';
import { idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Days × hours of the connection's exports (`days`, default 7, at most 31). */
export const GET = withUser<{ id: string }>('member', async (request, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  return json(await coverageOf(db, d, new URL(request.url).searchParams.get('days')));
});
