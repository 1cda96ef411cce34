import { FieldError } from '@/lib/destinations/fields';
import { getOwned } from '@/lib/destinations/service';
import { eventsPerHour } from '@/lib/destinations/status';
import { idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

export const GET = withUser<{ id: string }>('member', async (request, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  const raw = new URL(request.url).searchParams.get('hours') ?? '48';
  const hours = Number(raw);
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 31) throw new FieldError('hours', 'hours must be a whole number from 1 to 744');
  return json({ points: await eventsPerHour(db, d.id, hours) });
});
