import { invite, pendingInvitations, revokeInvitation } from '@/lib/auth/invitations';
import { HttpError, json, readJson, withUser } from '@/lib/server/api';
import { publicOrigin } from '@/lib/server/request';

export const dynamic = 'force-dynamic';

export const GET = withUser('admin', async (_req, { db, user }) => {
  const list = await pendingInvitations(db, user.orgId);
  // the hash identifies an invitation for revocation; the token itself is never stored
  return json({ invitations: list.map((i) => ({ id: i.tokenHash, email: i.email, role: i.role, expiresAt: i.expiresAt })) });
});

/** { email, role } → the one-time link to hand to the invitee. */
export const POST = withUser('admin', async (request, { db, user }) => {
  const b = await readJson(request);
  const inv = await invite(db, user.orgId, user.id, b.email, b.role);
  return json({ email: inv.email, role: inv.role, expiresAt: inv.expiresAt, link: `${publicOrigin(request)}/invite#${inv.token}` }, 201);
});

export const DELETE = withUser('admin', async (request, { db, user }) => {
  const id = new URL(request.url).searchParams.get('id');
  if (!id || !/^[0-9a-f]{64}$/.test(id)) throw new HttpError(400, 'id must be an invitation id');
  await revokeInvitation(db, user.orgId, id);
  return json({ revoked: true });
});
