import { connectNew } from '@/lib/destinations/migration';
import { idParam, json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

/** Step 9: verify access with the KMS key and create the new connection. */
export const POST = withUser<{ mid: string }>('admin', async (request, { db, user }, p) => {
  const { destination, result } = await connectNew(db, serverConfig(), user.orgId, user.id, idParam(p.mid), (await readJson(request)).kmsKeyArn);
  return json({ id: destination.id, checks: result.checks }, 201);
});
