import { migrationView, savePolicyBackup, tickStep } from '@/lib/destinations/migration';
import { idParam, json, readJson, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';
type P = { mid: string };

export const GET = withUser<P>('member', async (_req, { db, user }, p) => json(await migrationView(db, user.orgId, idParam(p.mid))));

/** { step, done } ticks a step done in AWS; { policyBackup } keeps the current bucket policy (step 6). */
export const PATCH = withUser<P>('admin', async (request, { db, user }, p) => {
  const id = idParam(p.mid);
  const b = await readJson(request);
  if (b.policyBackup !== undefined) await savePolicyBackup(db, user.orgId, id, b.policyBackup);
  else await tickStep(db, user.orgId, id, b.step, b.done);
  return json(await migrationView(db, user.orgId, id));
});
