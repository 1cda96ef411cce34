import { getOwned } from '@/lib/destinations/rules';
import { eventsPerHour } from '@/lib/destinations/status';
import { parseHoursWindow } from '@/lib/util/hours-window';
import { idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Events exported per hour for the last `hours` hours (default 48, at most 31 days). */
export const GET = withUser<{ id: string }>('member', async (request, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  return json({ points: await eventsPerHour(db, d.id, parseHoursWindow(new URL(request.url).searchParams.get('hours'), 24 * 31)) });
});
