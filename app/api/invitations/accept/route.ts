import { answerInvitation } from '@/lib/auth/invitations';
import { createSession } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { checkSameOrigin, errorResponse, json, readJson } from '@/lib/server/api';
import { sessionCookie } from '@/lib/server/cookies';
import { clientIp } from '@/lib/server/request';

export const dynamic = 'force-dynamic';

/** { token } → who is invited; { token, password, name? } → creates the user and signs in. */
export async function POST(request: Request) {
  try {
    checkSameOrigin(request);
    const db = await getDb();
    const answer = await answerInvitation(db, await readJson(request), clientIp(request));
    if (answer.invitation) return json(answer.invitation);
    const { token, expiresAt } = await createSession(db, answer.user.id);
    return json({ ok: true }, 201, { 'set-cookie': sessionCookie(request, token, expiresAt) });
  } catch (e) {
    return errorResponse(e);
  }
}
