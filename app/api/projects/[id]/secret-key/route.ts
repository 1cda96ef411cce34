import { newSecretKey } from '@/lib/projects/secret-keys';
import { HttpError, idParam, json, withUser } from '@/lib/server/api';

export const dynamic = 'force-dynamic';

/** A new Export API secret key for the project, shown this once (the old one stops working). */
export const POST = withUser<{ id: string }>('admin', async (_req, { db, user }, params) => {
  const secretKey = await newSecretKey(db, user.orgId, idParam(params.id));
  if (!secretKey) throw new HttpError(404, 'No such project in your organisation (portfolio projects have no keys)');
  return json({ secretKey });
});
