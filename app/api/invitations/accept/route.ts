import { acceptInvitation, lookupInvitation } from '@/lib/auth/invitations';
import { createSession } from '@/lib/auth/session';
import { tooManyAttempts } from '@/lib/auth/ratelimit';
import { getDb } from '@/lib/db/client';
import { checkSameOrigin, errorResponse, HttpError, json, readJson } from '@/lib/server/api';
import { sessionCookie } from '@/lib/server/cookies';
import { clientIp } from '@/lib/server/request';

export const dynamic = 'force-dynamic';

/** { token } → who is invited; { token, password, name? } → creates the user and signs in. */
export async function POST(request: Request) {
  try {
    checkSameOrigin(request);
    if (tooManyAttempts(`invite:${clientIp(request)}`, 30, 15 * 60_000)) throw new HttpError(429, 'Too many attempts; wait 15 minutes and try again');
    const b = await readJson(request);
    const db = await getDb();
    if (b.password === undefined) {
      const inv = await lookupInvitation(db, b.token);
      if (!inv) throw new HttpError(404, 'This invitation has expired or was already used: ask an admin for a new one');
      return json({ email: inv.email, role: inv.role, orgName: inv.orgName });
    }
    const user = await acceptInvitation(db, b.token, b.password, b.name);
    const { token, expiresAt } = await createSession(db, user.id);
    return json({ ok: true }, 201, { 'set-cookie': sessionCookie(request, token, expiresAt) });
  } catch (e) {
    return errorResponse(e);
  }
}
