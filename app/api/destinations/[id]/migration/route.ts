import { startMigration } from '@/lib/destinations/migration';
import { idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Opens (or returns the open) KMS migration of this connection. */
export const POST = withUser<{ id: string }>('admin', async (_req, { db, user }, p) => {
  const m = await startMigration(db, user.orgId, idParam(p.id));
  return json({ id: m.id }, 201);
});
