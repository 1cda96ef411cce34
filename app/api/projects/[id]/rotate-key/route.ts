import { rotateApiKey } from '@/lib/projects/projects';
import { HttpError, idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

export const POST = withUser<{ id: string }>('admin', async (_req, { db, user }, params) => {
  const project = await rotateApiKey(db, user.orgId, idParam(params.id));
  if (!project) throw new HttpError(404, 'No such project in your organisation (portfolio projects have no key)');
  return json({ project });
});
