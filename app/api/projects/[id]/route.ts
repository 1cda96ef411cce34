import { setAllowedOrigins } from '@/lib/projects/projects';
import { HttpError, idParam, json, readJson, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** Project settings: `allowedOrigins`, a list of origins (or null for any). */
export const PATCH = withUser<{ id: string }>('admin', async (request, { db, user }, params) => {
  const b = await readJson(request);
  if (!('allowedOrigins' in b)) throw new HttpError(400, 'allowedOrigins is required (a list of origins, or null for any)');
  const project = await setAllowedOrigins(db, user.orgId, idParam(params.id), b.allowedOrigins);
  if (!project) throw new HttpError(404, 'No such project in your organisation (portfolio projects receive no events)');
  return json({ project });
});
