import { parseKmsKeyArn } from '@/lib/destinations/fields';
import { connectNew, migrationView } from '@/lib/destinations/migration';
import { idParam, json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

/** Step 9: verify access with the KMS key and create the new connection. */
export const POST = withUser<{ mid: string }>('admin', async (request, { db, user }, p) => {
  const id = idParam(p.mid);
  const v = await migrationView(db, user.orgId, id);
  const kms = parseKmsKeyArn((await readJson(request)).kmsKeyArn, v.old?.endpoint ?? '', true)!;
  const { destination, result } = await connectNew(db, serverConfig(), user.orgId, user.id, id, kms);
  return json({ id: destination.id, checks: result.checks }, 201);
});
