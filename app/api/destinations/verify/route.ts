import { parseDestinationFields } from '@/lib/destinations/fields';
import { verifyFields } from '@/lib/destinations/access';
import { json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

/** Step 4 of setup: a result per permission. */
export const POST = withUser('admin', async (request, { db, user }) => {
  const f = parseDestinationFields(await readJson(request));
  return json(await verifyFields(db, serverConfig(), user.orgId, f));
});
