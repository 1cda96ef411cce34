import { floorHour, HOUR_MS } from '@/lib/util/hours';
import { parseHoursWindow } from '@/lib/util/hours-window';
import { hourlyCounts } from '@/lib/projects/stats';
import { json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Per-project, per-hour event counts for the last `hours` hours (default 48, at most 90 days). */
export const GET = withUser('member', async (request, { db, user }) => {
  const hours = parseHoursWindow(new URL(request.url).searchParams.get('hours'), 24 * 90);
  return json({ counts: await hourlyCounts(db, user.orgId, floorHour(Date.now()) - (hours - 1) * HOUR_MS) });
});
