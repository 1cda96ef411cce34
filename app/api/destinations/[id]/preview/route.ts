import { previewFile } from '@/lib/destinations/files';
import { getOwned } from '@/lib/destinations/rules';
import { idParam, json, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

/** The first lines of one of the connection's files (`key`), read back through its credentials. */
export const GET = withUser<{ id: string }>('member', async (request, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  return json(await previewFile(db, d, new URL(request.url).searchParams.get('key'), serverConfig().s3));
});
