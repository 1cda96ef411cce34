import { addWebhook, webhooksOf } from '@/lib/notify/webhooks';
import { json, readJson, withUser } from '@/lib/server/api';
import { serverConfig } from '@/lib/server/config';

export const dynamic = 'force-dynamic';

export const GET = withUser('admin', async (_req, { db, user }) => json(await webhooksOf(db, user.orgId)));

export const POST = withUser('admin', async (request, { db, user }) =>
  json({ webhook: await addWebhook(db, user.orgId, await readJson(request), serverConfig().endpoints ?? { allowPrivate: false }) }, 201),
);
