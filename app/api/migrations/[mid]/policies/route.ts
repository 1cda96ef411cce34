import { parseKmsKeyArn } from '@/lib/destinations/fields';
import { migrationPolicies, migrationView } from '@/lib/destinations/migration';
import { idParam, json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

/** Step 5: the updated bucket policy and KMS key policy. */
export const POST = withUser<{ mid: string }>('admin', async (request, { db, user }, p) => {
  const id = idParam(p.mid);
  const v = await migrationView(db, user.orgId, id);
  const kms = parseKmsKeyArn((await readJson(request)).kmsKeyArn, v.old?.endpoint ?? '', true)!;
  return json(await migrationPolicies(db, serverConfig(), user.orgId, id, kms));
});
