import { answerInvitation } from '@/lib/auth/invitations';
import { createSession } from '@/lib/auth/session';
import { json, readJson, withPublic } from '@/lib/server/api';
import { sessionCookie } from '@/lib/server/cookies';
import { clientIp } from '@/lib/server/request';

export const dynamic = 'force-dynamic';

/** { token } → who is invited; { token, password, name? } → creates the user and signs in. */
export const POST = withPublic(async (request, db) => {
  const answer = await answerInvitation(db, await readJson(request), clientIp(request));
  if (answer.invitation) return json(answer.invitation);
  const { token, expiresAt } = await createSession(db, answer.user.id);
  return json({ ok: true }, 201, { 'set-cookie': sessionCookie(request, token, expiresAt) });
});
