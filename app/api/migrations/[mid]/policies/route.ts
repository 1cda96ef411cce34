import { migrationPolicies } from '@/lib/destinations/migration';
import { idParam, json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

/** Step 5: the updated bucket policy and KMS key policy. */
export const POST = withUser<{ mid: string }>('admin', async (request, { db, user }, p) => {
  return json(await migrationPolicies(db, serverConfig(), user.orgId, idParam(p.mid), (await readJson(request)).kmsKeyArn));
});
