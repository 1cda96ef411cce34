import { HOUR_MS } from '@/lib/export/time';
import { hourlyCounts } from '@/lib/projects/stats';
import { HttpError, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Per-project, per-hour event counts for the last `hours` hours (default 48, at most 24*90). */
export const GET = withUser('member', async (request, { db, user }) => {
  const raw = new URL(request.url).searchParams.get('hours') ?? '48';
  const hours = Number(raw);
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 90) throw new HttpError(400, 'hours must be an integer from 1 to 2160');
  const since = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;
  return json({ counts: await hourlyCounts(db, user.orgId, since) });
});
