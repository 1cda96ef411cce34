import { migrationAction, migrationView } from '@/lib/destinations/migration';
import { idParam, json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

/** { action: disable-old | delete-old | remove-new | enable-old | backfill-gap } */
export const POST = withUser<{ mid: string }>('admin', async (request, { db, user }, p) => {
  const id = idParam(p.mid);
  await migrationAction(db, serverConfig(), user.orgId, user.id, id, (await readJson(request)).action);
  return json(await migrationView(db, user.orgId, id));
});
