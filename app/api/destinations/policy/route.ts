import { parseDestinationFields } from '@/lib/destinations/fields';
import { policiesFor } from '@/lib/destinations/access';
import { checkAllowed } from '@/lib/destinations/rules';
import { json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

/** Step 3 of setup: the bucket policy (and KMS key policy) for the entered bucket information. */
export const POST = withUser('admin', async (request, { db, user }) => {
  const f = parseDestinationFields(await readJson(request));
  const config = serverConfig();
  await checkAllowed(db, user.orgId, f, { endpoints: config.endpoints });
  return json(policiesFor(config, f));
});
