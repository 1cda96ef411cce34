import { filesOfHour } from '@/lib/destinations/files';
import { getOwned } from '@/lib/destinations/rules';
import { HttpError, idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** The files of one exported hour (`hour`: its start, epoch ms or ISO). */
export const GET = withUser<{ id: string }>('member', async (request, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  const raw = new URL(request.url).searchParams.get('hour') ?? '';
  const hour = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(hour) || hour % 3_600_000 !== 0)
    throw new HttpError(400, 'hour must be the start of an hour (epoch ms or ISO time)', { field: 'hour' });
  return json({ files: await filesOfHour(db, d.id, hour) });
});
