import { snippetsFor } from '@/lib/destinations/files';
import { getOwned } from '@/lib/destinations/rules';
import { idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Ready-to-paste snippets that read the connection's files (DuckDB, Athena, Snowflake, AWS CLI). */
export const GET = withUser<{ id: string }>('member', async (_req, { db, user }, p) => {
  const d = await getOwned(db, user.orgId, idParam(p.id));
  return json(await snippetsFor(db, d));
});
