import { parseUtcRange } from '@/lib/destinations/fields';
import { getOwned } from '@/lib/destinations/rules';
import { backfillProgress, startBackfill } from '@/lib/jobs/backfill';
import { idParam, json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';
type P = { id: string };

export const GET = withUser<P>('member', async (_req, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  return json({ backfills: await backfillProgress(db, d.id) });
});

/** Export Data: { from, to } as UTC dates (both days included) or ISO times. */
export const POST = withUser<P>('admin', async (request, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  const range = parseUtcRange(await readJson(request));
  const b = await startBackfill(db, serverConfig(), { destinationId: d.id, ...range, requestedBy: user.id });
  return json({ backfill: b }, 201);
});
