import { deleteWebhook } from '@/lib/notify/webhooks';
import { idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

export const DELETE = withUser<{ id: string }>('admin', async (_req, { db, user }, params) => {
  await deleteWebhook(db, user.orgId, idParam(params.id));
  return json({ deleted: true });
});
