import { parseDestinationFields } from '@/lib/destinations/fields';
import { createVerified } from '@/lib/destinations/access';
import { describe } from '@/lib/destinations/views';
import { json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

export const GET = withUser('member', async (_req, { db, user }) => json({ destinations: await describe(db, user.orgId) }));

/** Step 5 of setup: verifies access again on the server, then creates the connection. */
export const POST = withUser('admin', async (request, { db, user }) => {
  const f = parseDestinationFields(await readJson(request));
  const { destination, result } = await createVerified(db, serverConfig(), user.orgId, user.id, f);
  return json({ id: destination.id, checks: result.checks }, 201);
});
